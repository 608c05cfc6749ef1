/**
 * BLEU as sacrebleu 2.x computes it (metrics/bleu.py), matched to 1e-6 by test/eval-mt.test.ts:
 * - tokenizer "13a" (mteval-v13a: ASCII punctuation split off, "." and "," kept inside numbers, a dash
 *   after a digit split off) or "none"; input is right-stripped (Python whitespace) and optionally
 *   lowercased first;
 * - corpus level: clipped n-gram matches (n = 1..4, each n-gram counted at most its maximum count in any
 *   one reference) summed over all sentences, brevity penalty from the summed closest reference lengths
 *   (the shorter one on ties), geometric mean of the precisions;
 * - smoothing "exp" by default (NIST: the k-th zero precision becomes 1 / (2^k * total)), also "floor",
 *   "add-k" and "none"; `effectiveOrder` (default on at sentence level, as sacrebleu's sentence_bleu)
 *   averages only over the orders the hypothesis has n-grams for.
 * Scores are on sacrebleu's 0-100 scale.
 *
 * 13a splits CJK text only at ASCII punctuation, so BLEU-13a is not meaningful for Chinese or Japanese;
 * use chrF there (sacrebleu's "zh"/"ja-mecab" tokenizers are not ported).
 */
import { pyRstrip, pySplit } from "./python-text.js";

export type BleuTokenizer = "13a" | "none";
export type BleuSmoothing = "exp" | "floor" | "add-k" | "none";

export interface BleuOptions {
  tokenize?: BleuTokenizer;
  lowercase?: boolean;
  smoothMethod?: BleuSmoothing;
  /** For "floor" (default 0.1) and "add-k" (default 1). */
  smoothValue?: number;
  maxNgramOrder?: number;
  effectiveOrder?: boolean;
}

export interface BleuScore {
  score: number;
  /** Clipped matches per order. */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Per-order precisions in percent (after smoothing). */
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number | null> = {
  none: null,
  floor: 0.1,
  "add-k": 1,
  exp: null,
};

// mteval-v13a's punctuation classes, written with \x escapes (sacrebleu's Python escapes are not valid in
// a Unicode-mode JavaScript regex): { | } ~, [ \ ] ^ _ `, space ! " # $ % &, ( ) * +, : ; < = > ? @, /.
const PUNCTUATION = /([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu;
const PERIOD_COMMA_AFTER_NON_DIGIT = /([^0-9])([.,])/gu;
const PERIOD_COMMA_BEFORE_NON_DIGIT = /([.,])([^0-9])/gu;
const DASH_AFTER_DIGIT = /([0-9])(-)/gu;

/** sacrebleu's Tokenizer13a. */
export function tokenize13a(line: string): string {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (text.includes("&")) {
    text = text
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
  }
  text = ` ${text} `
    .replace(PUNCTUATION, " $1 ")
    .replace(PERIOD_COMMA_AFTER_NON_DIGIT, "$1 $2 ")
    .replace(PERIOD_COMMA_BEFORE_NON_DIGIT, " $1 $2")
    .replace(DASH_AFTER_DIGIT, "$1 $2 ");
  return pySplit(text).join(" ");
}

function preprocess(sentence: string, options: BleuOptions): string {
  const text = options.lowercase ? sentence.toLowerCase() : sentence;
  const stripped = pyRstrip(text);
  return (options.tokenize ?? "13a") === "13a" ? tokenize13a(stripped) : stripped;
}

/** All n-grams of orders 1..maxOrder; tokens never contain whitespace, so space-joined keys are unique. */
function wordNgrams(line: string, maxOrder: number): { counts: Map<string, number>; length: number } {
  const tokens = pySplit(line);
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(" ");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return { counts, length: tokens.length };
}

interface ReferenceInfo {
  maxCounts: Map<string, number>;
  lengths: number[];
}

function referenceInfo(refs: readonly string[], maxOrder: number): ReferenceInfo {
  const maxCounts = new Map<string, number>();
  const lengths: number[] = [];
  for (const ref of refs) {
    const { counts, length } = wordNgrams(ref, maxOrder);
    lengths.push(length);
    for (const [gram, count] of counts) maxCounts.set(gram, Math.max(maxCounts.get(gram) ?? 0, count));
  }
  return { maxCounts, lengths };
}

/** The reference length closest to the hypothesis length; the shorter one on ties. */
function closestRefLength(hypLength: number, refLengths: readonly number[]): number {
  let bestDiff = -1;
  let best = -1;
  for (const length of refLengths) {
    const diff = Math.abs(hypLength - length);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      best = length;
    } else if (diff === bestDiff && length < best) {
      best = length;
    }
  }
  return best;
}

/** [hypLen, refLen, correct_1..N, total_1..N] for one sentence, as sacrebleu's segment statistics. */
function segmentStatistics(hyp: string, refs: ReferenceInfo, maxOrder: number): number[] {
  const { counts, length } = wordNgrams(hyp, maxOrder);
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  for (const [gram, count] of counts) {
    const n = gram.split(" ").length - 1;
    total[n] += count;
    const refCount = refs.maxCounts.get(gram);
    if (refCount !== undefined) correct[n] += Math.min(count, refCount);
  }
  return [length, closestRefLength(length, refs.lengths), ...correct, ...total];
}

/** log floored at -9999999999 for zero, as sacrebleu's `my_log`. */
function flooredLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/** sacrebleu's `BLEU.compute_bleu` from summed statistics. */
export function bleuFromStatistics(stats: readonly number[], options: BleuOptions = {}): BleuScore {
  const maxOrder = options.maxNgramOrder ?? 4;
  const method = options.smoothMethod ?? "exp";
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[method] ?? 0;
  const [sysLen, refLen] = stats;
  const correct = stats.slice(2, 2 + maxOrder);
  const total = stats.slice(2 + maxOrder, 2 + 2 * maxOrder);

  let bp = 1.0;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;
  const precisions = new Array<number>(maxOrder).fill(0);
  if (!correct.some((c) => c !== 0)) {
    return { score: 0, counts: correct, totals: total, precisions, bp, sysLen, refLen };
  }

  let smoothMteval = 1.0;
  let effectiveOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (method === "add-k" && n > 1) {
      correct[n - 1] += smoothValue;
      total[n - 1] += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (options.effectiveOrder) effectiveOrder = n;
    if (correct[n - 1] === 0) {
      if (method === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
      } else if (method === "floor") {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
    }
  }
  let logSum = 0;
  for (const p of precisions.slice(0, effectiveOrder)) logSum += flooredLog(p);
  const score = bp * Math.exp(logSum / effectiveOrder);
  return { score, counts: correct, totals: total, precisions, bp, sysLen, refLen };
}

/** Per-sentence statistics; `references` holds the references of this one sentence. */
export function bleuSentenceStatistics(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
) {
  if (references.length === 0) throw new Error("BLEU: a sentence has no reference");
  const maxOrder = options.maxNgramOrder ?? 4;
  const refs = referenceInfo(
    references.map((ref) => preprocess(ref, options)),
    maxOrder,
  );
  return segmentStatistics(preprocess(hypothesis, options), refs, maxOrder);
}

/**
 * sacrebleu's `corpus_bleu(hypotheses, referenceStreams)`: `referenceStreams[k][i]` is the k-th reference
 * of sentence i (null/undefined where a sentence has fewer references).
 */
export function corpusBleu(
  hypotheses: readonly string[],
  referenceStreams: readonly (readonly (string | null | undefined)[])[],
  options: BleuOptions = {},
): BleuScore {
  const maxOrder = options.maxNgramOrder ?? 4;
  for (const stream of referenceStreams) {
    if (stream.length !== hypotheses.length) {
      throw new Error(`BLEU: ${hypotheses.length} hypotheses but a reference stream of ${stream.length}`);
    }
  }
  const summed = new Array<number>(2 + 2 * maxOrder).fill(0);
  hypotheses.forEach((hypothesis, i) => {
    const refs = referenceStreams
      .map((stream) => stream[i])
      .filter((ref): ref is string => typeof ref === "string");
    const stats = bleuSentenceStatistics(hypothesis, refs, options);
    for (let k = 0; k < summed.length; k++) summed[k] += stats[k];
  });
  return bleuFromStatistics(summed, options);
}

/** sacrebleu's `sentence_bleu(hypothesis, references)`: effective order on unless told otherwise. */
export function sentenceBleu(
  hypothesis: string,
  references: readonly string[],
  options: BleuOptions = {},
): BleuScore {
  const merged = { ...options, effectiveOrder: options.effectiveOrder ?? true };
  return bleuFromStatistics(bleuSentenceStatistics(hypothesis, references, merged), merged);
}
