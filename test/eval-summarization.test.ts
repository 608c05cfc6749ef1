/**
 * The summarization evaluation on six real BBC News Summary records (test/fixtures/eval/bbc_sample.jsonl,
 * copied from shared/data/summarization/bbc_news_summary.all.jsonl): baselines, multi-reference ROUGE,
 * failure accounting, the per-document command runner and the JSONL readers.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { centroidBaseline, IdfTable, leadBaseline, medianSentenceCount } from "../src/eval/baselines.js";
import {
  parsePredictionsJsonl,
  parseSummarizationJsonl,
  readMultiway,
  readSummarizationData,
} from "../src/eval/datasets.js";
import { scoreSummary } from "../src/eval/summarization-eval.js";
import { evaluateSummarization } from "../src/eval/summarization-run.js";
import { runSystem } from "../src/eval/system-runner.js";
import { UsageError } from "../src/util/errors.js";

const SAMPLE = new URL("./fixtures/eval/bbc_sample.jsonl", import.meta.url);
const records = parseSummarizationJsonl(readFileSync(SAMPLE, "utf8"), "bbc_sample.jsonl");
const first = records[0];

describe("baselines", () => {
  it("Lead-k takes the first k sentences, the headline paragraph being the first", () => {
    const lead = leadBaseline(first.document, 3, first.lang);
    expect(lead).toHaveLength(3);
    expect(lead[0]).toBe("Ad sales boost Time Warner profit");
    expect(lead[1]).toMatch(/^Quarterly profits at US media giant TimeWarner jumped 76%/);
    expect(first.document.indexOf(lead[2])).toBeGreaterThan(first.document.indexOf(lead[1]));
  });

  it("the centroid baseline picks k document sentences, in document order, deterministically", () => {
    const idf = IdfTable.fromDocuments(records.map((r) => r.document));
    const picked = centroidBaseline(first.document, 4, idf, first.lang);
    expect(picked).toHaveLength(4);
    const positions = picked.map((s) => first.document.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(centroidBaseline(first.document, 4, idf, first.lang)).toEqual(picked);
  });

  it("k defaults to the median reference sentence count", () => {
    const refs = (...texts: string[]) => texts.map((text) => ({ text, lang: "eng_Latn" }));
    expect(medianSentenceCount(refs("One. Two. Three.", "One.", "One. Two."))).toBe(2);
    expect(medianSentenceCount(refs("One. Two. Three.", "One."))).toBe(2); // 2.0
    expect(medianSentenceCount(refs("One. Two. Three. Four.", "One."))).toBe(3); // 2.5 rounds up
    expect(medianSentenceCount([])).toBe(1);
  });
});

describe("scoreSummary", () => {
  it("gives ROUGE 1 and OVL-3 1 for a reference that was extracted from the document", () => {
    const scores = scoreSummary(first.summaries[0], first.summaries, first.document);
    for (const type of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const)
      expect(scores.rouge[type].fmeasure).toBe(1);
    // BBC reference summaries are sentences of the article, but reordered, so a few 3-grams span joins.
    expect(scores.ovl3).toBeGreaterThan(0.9);
    expect(scores.sentences).toBeGreaterThan(3);
  });

  it("takes the best reference per ROUGE type", () => {
    const scores = scoreSummary(
      "Ad sales boost Time Warner profit.",
      ["Completely unrelated words here.", "Ad sales boost Time Warner profit."],
      first.document,
    );
    expect(scores.rouge.rouge2.fmeasure).toBe(1);
  });
});

describe("evaluateSummarization", () => {
  it("scores missing predictions as zero and counts them", async () => {
    const predictions = new Map(records.slice(1).map((r) => [r.id, r.summaries[0]] as const));
    const report = await evaluateSummarization(records, { predictions, baselines: false });
    expect(report.system!.failures).toBe(1);
    expect(report.system!.errors).toEqual([{ id: first.id, error: "no prediction for this id" }]);
    expect(report.system!.rouge.rouge1.fmeasure).toBeCloseTo(5 / 6, 12);
    expect(report.baselines).toBeUndefined();
  });

  it("reports both baselines with the same k, below a perfect system", async () => {
    const report = await evaluateSummarization(records, { leadK: 3 });
    expect(report.config.leadK).toBe(3);
    expect(report.baselines!.lead.name).toBe("lead-3");
    expect(report.baselines!.lead.length.meanSentences).toBe(3);
    expect(report.baselines!.centroid.length.meanSentences).toBe(3);
    for (const baseline of [report.baselines!.lead, report.baselines!.centroid]) {
      expect(baseline.rouge.rouge1.fmeasure).toBeGreaterThan(0.2);
      expect(baseline.rouge.rouge1.fmeasure).toBeLessThan(1);
    }
    expect(report.baselines!.lead.ovl3).toBe(1); // consecutive document sentences: all copied
  });

  it("runs a command per document and counts its failures", async () => {
    // Summary = the first 400 bytes of the document, except that one record's command fails.
    const command = `if [ "$LCM_EVAL_ID" = "${records[2].id}" ]; then echo boom >&2; exit 3; fi; head -c 400`;
    const report = await evaluateSummarization(records, {
      system: { command, timeoutMs: 10_000 },
      baselines: false,
    });
    expect(report.system!.source).toBe("command");
    expect(report.system!.failures).toBe(1);
    expect(report.system!.errors[0]).toEqual({ id: records[2].id, error: "exit code 3: boom" });
    expect(report.system!.rouge.rouge1.fmeasure).toBeGreaterThan(0.1);
  });
});

describe("runSystem", () => {
  it("returns trimmed stdout", async () => {
    const run = await runSystem("tr a-z A-Z", "hello world\n", { timeoutMs: 5000 });
    expect(run).toMatchObject({ ok: true, summary: "HELLO WORLD" });
  });

  it("stops a command at its timeout", async () => {
    const run = await runSystem("sleep 5", "x", { timeoutMs: 200 });
    expect(run.ok).toBe(false);
    expect(run.error).toMatch(/timed out after 0.2 s/);
    expect(run.seconds).toBeLessThan(3);
  });

  it("fails an output larger than the limit", async () => {
    const run = await runSystem("yes", "", { timeoutMs: 5000, maxOutputBytes: 10_000 });
    expect(run).toMatchObject({ ok: false, error: "printed more than 10000 bytes" });
  });
});

describe("dataset readers", () => {
  it("reads gzip-compressed JSONL by content", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-eval-"));
    const path = join(dir, "data.jsonl.gz");
    writeFileSync(path, gzipSync(readFileSync(SAMPLE)));
    expect((await readSummarizationData(path)).map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it("names the file and line of bad records", () => {
    expect(() =>
      parseSummarizationJsonl('{"id":"a","document":"x","summaries":["y"]}\n{oops', "d.jsonl"),
    ).toThrow(new UsageError("d.jsonl:2: not valid JSON"));
    expect(() => parseSummarizationJsonl('{"id":"a","document":"x","summaries":[]}', "d.jsonl")).toThrow(
      /d.jsonl:1: "summaries" must be a non-empty array/,
    );
    expect(() =>
      parsePredictionsJsonl('{"id":"a","summary":"x"}\n{"id":"a","summary":"y"}', "p.jsonl"),
    ).toThrow(/p.jsonl:2: duplicate id 'a'/);
  });

  it("reads aligned multiway files, plain or gzipped, and refuses misaligned ones", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-eval-mw-"));
    writeFileSync(join(dir, "eng_Latn.txt"), "One.\nTwo.\nThree.\n");
    writeFileSync(join(dir, "fra_Latn.txt.gz"), gzipSync("Un.\nDeux.\nTrois.\n"));
    writeFileSync(join(dir, "deu_Latn.txt"), "Eins.\nZwei.\n");
    expect(await readMultiway(dir, ["eng_Latn", "fra_Latn"], 2)).toEqual({
      eng_Latn: ["One.", "Two."],
      fra_Latn: ["Un.", "Deux."],
    });
    await expect(readMultiway(dir, ["eng_Latn", "deu_Latn"])).rejects.toThrow(/2 lines, but eng_Latn has 3/);
  });

  it("refuses a missing file as a usage error", async () => {
    await expect(readSummarizationData("/nonexistent/data.jsonl")).rejects.toThrow(
      new UsageError("/nonexistent/data.jsonl: no such file"),
    );
  });
});
