/**
 * The LCM paper's two summary-shape metrics, computed on WORD n-grams (words.ts):
 *
 * - OVL-3, source copying: the share of the output's distinct 3-grams that also occur in the source.
 *   0 = nothing copied (fully abstractive), 1 = every output 3-gram is in the source (extractive).
 * - REP-4, repetition: the share of the output's 4-gram occurrences that repeat an earlier 4-gram,
 *   1 - distinct/total (Welleck et al. 2019's seq-rep-n). 0 = no repetition.
 * Both are 0 for an output too short to have such n-grams. N-grams run across sentence boundaries (as in
 * the usual "novel n-gram" statistics), so an extractive summary of non-adjacent sentences scores a
 * little below 1: the joins are new 3-grams (the centroid baseline on BBC News: 0.96).
 *
 * How this differs from the reference code (facebookresearch/large_concept_model,
 * lcm/evaluation/metrics/common.py `ngram_score`), and why:
 * - It passes the raw strings to `get_all_ngrams`, which iterates a string character by character, so
 *   its n-grams are CHARACTER 1..4-grams: nearly every short character n-gram of a summary occurs in a
 *   news article, which makes its "overlap" and "repetition" measure spelling, not copying. We use
 *   words, as the paper's names (3-gram overlap, 4-gram repetition) describe.
 * - It mixes all orders 1..4 in one pool for both metrics; we use exactly n = 3 and n = 4.
 * - Its overlap divides by the number of distinct SOURCE n-grams, which shrinks with document length
 *   and so is not comparable across documents; we divide by the output's, which reads as "how much of
 *   the summary is copied". Its repetition is total/distinct - 1 (unbounded); ours is bounded in [0, 1).
 * Numbers are therefore not comparable with the reference code's; they are comparable across systems
 * evaluated here, which is what the baselines in `lcm eval summarization` are for.
 */
import { ngrams, wordTokens } from "./words.js";

/** OVL-n on tokens: distinct output n-grams found in the source / distinct output n-grams. */
export function sourceOverlap(output: readonly string[], source: readonly string[], n = 3): number {
  const outputGrams = new Set(ngrams(output, n));
  if (outputGrams.size === 0) return 0;
  const sourceGrams = new Set(ngrams(source, n));
  let copied = 0;
  for (const gram of outputGrams) if (sourceGrams.has(gram)) copied++;
  return copied / outputGrams.size;
}

/** REP-n on tokens: 1 - distinct n-grams / n-gram occurrences. */
export function repetitionRate(output: readonly string[], n = 4): number {
  const grams = ngrams(output, n);
  if (grams.length === 0) return 0;
  return 1 - new Set(grams).size / grams.length;
}

/** OVL-3 and REP-4 of a text output against its source text. */
export function copyAndRepetition(output: string, source: string): { ovl3: number; rep4: number } {
  const outputTokens = wordTokens(output);
  return { ovl3: sourceOverlap(outputTokens, wordTokens(source), 3), rep4: repetitionRate(outputTokens, 4) };
}
