/**
 * The on-disk concept cache: a second encode of the same sentences is served from disk with
 * bit-identical vectors, truncation flags survive, concurrent writers do not corrupt it, many packs
 * are merged, and a different codec or language never sees another's entries.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { EmbeddingCache, MAX_PACKS } from "../src/codec/embedding-cache.js";
import { SENTENCES, smokeCodecDir } from "./helpers/smoke-codec.js";

let codec: ConceptCodec;
let plain: ConceptCodec;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "lcm-cache-test-"));
  codec = await ConceptCodec.load(smokeCodecDir(), { cache: new EmbeddingCache(root) });
  plain = await ConceptCodec.load(smokeCodecDir(), { cache: false });
});
afterAll(async () => {
  await codec?.release();
  await plain?.release();
});

function packs(lang: string): string[] {
  return readdirSync(join(root, "embeddings", codec.id, lang)).filter((f) => f.endsWith(".pack"));
}

function randomVector(dim: number, seed: number): Float32Array {
  let x = seed;
  return Float32Array.from({ length: dim }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648 - 0.5;
  });
}

describe("EmbeddingCache through ConceptCodec", () => {
  it("serves the second encode from disk, bit-identical, and encodes only what is new", async () => {
    const first = await codec.encode(SENTENCES, "eng_Latn");
    expect(first.cacheHits).toBe(0);
    const second = await codec.encode(SENTENCES, "eng_Latn");
    expect(second.cacheHits).toBe(SENTENCES.length);
    const fresh = await plain.encode(SENTENCES, "eng_Latn");
    second.vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(fresh.vectors[i]));
    });
    const mixed = await codec.encode(
      ["A sentence never seen before.", SENTENCES[2], SENTENCES[2]],
      "eng_Latn",
    );
    expect(mixed.cacheHits).toBe(2);
    expect(Array.from(mixed.vectors[1])).toEqual(Array.from(fresh.vectors[2]));
  });

  it("keys by language and codec, and remembers truncation", async () => {
    const fra = await codec.encode(SENTENCES.slice(0, 2), "fra_Latn");
    expect(fra.cacheHits).toBe(0);
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(" ");
    expect((await codec.encode([long], "deu_Latn")).truncated).toEqual([0]);
    const again = await codec.encode(["short", long], "deu_Latn");
    expect(again.cacheHits).toBe(1);
    expect(again.truncated).toEqual([1]);
    const other = new EmbeddingCache(root);
    expect((await other.lookup("another-codec", "eng_Latn", SENTENCES, codec.dim)).size).toBe(0);
  });

  it("survives concurrent writers and merges many packs into one", async () => {
    const cache = new EmbeddingCache(root);
    const dim = 8;
    const texts = Array.from({ length: 60 }, (_, i) => `text ${i}`);
    // 20 writers at once, overlapping entries.
    await Promise.all(
      Array.from({ length: 20 }, (_, w) =>
        cache.store(
          "concurrency-test",
          "eng_Latn",
          texts.slice(w * 3, w * 3 + 20).map((text) => ({
            text,
            vector: randomVector(dim, texts.indexOf(text) + 1),
            truncated: false,
          })),
          dim,
        ),
      ),
    );
    const dir = join(root, "embeddings", "concurrency-test", "eng_Latn");
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".pack")).length).toBeLessThanOrEqual(MAX_PACKS + 20);
    const found = await cache.lookup("concurrency-test", "eng_Latn", texts, dim);
    expect(found.size).toBe(texts.length);
    texts.forEach((_, i) => {
      expect(Array.from(found.get(i)!.vector)).toEqual(Array.from(randomVector(dim, i + 1)));
    });
    // Sequential stores beyond the limit end in a merge.
    for (let k = 0; k < MAX_PACKS + 2; k++) {
      await cache.store(
        "merge-test",
        "eng_Latn",
        [{ text: `t${k}`, vector: randomVector(dim, k), truncated: false }],
        dim,
      );
    }
    expect(readdirSync(join(root, "embeddings", "merge-test", "eng_Latn")).length).toBeLessThanOrEqual(
      MAX_PACKS,
    );
    const merged = await cache.lookup(
      "merge-test",
      "eng_Latn",
      Array.from({ length: MAX_PACKS + 2 }, (_, k) => `t${k}`),
      dim,
    );
    expect(merged.size).toBe(MAX_PACKS + 2);
  });

  it("treats a damaged pack as a miss instead of failing", async () => {
    await codec.encode(["to be damaged"], "fra_Latn");
    for (const file of packs("fra_Latn"))
      writeFileSync(join(root, "embeddings", codec.id, "fra_Latn", file), "garbage");
    const result = await codec.encode(["to be damaged"], "fra_Latn");
    expect(result.cacheHits).toBe(0);
    expect(result.vectors[0]).toHaveLength(codec.dim);
  });
});
