/**
 * One summarization evaluation: a system's summaries (from a predictions map or a command run per
 * document) and the Lead-k and centroid baselines, all scored the same way on the same records.
 */
import { centroidBaseline, IdfTable, leadBaseline, medianSentenceCount } from "./baselines.js";
import type { SummarizationRecord } from "./datasets.js";
import {
  aggregate,
  type LengthStats,
  referenceLengths,
  type SummaryScores,
  type SystemReport,
  scoreSummary,
} from "./summarization-eval.js";
import { runSystem } from "./system-runner.js";

export interface SummarizationEvalOptions {
  /** Summaries by record id. */
  predictions?: ReadonlyMap<string, string>;
  /** Or a command run once per document (document on stdin, summary on stdout). */
  system?: { command: string; timeoutMs: number };
  /** Score the baselines too (default true). */
  baselines?: boolean;
  /** Sentences for both baselines; default: median reference sentence count. */
  leadK?: number;
  useStemmer?: boolean;
  /** Called after each scored record: (done, total, phase). */
  onProgress?: (done: number, total: number, phase: string) => void;
}

export interface SystemEvaluation extends SystemReport {
  source: "predictions" | "command";
  /** The first failures, for the user to look at. */
  errors: { id: string; error: string }[];
  /** Wall time spent in the command, when one ran. */
  commandSeconds?: number;
}

export interface SummarizationEvalReport {
  records: number;
  config: {
    rouge: {
      scale: "0-1";
      stemmer: boolean;
      multiReference: "max-f-per-type";
      lsumSentences: "one per line";
    };
    ovl3: "share of the output's distinct word 3-grams found in the document";
    rep4: "1 - distinct/total word 4-grams of the output";
    leadK: number;
    leadKSource: "flag" | "median reference sentences";
    extractive: "TF-IDF centroid, greedy, redundancy cosine > 0.8 skipped, document order";
  };
  references: LengthStats;
  system?: SystemEvaluation;
  baselines?: { lead: SystemReport; centroid: SystemReport };
}

const MAX_LISTED_ERRORS = 20;

export async function evaluateSummarization(
  records: readonly SummarizationRecord[],
  options: SummarizationEvalOptions = {},
): Promise<SummarizationEvalReport> {
  const stem = options.useStemmer ?? false;
  const leadK =
    options.leadK ??
    medianSentenceCount(records.flatMap((r) => r.summaries.map((text) => ({ text, lang: r.lang }))));
  const report: SummarizationEvalReport = {
    records: records.length,
    config: {
      rouge: { scale: "0-1", stemmer: stem, multiReference: "max-f-per-type", lsumSentences: "one per line" },
      ovl3: "share of the output's distinct word 3-grams found in the document",
      rep4: "1 - distinct/total word 4-grams of the output",
      leadK,
      leadKSource: options.leadK === undefined ? "median reference sentences" : "flag",
      extractive: "TF-IDF centroid, greedy, redundancy cosine > 0.8 skipped, document order",
    },
    references: referenceLengths(records),
  };
  const score = (summary: string, record: SummarizationRecord) =>
    scoreSummary(summary, record.summaries, record.document, { useStemmer: stem, lang: record.lang });

  if (options.predictions || options.system) {
    const scores: SummaryScores[] = [];
    const errors: { id: string; error: string }[] = [];
    let failures = 0;
    let commandSeconds = 0;
    for (const [i, record] of records.entries()) {
      let summary = "";
      if (options.system) {
        const run = await runSystem(options.system.command, record.document, {
          timeoutMs: options.system.timeoutMs,
          env: { LCM_EVAL_ID: record.id, LCM_EVAL_LANG: record.lang ?? "" },
        });
        commandSeconds += run.seconds;
        if (run.ok) summary = run.summary;
        else {
          failures++;
          if (errors.length < MAX_LISTED_ERRORS) errors.push({ id: record.id, error: run.error ?? "failed" });
        }
      } else {
        const predicted = options.predictions!.get(record.id);
        if (predicted === undefined) {
          failures++;
          if (errors.length < MAX_LISTED_ERRORS)
            errors.push({ id: record.id, error: "no prediction for this id" });
        } else summary = predicted;
      }
      scores.push(score(summary, record));
      options.onProgress?.(i + 1, records.length, "system");
    }
    report.system = {
      ...aggregate("system", scores, failures),
      source: options.system ? "command" : "predictions",
      errors,
      ...(options.system ? { commandSeconds } : {}),
    };
  }

  if (options.baselines ?? true) {
    const idf = IdfTable.fromDocuments(records.map((r) => r.document));
    const lead: SummaryScores[] = [];
    const centroid: SummaryScores[] = [];
    // Blank lines between the chosen sentences: the segmenter always ends a sentence there, so scoring
    // sees exactly the sentences that were picked (a headline without a full stop stays separate).
    for (const [i, record] of records.entries()) {
      lead.push(score(leadBaseline(record.document, leadK, record.lang).join("\n\n"), record));
      centroid.push(score(centroidBaseline(record.document, leadK, idf, record.lang).join("\n\n"), record));
      options.onProgress?.(i + 1, records.length, "baselines");
    }
    report.baselines = {
      lead: aggregate(`lead-${leadK}`, lead),
      centroid: aggregate(`centroid-${leadK}`, centroid),
    };
  }
  return report;
}
