/**
 * OVL-3 / REP-4 (word-level; no reference package defines them, so the expected values are worked out by
 * hand in the comments) and xSIM retrieval error (hand-built embeddings whose nearest neighbours and
 * margin scores are computed in the comments).
 */
import { describe, expect, it } from "vitest";
import { copyAndRepetition, repetitionRate, sourceOverlap } from "../src/eval/copy-repetition.js";
import { wordTokens } from "../src/eval/words.js";
import { xsimError } from "../src/eval/xsim.js";

describe("wordTokens", () => {
  it("lowercases, keeps words with inner apostrophes, splits numbers at punctuation", () => {
    expect(wordTokens("Don't STOP -- 3.5% of élèves!")).toEqual(["don't", "stop", "3", "5", "of", "élèves"]);
  });

  it("makes each character of unspaced scripts a token, keeps Cyrillic words whole", () => {
    expect(wordTokens("東京は大きい Москва")).toEqual(["東", "京", "は", "大", "き", "い", "москва"]);
  });

  it("folds compatibility forms (NFKC): full-width digits are digits", () => {
    expect(wordTokens("２０２４年")).toEqual(["2024", "年"]);
  });
});

describe("OVL-3", () => {
  it("is the share of the output's distinct 3-grams found in the source", () => {
    // output 3-grams {a b c, b c d}; the source has "a b c" only -> 1/2
    expect(sourceOverlap(["a", "b", "c", "d"], ["x", "a", "b", "c", "y"])).toBe(0.5);
  });

  it("counts words, not characters: a paraphrase with shared letters copies nothing", () => {
    const source = "The minister announced new taxes on Tuesday.";
    expect(copyAndRepetition("New taxes were announced by the minister.", source).ovl3).toBe(0);
    expect(copyAndRepetition("The minister announced new taxes.", source).ovl3).toBe(1);
  });

  it("is 0 for outputs shorter than three words", () => {
    expect(sourceOverlap(["a", "b"], ["a", "b"])).toBe(0);
  });
});

describe("REP-4", () => {
  it("is 1 - distinct/total 4-grams", () => {
    // a b c d a b c d: 4-grams abcd bcda cdab dabc abcd -> 5 total, 4 distinct -> 0.2
    expect(repetitionRate("a b c d a b c d".split(" "))).toBeCloseTo(0.2, 12);
    expect(repetitionRate("a b c d e".split(" "))).toBe(0);
    expect(repetitionRate(["a", "b", "c"])).toBe(0);
  });

  it("sees a looping generation", () => {
    const looping = "the cat sat on the mat. ".repeat(5);
    // 6 words x 5 = 30 tokens, 27 4-grams, 6 distinct -> 1 - 6/27
    expect(copyAndRepetition(looping, looping).rep4).toBeCloseTo(1 - 6 / 27, 12);
  });
});

describe("xsimError", () => {
  const f32 = (...v: number[]) => Float32Array.from(v);
  // Sources are the unit axes. t2 is a "hub" (cos 0.60 with s0, 0.79 with s2); t0 is s0's true match
  // but only at cos 0.55, so plain nearest neighbour sends s0 to the hub.
  const source = [f32(1, 0, 0), f32(0, 1, 0), f32(0, 0, 1)];
  const target = [f32(0.55, -0.835, 0), f32(0, 1, 0), f32(0.6, 0.1, 0.79)];

  it("counts a source row whose nearest cosine neighbour is not its aligned row", () => {
    const result = xsimError(source, target);
    expect(Array.from(result.nearest)).toEqual([2, 1, 2]);
    expect(result.errors).toBe(1);
    expect(result.errorRate).toBeCloseTo(1 / 3, 12);
  });

  it("ratio and distance margins (k=2) undo the hub: s0 -> t0", () => {
    // k=2 averages: sources 0.576, 0.55, 0.396; targets t0 0.275, t1 0.5, t2 0.697.
    // s0: t2 0.602/0.636 = 0.95 < t0 0.550/0.425 = 1.29.
    for (const margin of ["ratio", "distance"] as const) {
      const result = xsimError(source, target, { margin, k: 2 });
      expect(Array.from(result.nearest)).toEqual([0, 1, 2]);
      expect(result.errors).toBe(0);
    }
  });

  it("forgives retrieving a duplicate of the aligned sentence when texts are given", () => {
    const result = xsimError(source, target, { targetTexts: ["Hello.", "Bye.", "Hello."] });
    expect(result.errors).toBe(0);
  });

  it("is scale-invariant and rejects misaligned inputs", () => {
    const scaled = target.map((row) => row.map((x) => x * 7));
    expect(xsimError(source, scaled).errors).toBe(1);
    expect(() => xsimError(source, target.slice(1))).toThrow(/3 source rows but 2/);
  });
});
