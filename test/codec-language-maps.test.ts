/**
 * A codec with language maps, end to end through ConceptCodec on the real shipped encoder and decoder:
 * the maps move French concepts after encoding and before decoding, English passes through, and the
 * concept cache never mixes mapped and unmapped concepts. The maps here are hand-made shifts (W1 = W2 =
 * 0, so toShared adds a vector and fromShared subtracts it), which makes every expectation exact.
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { EmbeddingCache } from "../src/codec/embedding-cache.js";

const SHIPPED = fileURLToPath(new URL("../models/default/codec/", import.meta.url));
const FRENCH = ["Il a acheté trois pommes au marché.", "Le train pour Paris a eu deux heures de retard."];
const ENGLISH = ["He bought three apples at the market."];
const DIM = 512;
const HIDDEN = 4;
const shift = Float32Array.from({ length: DIM }, (_, i) => (i % 7) * 0.01 - 0.03);

/** A copy of the shipped codec (links to its files) whose manifest adds a French shift map. */
function codecWithShift(): string {
  const dir = mkdtempSync(join(tmpdir(), "lcm-maps-"));
  const manifest = JSON.parse(readFileSync(join(SHIPPED, "manifest.json"), "utf8"));
  for (const file of ["encoder.onnx", "decoder.onnx", manifest.tokenizer.file]) {
    symlinkSync(join(SHIPPED, file), join(dir, file));
  }
  const map = (sign: number) => [
    ...new Float32Array(HIDDEN * DIM), // W1
    ...new Float32Array(HIDDEN), // b1
    ...new Float32Array(DIM * HIDDEN), // W2
    ...shift.map((v) => sign * v), // b2
  ];
  writeFileSync(
    join(dir, "alignment.bin"),
    new Uint8Array(Float32Array.from([...map(1), ...map(-1)]).buffer),
  );
  manifest.alignment = { file: "alignment.bin", dtype: "float32", hidden: HIDDEN, languages: ["fra_Latn"] };
  delete manifest.checksums;
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

let plain: ConceptCodec;
let mapped: ConceptCodec;
let cacheRoot: string;

beforeAll(async () => {
  cacheRoot = mkdtempSync(join(tmpdir(), "lcm-maps-cache-"));
  const cache = new EmbeddingCache(cacheRoot);
  plain = await ConceptCodec.load(SHIPPED, { cache });
  mapped = await ConceptCodec.load(codecWithShift(), { cache });
});
afterAll(async () => {
  await plain?.release();
  await mapped?.release();
});

describe("a codec with language maps", () => {
  it("maps French concepts into the shared space after encoding, and leaves English alone", async () => {
    const before = (await plain.encode(FRENCH, "fra_Latn")).vectors;
    const after = (await mapped.encode(FRENCH, "fra_Latn")).vectors;
    for (let k = 0; k < FRENCH.length; k++) {
      for (let i = 0; i < DIM; i++) expect(after[k][i]).toBeCloseTo(before[k][i] + shift[i], 5);
    }
    expect((await mapped.encode(ENGLISH, "eng_Latn")).vectors).toEqual(
      (await plain.encode(ENGLISH, "eng_Latn")).vectors,
    );
  });

  it("keeps its own cache entries: the same French text is never served the other codec's concept", async () => {
    expect(mapped.id).not.toBe(plain.id);
    const again = await mapped.encode(FRENCH, "fra_Latn");
    expect(again.cacheHits).toBe(FRENCH.length);
    const plainAgain = await plain.encode(FRENCH, "fra_Latn");
    expect(again.vectors[0][0]).toBeCloseTo(plainAgain.vectors[0][0] + shift[0], 5);
  });

  it("moves shared concepts back out before decoding into French", async () => {
    const concepts = (await mapped.encode(FRENCH, "fra_Latn")).vectors;
    const viaMaps = (await mapped.decode(concepts, "fra_Latn", { beam: 1 })).map((d) => d.text);
    const direct = (
      await plain.decode((await plain.encode(FRENCH, "fra_Latn")).vectors, "fra_Latn", { beam: 1 })
    ).map((d) => d.text);
    expect(viaMaps).toEqual(direct);
  });
});
