/**
 * The learned salience prior (src/tasks/salience-head.ts): its input rows, which the training data
 * script shares, and the network's arithmetic, checked by hand on small cases.
 */
import { describe, expect, it } from "vitest";
import { SalienceHead, salienceHeadInputSize, salienceHeadInputs } from "../src/tasks/salience-head.js";

const v = (...xs: number[]) => Float32Array.from(xs);

describe("salience head inputs", () => {
  const views = [v(2, 0), v(0, 3), v(1, 1)];
  const places = { lengths: [100, 50, 150], indices: [1, 2, 4], sentences: 5 };
  const rows = salienceHeadInputs(views, places);

  it("has 3D + 6 inputs per candidate", () => {
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toHaveLength(salienceHeadInputSize(2));
    expect(salienceHeadInputSize(512)).toBe(1542);
  });

  it("puts the unit concept (x sqrt D), its product with the mean direction (x D), that direction (x sqrt D), then the scalars", () => {
    // units: (1,0), (0,1), (1,1)/sqrt2; their sum (1+1/sqrt2)(1,1): the mean direction (1,1)/sqrt2.
    const c = Math.SQRT1_2;
    const [first, second, third] = rows;
    expect(first[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(first[1]).toBeCloseTo(0, 6);
    expect(first[2]).toBeCloseTo(1 * c * 2, 6);
    expect(first[3]).toBeCloseTo(0, 6);
    // the document's direction, the same in every row
    for (const row of rows) expect([row[4], row[5]]).toEqual([first[4], first[5]]);
    expect(first[4]).toBeCloseTo(c * Math.SQRT2, 6);
    expect(first[6]).toBeCloseTo(c, 6); // centrality: cos((1,0), (1,1))
    expect(third[6]).toBeCloseTo(1, 6); // the sentence along the mean
    expect(first[7]).toBeCloseTo(Math.log(100 / 100), 6); // length over the mean (100)
    expect(third[7]).toBeCloseTo(Math.log(1.5), 6);
    expect(second[8]).toBeCloseTo(2 / 4, 6); // sentence 2 of 0..4
    expect([first[9], second[9], third[9]]).toEqual([1, 0, 0]); // the first candidate
    expect(third[10]).toBeCloseTo(Math.log(3), 6);
    // centrality over the document's: (c, c, 1) -> mean m, population spread s; z = (x - m) / (s + 0.001)
    const m = (2 * c + 1) / 3;
    const s = Math.sqrt((2 * (c - m) ** 2 + (1 - m) ** 2) / 3) + 0.001;
    expect(first[11]).toBeCloseTo((c - m) / s, 5);
    expect(third[11]).toBeCloseTo((1 - m) / s, 5);
  });

  it("is empty for no candidates", () => {
    expect(salienceHeadInputs([], { lengths: [], indices: [], sentences: 0 })).toEqual([]);
  });
});

describe("salience head", () => {
  it("computes sigmoid(w2 . relu(W1 x + b1) + b2 + v . x) from the file's table order", () => {
    // 2 inputs, 2 hidden: W1 = [[1, 0], [0, -1]], b1 = [0, 0.5], w2 = [2, 1], b2 = -1, v = [0.5, 0.25]
    const head = SalienceHead.fromTable(v(1, 0, 0, -1, 0, 0.5, 2, 1, -1, 0.5, 0.25), 2, 2);
    const [a, b] = head.scores([v(1, 0), v(-1, 2)]);
    // x = (1, 0): hidden (1, 0.5) -> 2 + 0.5 - 1 + 0.5 = 2
    expect(a).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    // x = (-1, 2): hidden (relu(-1), relu(-1.5)) = (0, 0) -> -1 - 0.5 + 0.5 = -1
    expect(b).toBeCloseTo(1 / (1 + Math.exp(1)), 6);
  });

  it("refuses a table or a row of the wrong size", () => {
    expect(() => SalienceHead.fromTable(v(1, 2, 3), 2, 2)).toThrow(/needs 11/);
    const head = SalienceHead.fromTable(new Float32Array(11), 2, 2);
    expect(() => head.scores([v(1, 2, 3)])).toThrow(/3 inputs, expected 2/);
  });
});
