/**
 * chrF and chrF++ as sacrebleu 2.x computes them (metrics/chrf.py), matched to 1e-6 by
 * test/eval-mt.test.ts. Defaults are sacrebleu's: character n-grams of order 1..6 over the text with all
 * whitespace removed, no word n-grams (chrF2; `wordOrder: 2` gives chrF++), beta 2, case-sensitive, and
 * the "effective order" averaging (precision and recall are averaged over the orders where both sides
 * have n-grams, then combined into one F-beta). With several references per sentence the reference with
 * the best sentence-level F is used. Corpus level sums the statistics of all sentences first.
 * Characters are Unicode code points, as in Python. Scores are on sacrebleu's 0-100 scale.
 */
import { codePoints, countInto, pySplit } from "./python-text.js";

export interface ChrfOptions {
  charOrder?: number;
  /** 0 = chrF, 2 = chrF++. */
  wordOrder?: number;
  beta?: number;
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (sacrebleu's `whitespace`). */
  whitespace?: boolean;
  /** chrF++.py-style epsilon smoothing instead of the effective-order average. */
  epsSmoothing?: boolean;
}

type Resolved = Required<ChrfOptions>;

function resolve(options: ChrfOptions): Resolved {
  return {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
}

/** string.punctuation, which chrF++ splits off the start or end of a word. */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

/** chrF++'s word split: one trailing (else one leading) punctuation mark becomes its own token. */
function splitPunctuation(sentence: string): string[] {
  const tokens: string[] = [];
  for (const word of pySplit(sentence)) {
    const chars = codePoints(word);
    if (chars.length === 1) {
      tokens.push(word);
    } else if (PUNCTUATION.has(chars[chars.length - 1])) {
      tokens.push(chars.slice(0, -1).join(""), chars[chars.length - 1]);
    } else if (PUNCTUATION.has(chars[0])) {
      tokens.push(chars[0], chars.slice(1).join(""));
    } else {
      tokens.push(word);
    }
  }
  return tokens;
}

/** One Counter per order: character orders 1..charOrder, then word orders 1..wordOrder. */
function extractNgrams(sentence: string, options: Resolved): Map<string, number>[] {
  const text = options.whitespace ? sentence : pySplit(sentence).join("");
  const chars = codePoints(text);
  const counters = Array.from({ length: options.charOrder }, () => new Map<string, number>());
  for (let i = 0; i < chars.length; i++) {
    let gram = "";
    for (let n = 1; n <= options.charOrder && i + n <= chars.length; n++) {
      gram += chars[i + n - 1];
      countInto(counters[n - 1], gram);
    }
  }
  if (options.wordOrder > 0) {
    const words = splitPunctuation(sentence);
    for (let n = 1; n <= options.wordOrder; n++) {
      const counter = new Map<string, number>();
      for (let i = 0; i + n <= words.length; i++) countInto(counter, words.slice(i, i + n).join(" "));
      counters.push(counter);
    }
  }
  return counters;
}

/** [hyp n-grams, ref n-grams, matches] for one order; hyp counts only where the reference has any. */
function matchStatistics(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let matches = 0;
  let hypCount = 0;
  for (const [gram, count] of hyp) {
    hypCount += count;
    const refCount = ref.get(gram);
    if (refCount !== undefined) matches += Math.min(count, refCount);
  }
  let refCount = 0;
  for (const count of ref.values()) refCount += count;
  return [ref.size > 0 ? hypCount : 0, refCount, matches];
}

/** sacrebleu's `CHRF._compute_f_score` over [hyp, ref, match] triples, one per order. */
export function chrfFromStatistics(stats: readonly number[], options: ChrfOptions = {}): number {
  const o = resolve(options);
  const order = o.charOrder + o.wordOrder;
  const eps = 1e-16;
  const factor = o.beta ** 2;
  let epsScore = 0;
  let effectiveOrder = 0;
  let avgPrecision = 0;
  let avgRecall = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = stats.slice(3 * i, 3 * i + 3);
    const precision = nHyp > 0 ? nMatch / nHyp : eps;
    const recall = nRef > 0 ? nMatch / nRef : eps;
    const denominator = factor * precision + recall;
    epsScore += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrecision += precision;
      avgRecall += recall;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * epsScore) / order;
  if (effectiveOrder === 0) {
    avgPrecision = 0;
    avgRecall = 0;
  } else {
    avgPrecision /= effectiveOrder;
    avgRecall /= effectiveOrder;
  }
  if (avgPrecision + avgRecall === 0) return 0;
  let score = (1 + factor) * avgPrecision * avgRecall;
  score /= factor * avgPrecision + avgRecall;
  return 100 * score;
}

/** Statistics of one sentence against its references: those of the reference with the best F. */
export function chrfSentenceStatistics(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): number[] {
  if (references.length === 0) throw new Error("chrF: a sentence has no reference");
  const o = resolve(options);
  const prepare = (text: string) => (o.lowercase ? text.toLowerCase() : text);
  const hypNgrams = extractNgrams(prepare(hypothesis), o);
  let best: number[] = [];
  let bestScore = -1;
  for (const reference of references) {
    const refNgrams = extractNgrams(prepare(reference), o);
    const stats = hypNgrams.flatMap((counter, k) => matchStatistics(counter, refNgrams[k]));
    const score = chrfFromStatistics(stats, o);
    if (score > bestScore) {
      bestScore = score;
      best = stats;
    }
  }
  return best;
}

/** sacrebleu's `CHRF().corpus_score(hypotheses, referenceStreams)`. */
export function corpusChrf(
  hypotheses: readonly string[],
  referenceStreams: readonly (readonly (string | null | undefined)[])[],
  options: ChrfOptions = {},
): number {
  const o = resolve(options);
  for (const stream of referenceStreams) {
    if (stream.length !== hypotheses.length) {
      throw new Error(`chrF: ${hypotheses.length} hypotheses but a reference stream of ${stream.length}`);
    }
  }
  const summed = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  hypotheses.forEach((hypothesis, i) => {
    const refs = referenceStreams
      .map((stream) => stream[i])
      .filter((ref): ref is string => typeof ref === "string");
    const stats = chrfSentenceStatistics(hypothesis, refs, o);
    for (let k = 0; k < stats.length; k++) summed[k] += stats[k];
  });
  return chrfFromStatistics(summed, o);
}

/** sacrebleu's `CHRF().sentence_score(hypothesis, references)`. */
export function sentenceChrf(
  hypothesis: string,
  references: readonly string[],
  options: ChrfOptions = {},
): number {
  return chrfFromStatistics(chrfSentenceStatistics(hypothesis, references, options), options);
}
