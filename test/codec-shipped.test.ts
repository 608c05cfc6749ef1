/**
 * The shipped default codec (models/default/codec), read in place: what a user gets on a fresh
 * machine. Sentences written for this test (not from any training corpus) survive an English round
 * trip, and the same concepts rendered in French or German come out in that language. Thresholds sit
 * well under what the model measures (see models/default/README.md) so they catch a broken model or
 * runtime, not noise.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { corpusChrf } from "../src/eval/chrf.js";
import { detectLanguage } from "../src/languages/detect-language.js";
import { cosine } from "../src/util/vector-math.js";

const SHIPPED = fileURLToPath(new URL("../models/default/codec/", import.meta.url));
const SENTENCES = [
  "The weather was cold and the children stayed inside all day.",
  "She opened the window to let in some fresh air.",
  "The government announced new taxes on fuel last week.",
  "He bought three apples at the market.",
];
const GREEDY = { beam: 1, maxNewTokens: 40 };

let codec: ConceptCodec;
let vectors: Float32Array[];

beforeAll(async () => {
  codec = await ConceptCodec.load(SHIPPED, { cache: false });
  vectors = (await codec.encode(SENTENCES, "eng_Latn")).vectors;
});
afterAll(async () => {
  await codec?.release();
});

describe("the shipped default codec", () => {
  // Its encoder quantizes activations per call (manifest encoder.int8_activations): a sentence's
  // concept then depends a little on what shares its batch (the scale is taken over the batch, padding
  // included), never more than this.
  it("gives a sentence nearly the same concept alone as in a batch of different lengths", async () => {
    const alone = await Promise.all(
      SENTENCES.map(async (s) => (await codec.encode([s], "eng_Latn")).vectors[0]),
    );
    for (let i = 0; i < SENTENCES.length; i++) expect(cosine(alone[i], vectors[i])).toBeGreaterThan(0.9999);
  });

  it("gives 512-dimensional concepts that keep English sentences recognisable", async () => {
    expect(vectors).toHaveLength(SENTENCES.length);
    for (const v of vectors) expect(v).toHaveLength(512);
    const decoded = (await codec.decode(vectors, "eng_Latn", GREEDY)).map((d) => d.text);
    expect(corpusChrf(decoded, [SENTENCES])).toBeGreaterThan(40);
  });

  it("renders the same concepts in French and German, each in its own language", async () => {
    const english = (await codec.decode(vectors, "eng_Latn", GREEDY)).map((d) => d.text);
    for (const lang of ["fra_Latn", "deu_Latn"]) {
      const texts = (await codec.decode(vectors, lang, GREEDY)).map((d) => d.text);
      expect(texts).not.toEqual(english);
      expect(detectLanguage(texts.join(" ")).lang).toBe(lang);
    }
  });
});
