/**
 * The bundled LCM's learned salience prior (issue 14), on dialogues it never trained on: 24 records of
 * DialogSum's train split that fall in our held-out hash split (the head trained on the train split
 * only). Of each dialogue's candidate lines, the two the head scores highest reproduce the reference
 * summary better (ROUGE-L) than the two most central ones, the prior it replaced.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scoreRouge } from "../src/eval/rouge.js";
import { ConceptEngine } from "../src/tasks/engine.js";
import { groundingCandidates } from "../src/tasks/grounding-candidates.js";
import { readSourceDocument } from "../src/tasks/source-concepts.js";

const MODELS = process.env.LCM_TEST_MODELS ?? fileURLToPath(new URL("../models/default/", import.meta.url));
const DIALOGUES = readFileSync(
  new URL("./fixtures/eval/dialogsum_train_heldout_sample.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { id: string; document: string; summaries: string[] });

describe("the learned salience prior (bundled model)", () => {
  let engine: ConceptEngine;
  beforeAll(async () => {
    engine = await ConceptEngine.open({ models: MODELS, cache: false, threads: 1, onlyExplicit: true });
  }, 60_000);
  afterAll(async () => {
    await engine?.release();
  });

  it("picks lines that reproduce held-out references better than centrality does", async () => {
    const space = await engine.salienceSpace();
    expect(space.name).toBe("learned");
    const rougeL = { head: [] as number[], centrality: [] as number[] };
    for (const record of DIALOGUES) {
      const source = readSourceDocument(record.document, {
        format: "plain",
        supported: ["eng_Latn"],
        sourceLang: "eng_Latn",
      });
      const { vectors } = await engine.codec.encode(
        source.sentences.map((s) => s.text),
        "eng_Latn",
      );
      const { whole, candidates, places } = groundingCandidates(
        record.document,
        source.sentences,
        source.outline.maxChars,
      );
      const concepts = candidates.map((i) => vectors[i]);
      const topTwo = (scores: Float32Array) =>
        [...scores.keys()]
          .sort((a, b) => scores[b] - scores[a] || a - b)
          .slice(0, 2)
          .sort((a, b) => a - b)
          .map((k) => whole.text(candidates[k]))
          .join("\n");
      for (const [name, scores] of [
        ["head", space.prior(concepts, places)],
        ["centrality", space.centrality(concepts)],
      ] as const) {
        rougeL[name].push(
          scoreRouge(record.summaries[0], topTwo(scores), { types: ["rougeL"] }).rougeL?.fmeasure ?? 0,
        );
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // measured: head 0.248, centrality 0.196 (mean ROUGE-L F of the two lines against the reference)
    expect(mean(rougeL.head)).toBeGreaterThan(mean(rougeL.centrality) + 0.02);
  }, 120_000);
});
