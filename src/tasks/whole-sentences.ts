/**
 * Sentences the 256-character cap cut into pieces, put back together for grounded rendering, so a
 * reader is shown whole source sentences, never a piece that starts mid-sentence (a quarter of a
 * book's sentences are cut).
 *
 * The outline does not record which concepts are pieces of one sentence (pieces are concepts of their
 * own: the model works on them), so the pieces are recognised: a run of consecutive sentences whose
 * source spans are at most one character apart (a space or a wrapped line, never a blank line), where
 * every sentence but the last ends without sentence-final punctuation, and which together are longer
 * than the cap (no sentence the cap left whole is).
 */

import type { SourceLocation } from "../inputs/source-locations.js";
import type { GroundingIndex } from "./grounding.js";
import type { Grounding } from "./task-types.js";

export interface PieceSentence {
  text: string;
  span: readonly [number, number] | null;
  location?: SourceLocation;
}

export interface WholeSentences {
  /** For each sentence, the index of the first piece of the sentence it belongs to (itself if whole). */
  readonly first: readonly number[];
  /**
   * The whole sentence a first piece starts (the pieces' texts joined with spaces); any other
   * sentence's own text, so `text(i)` is what grounding on sentence i shows.
   */
  text(first: number): string;
  /** Its source span, from the first piece's start to the last piece's end. */
  span(first: number): [number, number] | null;
  /** Where it starts in the file the user has (its first piece's location), for converted documents. */
  location(first: number): SourceLocation | undefined;
}

const SENTENCE_END = /[.!?\u2026\u3002\uFF01\uFF1F\u061F\u0964\u0965\u1362][\s"'\u201D\u2019\u00BB)\]]*$/u;

export function wholeSentences(sentences: readonly PieceSentence[], maxChars: number): WholeSentences {
  const first = sentences.map((_, i) => i);
  const last = sentences.map((_, i) => i);
  let i = 0;
  while (i < sentences.length) {
    let j = i;
    while (j + 1 < sentences.length && continues(sentences[j], sentences[j + 1])) j++;
    if (j > i && totalLength(sentences, i, j) > maxChars) {
      for (let k = i; k <= j; k++) first[k] = i;
      last[i] = j;
    }
    i = j + 1;
  }
  return {
    first,
    text: (start) =>
      sentences
        .slice(start, last[start] + 1)
        .map((s) => s.text)
        .join(" "),
    span: (start) => {
      const a = sentences[start].span;
      const b = sentences[last[start]].span;
      return a && b ? [a[0], b[1]] : null;
    },
    location: (start) => sentences[start].location,
  };
}

function continues(a: PieceSentence, b: PieceSentence): boolean {
  if (!a.span || !b.span) return false;
  const gap = b.span[0] - a.span[1];
  return gap >= 0 && gap <= 1 && !SENTENCE_END.test(a.text);
}

function totalLength(sentences: readonly PieceSentence[], from: number, to: number): number {
  let n = to - from;
  for (let k = from; k <= to; k++) n += sentences[k].text.length;
  return n;
}

/**
 * The `wanted` source sentences nearest a concept, whole: `index` holds the concepts of `members`
 * (source indices); pieces of one sentence count once, as its first piece, at its best piece's score.
 * Twice as many neighbours are looked up, so pieces sharing a sentence do not leave the list short.
 */
export function nearestWhole(
  index: GroundingIndex,
  query: Float32Array,
  members: readonly number[],
  whole: WholeSentences,
  wanted: number,
): Grounding[] {
  const seen = new Set<number>();
  const out: Grounding[] = [];
  for (const m of index.nearest(query, 2 * wanted)) {
    const first = whole.first[members[m.index]];
    if (seen.has(first)) continue;
    seen.add(first);
    const location = whole.location(first);
    out.push({ index: first, score: m.score, span: whole.span(first), ...(location && { location }) });
    if (out.length === wanted) break;
  }
  return out;
}
