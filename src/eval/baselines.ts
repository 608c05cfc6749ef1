/**
 * Reference points for summary scores, computed on the same data so a system's numbers can be read
 * against them:
 *
 * - Lead-k: the first k sentences of the document (the document as given, so a headline on its own
 *   paragraph counts as a sentence).
 * - Centroid (extractive): Radev et al.'s centroid summarizer over TF-IDF bag-of-words vectors. Each
 *   sentence is a TF-IDF vector of its word tokens (words.ts), with IDF from the whole evaluation set
 *   (each document is one "document": idf = ln((1 + N) / (1 + df)) + 1); the centroid is the sum of the
 *   document's sentence vectors. Sentences are ranked by cosine to the centroid and taken greedily,
 *   skipping any whose cosine to an already chosen sentence exceeds 0.8 (redundancy), until k are
 *   chosen; they are output in document order. No training, no randomness.
 *
 * k defaults to the median number of sentences in the reference summaries (see `medianSentenceCount`).
 */
import { splitSentences } from "./sentences.js";
import { wordTokens } from "./words.js";

export const REDUNDANCY_THRESHOLD = 0.8;

export function leadBaseline(document: string, k: number, lang?: string): string[] {
  return splitSentences(document, lang).slice(0, k);
}

/** Document frequencies over a collection, for IDF. */
export class IdfTable {
  private readonly df = new Map<string, number>();
  private documents = 0;

  static fromDocuments(documents: Iterable<string>): IdfTable {
    const table = new IdfTable();
    for (const document of documents) table.add(document);
    return table;
  }

  add(document: string): void {
    this.documents++;
    for (const token of new Set(wordTokens(document))) this.df.set(token, (this.df.get(token) ?? 0) + 1);
  }

  /** Smoothed IDF (scikit-learn's `smooth_idf`): unseen words get the highest weight, never zero. */
  idf(token: string): number {
    return Math.log((1 + this.documents) / (1 + (this.df.get(token) ?? 0))) + 1;
  }
}

type SparseVector = Map<string, number>;

function tfidf(tokens: readonly string[], idf: IdfTable): SparseVector {
  const vector: SparseVector = new Map();
  for (const token of tokens) vector.set(token, (vector.get(token) ?? 0) + 1);
  for (const [token, tf] of vector) vector.set(token, tf * idf.idf(token));
  return vector;
}

function cosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [token, value] of a) {
    na += value * value;
    const other = b.get(token);
    if (other !== undefined) dot += value * other;
  }
  for (const value of b.values()) nb += value * value;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

export function centroidBaseline(document: string, k: number, idf: IdfTable, lang?: string): string[] {
  const sentences = splitSentences(document, lang);
  const vectors = sentences.map((sentence) => tfidf(wordTokens(sentence), idf));
  const centroid: SparseVector = new Map();
  for (const vector of vectors)
    for (const [token, value] of vector) centroid.set(token, (centroid.get(token) ?? 0) + value);
  const ranked = sentences
    .map((_, i) => ({ i, score: cosine(vectors[i], centroid) }))
    .sort((a, b) => b.score - a.score || a.i - b.i);
  const chosen: number[] = [];
  for (const { i } of ranked) {
    if (chosen.length >= k) break;
    if (vectors[i].size === 0) continue;
    if (chosen.some((j) => cosine(vectors[i], vectors[j]) > REDUNDANCY_THRESHOLD)) continue;
    chosen.push(i);
  }
  return chosen.sort((a, b) => a - b).map((i) => sentences[i]);
}

/** Median sentence count of reference summaries (each in its own language), rounded half up, at least 1. */
export function medianSentenceCount(references: Iterable<{ text: string; lang?: string }>): number {
  const counts = [...references].map((r) => splitSentences(r.text, r.lang).length).sort((a, b) => a - b);
  if (counts.length === 0) return 1;
  const mid = Math.floor(counts.length / 2);
  const median = counts.length % 2 === 1 ? counts[mid] : (counts[mid - 1] + counts[mid]) / 2;
  return Math.max(1, Math.round(median));
}
