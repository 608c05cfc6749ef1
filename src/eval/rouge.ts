/**
 * ROUGE-N, ROUGE-L and ROUGE-Lsum as Google's `rouge-score` package computes them (its RougeScorer with
 * the DefaultTokenizer), matched to 1e-6 by test/eval-rouge.test.ts:
 * - tokens: lowercase, every run of characters outside [a-z0-9] becomes a space, split; with the stemmer,
 *   tokens longer than 3 characters go through the Porter stemmer (NLTK's, see porter.ts). Non-Latin text
 *   therefore has no tokens at all: ROUGE here is an English (ASCII) metric, exactly like the reference.
 * - ROUGE-N: clipped n-gram overlap; precision over the prediction's n-grams, recall over the target's.
 * - ROUGE-L: longest common subsequence over the whole token sequences.
 * - ROUGE-Lsum: summary-level LCS. Both texts are split on "\n" (empty lines dropped); for every target
 *   line the union of its LCS with each prediction line counts as hits, each token at most as often as it
 *   occurs on both sides. Callers that want sentence-level Lsum put one sentence per line first.
 * Scores are fractions in [0, 1], as rouge-score returns them.
 */
import { createPorterStemmer } from "./porter.js";
import { countInto } from "./python-text.js";

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** "rouge1".."rouge9", "rougeL", "rougeLsum": rouge-score's names. */
export type RougeType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}` | "rougeL" | "rougeLsum";

export const DEFAULT_ROUGE_TYPES: readonly RougeType[] = ["rouge1", "rouge2", "rougeL", "rougeLsum"];

export interface RougeOptions {
  types?: readonly RougeType[];
  /** Porter-stem tokens longer than 3 characters (rouge-score's `use_stemmer`). Default false, as there. */
  useStemmer?: boolean;
}

export type RougeScores = Partial<Record<RougeType, RougeScore>>;

const ZERO: RougeScore = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/** rouge-score's `scoring.fmeasure`. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

const sharedStemmer = createPorterStemmer();

/** rouge-score's DefaultTokenizer. */
export function rougeTokenize(text: string, useStemmer = false): string[] {
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ");
  const tokens: string[] = [];
  for (const word of words) {
    const token = useStemmer && word.length > 3 ? sharedStemmer(word) : word;
    if (token.length > 0) tokens.push(token);
  }
  return tokens;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  // Tokens never contain spaces, so a space-joined key is unambiguous.
  for (let i = 0; i + n <= tokens.length; i++) countInto(counts, tokens.slice(i, i + n).join(" "));
  return counts;
}

function scoreNgrams(target: readonly string[], prediction: readonly string[], n: number): RougeScore {
  const targetCounts = ngramCounts(target, n);
  const predictionCounts = ngramCounts(prediction, n);
  let overlap = 0;
  let targetTotal = 0;
  let predictionTotal = 0;
  for (const [gram, count] of targetCounts) {
    overlap += Math.min(count, predictionCounts.get(gram) ?? 0);
    targetTotal += count;
  }
  for (const count of predictionCounts.values()) predictionTotal += count;
  const precision = overlap / Math.max(predictionTotal, 1);
  const recall = overlap / Math.max(targetTotal, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The (|ref|+1) x (|can|+1) LCS length table, row-major. */
function lcsTable(ref: readonly string[], can: readonly string[]): Int32Array {
  const cols = can.length + 1;
  const table = new Int32Array((ref.length + 1) * cols);
  for (let i = 1; i <= ref.length; i++) {
    const row = i * cols;
    const above = row - cols;
    const token = ref[i - 1];
    for (let j = 1; j <= can.length; j++) {
      table[row + j] =
        token === can[j - 1] ? table[above + j - 1] + 1 : Math.max(table[above + j], table[row + j - 1]);
    }
  }
  return table;
}

function scoreLcs(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { ...ZERO };
  const table = lcsTable(target, prediction);
  const lcs = table[table.length - 1];
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/**
 * Indices into `ref` of one LCS with `can`. Which LCS matters for Lsum's union, so the walk breaks ties
 * exactly as rouge-score's `_backtrack_norec`: on a mismatch, step left only when that is strictly better.
 */
function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const table = lcsTable(ref, can);
  const cols = can.length + 1;
  const indices: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      indices.push(i - 1);
      i--;
      j--;
    } else if (table[i * cols + j - 1] > table[(i - 1) * cols + j]) {
      j--;
    } else {
      i--;
    }
  }
  return indices.reverse();
}

function summaryLevelLcs(targetLines: string[][], predictionLines: string[][]): RougeScore {
  if (targetLines.length === 0 || predictionLines.length === 0) return { ...ZERO };
  let m = 0;
  let n = 0;
  const targetCounts = new Map<string, number>();
  const predictionCounts = new Map<string, number>();
  for (const line of targetLines) {
    m += line.length;
    for (const token of line) countInto(targetCounts, token);
  }
  for (const line of predictionLines) {
    n += line.length;
    for (const token of line) countInto(predictionCounts, token);
  }
  if (m === 0 || n === 0) return { ...ZERO };

  let hits = 0;
  for (const ref of targetLines) {
    const union = new Set<number>();
    for (const can of predictionLines) for (const index of lcsIndices(ref, can)) union.add(index);
    const ordered = [...union].sort((a, b) => a - b);
    for (const index of ordered) {
      const token = ref[index];
      const left = predictionCounts.get(token) ?? 0;
      const right = targetCounts.get(token) ?? 0;
      // Each token is a hit at most as many times as it occurs on both sides (ROUGE 1.5.5 behaviour).
      if (left > 0 && right > 0) {
        hits++;
        predictionCounts.set(token, left - 1);
        targetCounts.set(token, right - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 0);
}

function ngramOrder(type: RougeType): number | null {
  const match = /^rouge([1-9])$/.exec(type);
  return match ? Number(match[1]) : null;
}

/** rouge-score's `RougeScorer(types, use_stemmer).score(target, prediction)`. */
export function scoreRouge(target: string, prediction: string, options: RougeOptions = {}): RougeScores {
  const types = options.types ?? DEFAULT_ROUGE_TYPES;
  const stem = options.useStemmer ?? false;
  const result: RougeScores = {};
  let targetTokens: string[] | undefined;
  let predictionTokens: string[] | undefined;
  const tokens = () => {
    targetTokens ??= rougeTokenize(target, stem);
    predictionTokens ??= rougeTokenize(prediction, stem);
    return [targetTokens, predictionTokens] as const;
  };
  for (const type of types) {
    if (type === "rougeL") {
      result[type] = scoreLcs(...tokens());
    } else if (type === "rougeLsum") {
      result[type] = summaryLevelLcs(
        lines(target).map((line) => rougeTokenize(line, stem)),
        lines(prediction).map((line) => rougeTokenize(line, stem)),
      );
    } else {
      const n = ngramOrder(type);
      if (n === null) throw new Error(`unknown ROUGE type '${type}'`);
      result[type] = scoreNgrams(...tokens(), n);
    }
  }
  return result;
}

/**
 * Several references: rouge-score's `score_multi`. For each ROUGE type independently, the reference with
 * the highest F-measure wins (the first one on ties), and its precision/recall/F are reported.
 */
export function scoreRougeMulti(targets: readonly string[], prediction: string, options: RougeOptions = {}) {
  if (targets.length === 0) throw new Error("scoreRougeMulti needs at least one reference");
  const types = options.types ?? DEFAULT_ROUGE_TYPES;
  const perTarget = targets.map((target) => scoreRouge(target, prediction, options));
  const best: RougeScores = {};
  for (const type of types) {
    let winner = perTarget[0][type]!;
    for (const scores of perTarget) if (scores[type]!.fmeasure > winner.fmeasure) winner = scores[type]!;
    best[type] = winner;
  }
  return best;
}
