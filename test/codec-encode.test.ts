/**
 * The concept encoder on the smoke codec (a tiny real model trained by test/global-setup.ts): shapes,
 * determinism, independence from batching, truncation reporting, length bucketing, cancellation and
 * language errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { ConceptEncoder, planBatches } from "../src/codec/encoder.js";
import { type CodecManifest, readManifest } from "../src/models/manifest.js";
import { CancelledError, UsageError } from "../src/util/errors.js";
import { SENTENCES, smokeCodecDir } from "./helpers/smoke-codec.js";

let codec: ConceptCodec;

beforeAll(async () => {
  codec = await ConceptCodec.load(smokeCodecDir(), { cache: false });
});
afterAll(async () => {
  await codec?.release();
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("ConceptEncoder", () => {
  it("gives one finite vector of the manifest's dimension per sentence, in input order", async () => {
    const result = await codec.encode(SENTENCES, "eng_Latn");
    expect(result.dim).toBe(codec.manifest.embeddingDim);
    expect(result.vectors).toHaveLength(SENTENCES.length);
    for (const v of result.vectors) {
      expect(v).toHaveLength(result.dim);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v.some((x) => x !== 0)).toBe(true);
    }
    // Different sentences, different concepts.
    expect(maxAbsDiff(result.vectors[0], result.vectors[1])).toBeGreaterThan(1e-3);
    expect(result.truncated).toEqual([]);
  });

  it("is deterministic", async () => {
    const a = await codec.encode(SENTENCES, "eng_Latn");
    const b = await codec.encode(SENTENCES, "eng_Latn");
    a.vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(b.vectors[i]));
    });
  });

  it("gives the same vector alone as in any batch (padding is masked)", async () => {
    const together = await codec.encode(SENTENCES, "eng_Latn");
    const manifest = (await readManifest(smokeCodecDir())) as CodecManifest;
    const tiny = await ConceptEncoder.load(manifest, codec.tokenizer, {
      batching: { tokenBudget: 40, maxRows: 2 },
    });
    const small = await tiny.encode(SENTENCES, "eng_Latn");
    await tiny.release();
    for (let i = 0; i < SENTENCES.length; i++) {
      const [alone] = (await codec.encode([SENTENCES[i]], "eng_Latn")).vectors;
      expect(maxAbsDiff(alone, together.vectors[i])).toBeLessThan(1e-5);
      expect(maxAbsDiff(alone, small.vectors[i])).toBeLessThan(1e-5);
    }
  });

  it("depends on the language tag", async () => {
    const [eng] = (await codec.encode(["Bonjour tout le monde."], "eng_Latn")).vectors;
    const [fra] = (await codec.encode(["Bonjour tout le monde."], "fra_Latn")).vectors;
    expect(maxAbsDiff(eng, fra)).toBeGreaterThan(1e-4);
  });

  it("cuts sentences at max_tokens and reports which", async () => {
    const max = codec.manifest.encoder.maxTokens;
    const long = Array.from({ length: max }, (_, i) => `word${i}`).join(" ");
    const result = await codec.encode(
      ["Short one.", long, "Another short one.", `${long} and more words`],
      "eng_Latn",
    );
    expect(result.truncated).toEqual([1, 3]);
    // Everything past the cut is ignored: two texts sharing the first max-2 pieces get one concept.
    expect(maxAbsDiff(result.vectors[1], result.vectors[3])).toBeLessThan(1e-6);
    const tag = codec.tokenizer.langTagId("eng_Latn");
    const { ids, truncated } = codec.encoder.tokenize(long, tag);
    expect(truncated).toBe(true);
    expect(ids).toHaveLength(max);
    expect(ids[0]).toBe(tag);
    expect(ids[max - 1]).toBe(codec.manifest.tokenizer.specialIds.eos);
  });

  it("handles an empty list and an empty sentence", async () => {
    expect((await codec.encode([], "eng_Latn")).vectors).toEqual([]);
    const [v] = (await codec.encode([""], "eng_Latn")).vectors;
    expect(v.every(Number.isFinite)).toBe(true);
  });

  it("reports progress per batch and stops when cancelled", async () => {
    const manifest = (await readManifest(smokeCodecDir())) as CodecManifest;
    const tiny = await ConceptEncoder.load(manifest, codec.tokenizer, {
      batching: { tokenBudget: 40, maxRows: 2 },
    });
    const seen: number[] = [];
    await tiny.encode(SENTENCES, "eng_Latn", { onProgress: (done) => seen.push(done) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe(SENTENCES.length);
    const controller = new AbortController();
    const run = tiny.encode(SENTENCES, "eng_Latn", {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    await tiny.release();
  });

  it("refuses a language the codec does not declare, suggesting close codes", async () => {
    await expect(codec.encode(["x"], "fra_Latm")).rejects.toThrow(UsageError);
    await expect(codec.encode(["x"], "fra_Latm")).rejects.toThrow(
      /unknown language 'fra_Latm'; did you mean fra_Latn/,
    );
    await expect(codec.encode(["x"], "spa_Latn")).rejects.toThrow(
      "language spa_Latn (Spanish) is not supported by this model (supported: eng_Latn, fra_Latn, deu_Latn)",
    );
    // Case and separator do not matter.
    const [a] = (await codec.encode(["x"], "fra-latn")).vectors;
    const [b] = (await codec.encode(["x"], "fra_Latn")).vectors;
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe("planBatches (length bucketing)", () => {
  it("sorts by length, covers every index once and keeps rows x longest within the budget", () => {
    const lengths = [5, 40, 3, 3, 17, 128, 9, 9, 9, 2, 60];
    const batches = planBatches(lengths, { tokenBudget: 64, maxRows: 3 });
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const flat = batches.flat();
    for (let i = 1; i < flat.length; i++)
      expect(lengths[flat[i]]).toBeGreaterThanOrEqual(lengths[flat[i - 1]]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(3);
      const cost = batch.length * Math.max(...batch.map((i) => lengths[i]));
      // A single over-long sentence goes alone.
      if (batch.length > 1) expect(cost).toBeLessThanOrEqual(64);
    }
    expect(batches.find((b) => b.includes(5))).toEqual([5]);
  });
});
