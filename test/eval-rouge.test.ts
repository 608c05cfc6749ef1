/**
 * Golden test: ROUGE-1/2/L/Lsum precision, recall and F against Google's rouge-score (see the header of
 * training/eval_fixtures/make_metric_fixtures.py for versions and how the fixture was made). The pairs are
 * BBC summaries vs leads/shuffles/word windows of their articles, DialogSum summaries vs dialogue turns,
 * random word soup (stresses LCS tie-breaking in Lsum's union LCS), SQuALITY four-reference cases for
 * score_multi, and hand-written edge cases (empty, identical, punctuation, numbers, non-Latin scripts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type RougeScores,
  type RougeType,
  rougeTokenize,
  scoreRouge,
  scoreRougeMulti,
} from "../src/eval/rouge.js";

interface Case {
  id: string;
  stem: boolean;
  target: string;
  prediction: string;
  scores: Record<RougeType, [number, number, number]>;
}
interface MultiCase extends Omit<Case, "target"> {
  targets: string[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/eval/rouge.json", import.meta.url), "utf8")) as {
  cases: Case[];
  multi: MultiCase[];
};

const TOLERANCE = 1e-6;

function differences(id: string, ours: RougeScores, expected: Case["scores"]): string[] {
  const out: string[] = [];
  for (const [type, [p, r, f]] of Object.entries(expected) as [RougeType, [number, number, number]][]) {
    const got = ours[type]!;
    const pairs: [string, number, number][] = [
      ["precision", got.precision, p],
      ["recall", got.recall, r],
      ["fmeasure", got.fmeasure, f],
    ];
    for (const [name, a, b] of pairs) {
      if (!(Math.abs(a - b) <= TOLERANCE)) out.push(`${id} ${type}.${name}: ours ${a}, rouge-score ${b}`);
    }
  }
  return out;
}

describe("scoreRouge against rouge-score", () => {
  it("has a few hundred varied cases", () => {
    expect(fixture.cases.length).toBeGreaterThan(240);
    expect(fixture.cases.some((c) => c.stem) && fixture.cases.some((c) => !c.stem)).toBe(true);
  });

  it("matches precision, recall and F of every ROUGE type to 1e-6", () => {
    const bad = fixture.cases.flatMap((c) =>
      differences(c.id, scoreRouge(c.target, c.prediction, { useStemmer: c.stem }), c.scores),
    );
    expect(bad).toEqual([]);
  });

  it("matches score_multi (max F over references, first on ties)", () => {
    expect(fixture.multi.length).toBeGreaterThan(10);
    const bad = fixture.multi.flatMap((c) =>
      differences(c.id, scoreRougeMulti(c.targets, c.prediction, { useStemmer: c.stem }), c.scores),
    );
    expect(bad).toEqual([]);
  });
});

describe("rougeTokenize", () => {
  it("keeps only ASCII letters and digits, like rouge-score", () => {
    expect(rougeTokenize("L'élève a 3.5% -- ok!")).toEqual(["l", "l", "ve", "a", "3", "5", "ok"]);
    expect(rougeTokenize("此建議源於 Welsh")).toEqual(["welsh"]);
  });

  it("stems only tokens longer than three characters", () => {
    expect(rougeTokenize("The runners were running", true)).toEqual(["the", "runner", "were", "run"]);
  });

  it("gives zero scores, not NaN, when a side has no tokens", () => {
    const scores = scoreRouge("", "The cat.");
    for (const score of Object.values(scores))
      expect(score).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
  });
});
