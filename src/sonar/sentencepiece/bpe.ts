/**
 * BPE segmentation as SentencePiece does it (bpe_model.cc): start from characters (user-defined
 * symbols stay whole and never merge), then repeatedly merge the adjacent pair whose concatenation
 * is the highest-scoring piece, leftmost first on ties, until no adjacent pair forms a piece.
 * Merged pieces of type UNUSED are split back into the two pieces they were made from.
 *
 * Results are cached per word when the vocabulary allows it (see words.ts): merges never cross a
 * word start, and the merge order inside a word does not depend on other words.
 */
import type { Segmentation, Segmenter } from "./segmenter.js";
import type { Vocabulary } from "./vocabulary.js";
import { splitWords, WordCache } from "./words.js";

interface Pair {
  left: number;
  right: number;
  score: number;
  /** Length (code units) of the merged piece; a stale pair no longer adds up to it. */
  size: number;
}

/** Max-heap on score, then on the smaller left index (SentencePiece's SymbolPairComparator). */
class PairQueue {
  private readonly heap: Pair[] = [];

  get length(): number {
    return this.heap.length;
  }

  private static before(a: Pair, b: Pair): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(pair: Pair): void {
    const heap = this.heap;
    heap.push(pair);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!PairQueue.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  pop(): Pair {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && PairQueue.before(heap[l], heap[best])) best = l;
        if (r < heap.length && PairQueue.before(heap[r], heap[best])) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best], heap[i]];
        i = best;
      }
    }
    return top;
  }
}

interface WordResult {
  readonly ids: Int32Array;
  /** Piece lengths in code units. */
  readonly lengths: Int32Array;
}

export class BpeSegmenter implements Segmenter {
  private readonly cache = new WordCache<WordResult>();

  constructor(
    private readonly vocab: Vocabulary,
    private readonly boundary: string | null,
  ) {}

  segment(normalized: string): Segmentation {
    const ids: number[] = [];
    const ends: number[] = [];
    const append = (start: number, result: WordResult) => {
      let end = start;
      for (let k = 0; k < result.ids.length; k++) {
        end += result.lengths[k];
        ids.push(result.ids[k]);
        ends.push(end);
      }
    };
    if (this.boundary === null) {
      append(0, this.segmentWord(normalized));
    } else {
      splitWords(normalized, this.boundary, (start, end) => {
        const word = normalized.slice(start, end);
        append(
          start,
          this.cache.get(word, () => this.segmentWord(word)),
        );
      });
    }
    return { ids, ends };
  }

  private segmentWord(text: string): WordResult {
    const vocab = this.vocab;
    const pieces = vocab.textPieces;
    // Symbols as [start, length] over `text`; length 0 marks a symbol merged into its left neighbour.
    const starts: number[] = [];
    const lengths: number[] = [];
    const frozen: boolean[] = [];
    for (let i = 0; i < text.length; ) {
      let n = vocab.userSymbols.match(text, i);
      const isUser = n > 0;
      if (!isUser) n = isPairAt(text, i) ? 2 : 1;
      starts.push(i);
      lengths.push(n);
      frozen.push(isUser);
      i += n;
    }
    const count = starts.length;
    const prev = Array.from({ length: count }, (_, k) => k - 1);
    const next = Array.from({ length: count }, (_, k) => (k + 1 < count ? k + 1 : -1));
    const queue = new PairQueue();
    // Pieces of type UNUSED that were formed, with the two pieces they came from.
    const unmerge = new Map<string, [string, string]>();

    const maybeAddPair = (left: number, right: number) => {
      if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
      const size = lengths[left] + lengths[right];
      const piece = text.slice(starts[left], starts[left] + size);
      const id = pieces.get(piece);
      if (id === undefined) return;
      queue.push({ left, right, score: vocab.pieces[id].score, size });
      if (vocab.isUnused(id)) {
        unmerge.set(piece, [
          text.slice(starts[left], starts[left] + lengths[left]),
          text.slice(starts[right], starts[right] + lengths[right]),
        ]);
      }
    };

    for (let k = 1; k < count; k++) maybeAddPair(k - 1, k);
    while (queue.length > 0) {
      const top = queue.pop();
      const { left, right } = top;
      if (lengths[left] === 0 || lengths[right] === 0 || lengths[left] + lengths[right] !== top.size)
        continue;
      lengths[left] += lengths[right];
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      lengths[right] = 0;
      maybeAddPair(prev[left], left);
      maybeAddPair(left, next[left]);
    }

    const ids: number[] = [];
    const outLengths: number[] = [];
    const emit = (piece: string) => {
      const id = vocab.pieceToId(piece);
      const split = vocab.isUnused(id) ? unmerge.get(piece) : undefined;
      if (split === undefined) {
        ids.push(id);
        outLengths.push(piece.length);
        return;
      }
      emit(split[0]);
      emit(split[1]);
    };
    for (let k = count > 0 ? 0 : -1; k !== -1; k = next[k]) {
      emit(text.slice(starts[k], starts[k] + lengths[k]));
    }
    return { ids: Int32Array.from(ids), lengths: Int32Array.from(outLengths) };
  }
}

function isPairAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
