/**
 * Scoring summaries against references and sources, and averaging the scores into one report per system.
 *
 * Conventions (all reported in the output's `config`):
 * - ROUGE is rouge-score's (rouge.ts), F-measure with precision and recall alongside, on rouge-score's
 *   0-1 scale. Several references: for each ROUGE type the best-scoring reference counts (max F over
 *   references, rouge-score's `score_multi`), the usual convention for multi-reference summarization.
 * - ROUGE-Lsum sees prediction and references one sentence per line (sentences.ts), which is what
 *   rouge-score's `split_summaries=True` does (the LCM reference evaluation uses it); ROUGE-1/2/L ignore
 *   line breaks anyway.
 * - Stemming is off by default, as in the LCM reference evaluation; turn it on with `useStemmer`.
 * - OVL-3 and REP-4 are word-level (copy-repetition.ts), against the document.
 * - A failed or missing prediction is scored as an empty summary (all zeros) and counted, so failures
 *   lower the mean instead of silently shrinking the test set.
 */
import { copyAndRepetition } from "./copy-repetition.js";
import { DEFAULT_ROUGE_TYPES, type RougeScore, type RougeType, scoreRougeMulti } from "./rouge.js";
import { oneSentencePerLine, splitSentences } from "./sentences.js";
import { wordTokens } from "./words.js";

export interface SummaryScores {
  rouge: Record<RougeType, RougeScore>;
  ovl3: number;
  rep4: number;
  words: number;
  sentences: number;
  /** Summary words / document words. */
  compression: number;
}

export interface ScoreOptions {
  useStemmer?: boolean;
  lang?: string;
}

export function scoreSummary(
  summary: string,
  references: readonly string[],
  document: string,
  options: ScoreOptions = {},
): SummaryScores {
  const prediction = oneSentencePerLine(summary, options.lang);
  const targets = references.map((reference) => oneSentencePerLine(reference, options.lang));
  const rouge = scoreRougeMulti(targets, prediction, { useStemmer: options.useStemmer ?? false });
  const words = wordTokens(summary).length;
  const documentWords = wordTokens(document).length;
  return {
    rouge: rouge as Record<RougeType, RougeScore>,
    ...copyAndRepetition(summary, document),
    words,
    sentences: splitSentences(summary, options.lang).length,
    compression: documentWords > 0 ? words / documentWords : 0,
  };
}

export interface LengthStats {
  meanWords: number;
  medianWords: number;
  meanSentences: number;
  meanCompression: number;
}

export interface SystemReport {
  name: string;
  /** Records scored (including failures, which score zero). */
  count: number;
  /** Predictions that were missing or whose command failed. */
  failures: number;
  rouge: Record<RougeType, RougeScore>;
  ovl3: number;
  rep4: number;
  length: LengthStats;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function aggregate(name: string, scores: readonly SummaryScores[], failures = 0): SystemReport {
  const rouge = {} as Record<RougeType, RougeScore>;
  for (const type of DEFAULT_ROUGE_TYPES) {
    rouge[type] = {
      precision: mean(scores.map((s) => s.rouge[type].precision)),
      recall: mean(scores.map((s) => s.rouge[type].recall)),
      fmeasure: mean(scores.map((s) => s.rouge[type].fmeasure)),
    };
  }
  return {
    name,
    count: scores.length,
    failures,
    rouge,
    ovl3: mean(scores.map((s) => s.ovl3)),
    rep4: mean(scores.map((s) => s.rep4)),
    length: {
      meanWords: mean(scores.map((s) => s.words)),
      medianWords: median(scores.map((s) => s.words)),
      meanSentences: mean(scores.map((s) => s.sentences)),
      meanCompression: mean(scores.map((s) => s.compression)),
    },
  };
}

/** Length statistics of the references themselves (every reference of every record). */
export function referenceLengths(
  records: readonly { document: string; summaries: string[]; lang?: string }[],
) {
  const words: number[] = [];
  const sentences: number[] = [];
  const compression: number[] = [];
  for (const record of records) {
    const documentWords = wordTokens(record.document).length;
    for (const summary of record.summaries) {
      const n = wordTokens(summary).length;
      words.push(n);
      sentences.push(splitSentences(summary, record.lang).length);
      compression.push(documentWords > 0 ? n / documentWords : 0);
    }
  }
  return {
    meanWords: mean(words),
    medianWords: median(words),
    meanSentences: mean(sentences),
    meanCompression: mean(compression),
  } satisfies LengthStats;
}
