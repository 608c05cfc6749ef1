/**
 * Grounding (nearest source concepts) and grounded rendering: a generated concept close enough to a
 * source sentence is shown as that sentence (verbatim in its own language, decoded from the source
 * concept in another), everything else is decoded, pinned text is kept.
 */
import { describe, expect, it } from "vitest";
import type { ConceptCodec } from "../src/codec/codec.js";
import { assignGroundedSources, GroundingIndex } from "../src/tasks/grounding.js";
import { renderConcepts } from "../src/tasks/render.js";
import { centrality, lengthWeighted } from "../src/tasks/salience.js";

const v = (...xs: number[]) => Float32Array.from(xs);
const sources = [v(1, 0, 0), v(0, 1, 0), v(0, 0, 1), v(1, 1, 0)];

describe("salience", () => {
  it("scores each concept by its cosine to the document's mean direction", () => {
    // Three sentences about x, one about z: the x ones are central, the z one is not.
    const doc = [v(1, 0.1, 0), v(1, -0.1, 0), v(1, 0, 0.1), v(0, 0, 1)];
    const c = centrality(doc);
    expect(c[0]).toBeGreaterThan(c[3]);
    expect(c[2]).toBeGreaterThan(c[3]);
    expect(Math.max(...c)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it("scales centrality by relative length when asked (exponent 0: unchanged)", () => {
    const c = Float32Array.from([0.5, 0.5, -0.2]);
    // Lengths 50, 200, 50 (mean 100): the long sentence counts double at exponent 1, sqrt(2) at 0.5.
    const lengths = [50, 200, 50];
    expect(lengthWeighted(c, lengths, 0)).toBe(c);
    const half = lengthWeighted(c, lengths, 0.5);
    expect(half[1]).toBeCloseTo(0.5 * Math.SQRT2, 6);
    expect(half[0]).toBeCloseTo(0.5 * Math.SQRT1_2, 6);
    expect(half[1]).toBeGreaterThan(half[0]);
    // a sentence far from the document's centre stays below the central ones
    expect(half[2]).toBeLessThan(0);
    expect(Array.from(lengthWeighted(c, [0, 0, 0], 1))).toEqual(Array.from(c));
  });

  it("a weighted prior reranks near matches but reports their cosines", () => {
    const prior = { values: [0, 0, 0, 1], weight: 0.5 };
    const index = new GroundingIndex(sources, prior);
    const query = v(0.9, 0.1, 0);
    const matches = index.nearest(query, 2);
    // source 3 (cosine 0.78, prior 1) outranks source 0 (cosine 0.99, prior 0) once weighted
    expect(matches.map((m) => m.index)).toEqual([3, 0]);
    expect(matches[0].score).toBeCloseTo(new GroundingIndex(sources).nearest(query, 2)[1].score, 6);
    // weight 0: the cosine alone
    const plain = new GroundingIndex(sources, { ...prior, weight: 0 }).nearest(query, 2);
    expect(plain.map((m) => m.index)).toEqual([0, 3]);
  });
});

describe("GroundingIndex", () => {
  const index = new GroundingIndex(sources);

  it("lists the k nearest sources by cosine, best first", () => {
    const matches = index.nearest(v(0.9, 0.1, 0), 3);
    expect(matches.map((m) => m.index)).toEqual([0, 3, 1]);
    expect(matches[0].score).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
    expect(matches[1].score).toBeCloseTo(1 / Math.SQRT2 / Math.hypot(0.9, 0.1), 6);
  });

  it("is scale-invariant and breaks ties by source order", () => {
    expect(index.nearest(v(0, 0, 5), 1)[0]).toMatchObject({ index: 2 });
    const tie = index.nearest(
      v(1, 1, 0).map((x) => x * 3),
      4,
    );
    expect(tie[0].index).toBe(3);
    expect([tie[1].index, tie[2].index]).toEqual([0, 1]);
  });

  it("returns fewer matches than k for a small source", () => {
    expect(new GroundingIndex([v(1, 0, 0)]).nearest(v(1, 1, 1), 3).length).toBe(1);
  });

  it("grounds a concept only when its best cosine clears the threshold", () => {
    const one = (score: number) => assignGroundedSources([[{ index: 4, score }]], 0.6)[0];
    expect(one(0.61)).toBe(4);
    expect(one(0.6)).toBe(4);
    expect(one(0.59)).toBeNull();
    expect(assignGroundedSources([[]], 0.6)).toEqual([null]);
  });

  it("never shows one source sentence twice: a later concept takes its next match, or is decoded", () => {
    const a = { index: 2, score: 0.9 };
    const b = { index: 5, score: 0.7 };
    const low = { index: 7, score: 0.3 };
    expect(assignGroundedSources([[a, b], [a, b], [a, low], [b]], 0.6)).toEqual([2, 5, null, null]);
  });
});

/** A codec stand-in whose decoder names what it was asked to decode. */
function fakeCodec() {
  const calls: { count: number; lang: string }[] = [];
  const codec = {
    async decode(vectors: readonly Float32Array[], lang: string) {
      calls.push({ count: vectors.length, lang });
      return vectors.map((x) => ({
        text: `decoded(${Array.from(x).join(",")}) in ${lang}`,
        tokens: [],
        score: 0,
      }));
    },
  } as unknown as ConceptCodec;
  return { codec, calls };
}

describe("renderConcepts", () => {
  const renderSources = [
    { text: "The harbour reopened.", lang: "eng_Latn", vector: v(1, 0, 0) },
    { text: "Le port a rouvert.", lang: "fra_Latn", vector: v(0, 1, 0) },
  ];
  const requests = [
    { vector: v(0.9, 0.1, 0), grounding: [{ index: 0, score: 0.95 }] },
    { vector: v(0.1, 0.9, 0), grounding: [{ index: 1, score: 0.9 }] },
    { vector: v(0, 0, 1), grounding: [{ index: 0, score: 0.2 }] },
    { vector: v(1, 1, 1), grounding: [], fixedText: "Pinned, verbatim." },
  ];

  it("without --grounded decodes every generated concept in one call and keeps pinned text", async () => {
    const { codec, calls } = fakeCodec();
    const out = await renderConcepts(codec, requests, renderSources, {
      lang: "eng_Latn",
      grounded: false,
      threshold: 0.6,
    });
    expect(out.map((r) => r.rendering)).toEqual(["generated", "generated", "generated", "pinned"]);
    expect(out.every((r) => !r.grounded)).toBe(true);
    expect(out[3].text).toBe("Pinned, verbatim.");
    expect(calls).toEqual([{ count: 3, lang: "eng_Latn" }]);
  });

  it("with --grounded shows the source sentence verbatim in its language, decodes the source concept in another", async () => {
    const { codec, calls } = fakeCodec();
    const out = await renderConcepts(codec, requests, renderSources, {
      lang: "eng_Latn",
      grounded: true,
      threshold: 0.6,
    });
    expect(out[0]).toEqual({
      text: "The harbour reopened.",
      grounded: true,
      rendering: "source",
      sourceIndex: 0,
    });
    expect(out[1]).toEqual({
      text: "decoded(0,1,0) in eng_Latn",
      grounded: true,
      rendering: "source-decoded",
      sourceIndex: 1,
    });
    expect(out[2]).toEqual({
      text: "decoded(0,0,1) in eng_Latn",
      grounded: false,
      rendering: "generated",
      sourceIndex: null,
    });
    expect(calls).toEqual([{ count: 2, lang: "eng_Latn" }]);
  });

  it("decodes nothing when every concept is grounded in a same-language sentence", async () => {
    const { codec, calls } = fakeCodec();
    const out = await renderConcepts(codec, requests.slice(0, 1), renderSources, {
      lang: "eng_Latn",
      grounded: true,
      threshold: 0.6,
    });
    expect(out[0].text).toBe("The harbour reopened.");
    expect(calls).toEqual([]);
  });
});
