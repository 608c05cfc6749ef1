/**
 * BPE segmentation as SentencePiece does it (bpe_model.cc): start from characters (user-defined
 * symbols stay whole and never merge), then repeatedly merge the adjacent pair whose concatenation
 * is the highest-scoring piece, leftmost first on ties, until no adjacent pair forms a piece.
 * Merged pieces of type UNUSED are split back into the two pieces they were made from.
 *
 * Pair lookups walk the flat piece trie over the text, so no substrings are built. (Segmenting word
 * by word, or caching per word, measured no faster here: a string-keyed Map lookup per word costs
 * about as much as segmenting the word.)
 */
import type { Segmentation, Segmenter } from "./segmenter.js";
import type { Vocabulary } from "./vocabulary.js";

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

export class BpeSegmenter implements Segmenter {
  private readonly scores: Float32Array;

  constructor(private readonly vocab: Vocabulary) {
    this.scores = Float32Array.from(vocab.pieces, (p) => p.score);
  }

  segment(normalized: string): Segmentation {
    const out: Segmentation = { ids: [], ends: [] };
    this.segmentRange(normalized, 0, normalized.length, out);
    return out;
  }

  /** Segments text[from, to) and appends its pieces to `out`. */
  private segmentRange(text: string, from: number, to: number, out: Segmentation): void {
    const vocab = this.vocab;
    const trie = vocab.trie;
    const scores = this.scores;
    // Symbols as [start, length] over `text`; length 0 marks a symbol merged into its left neighbour.
    const starts: number[] = [];
    const lengths: number[] = [];
    const frozen: boolean[] = [];
    for (let i = from; i < to; ) {
      let n = vocab.userSymbols.match(text, i);
      const isUser = n > 0;
      if (!isUser) n = isPairAt(text, i) ? 2 : 1;
      starts.push(i);
      lengths.push(n);
      frozen.push(isUser);
      i += n;
    }
    const count = starts.length;
    const prev: number[] = [];
    const next: number[] = [];
    for (let k = 0; k < count; k++) {
      prev.push(k - 1);
      next.push(k + 1 < count ? k + 1 : -1);
    }
    const queue = new PairQueue();
    // Pieces of type UNUSED that were formed, with the two pieces they came from.
    let unmerge: Map<string, [string, string]> | null = null;

    const maybeAddPair = (left: number, right: number) => {
      if (left === -1 || right === -1 || frozen[left] || frozen[right]) return;
      const size = lengths[left] + lengths[right];
      const id = trie.lookup(text, starts[left], starts[left] + size);
      if (id < 0) return;
      queue.push({ left, right, score: scores[id], size });
      if (vocab.isUnused(id)) {
        unmerge ??= new Map();
        unmerge.set(text.slice(starts[left], starts[left] + size), [
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

    const emit = (start: number, piece: string) => {
      const id = vocab.pieceToId(piece);
      const split = unmerge !== null && vocab.isUnused(id) ? unmerge.get(piece) : undefined;
      if (split === undefined) {
        out.ids.push(id);
        out.ends.push(start + piece.length);
        return;
      }
      emit(start, split[0]);
      emit(start + split[0].length, split[1]);
    };
    for (let k = count > 0 ? 0 : -1; k !== -1; k = next[k]) {
      const start = starts[k];
      const length = lengths[k];
      // Common case first: the symbol is a text piece (or a user symbol); no substring needed.
      const id = trie.lookup(text, start, start + length);
      if (id >= 0 && !vocab.isUnused(id) && !vocab.textShadowsReserved) {
        out.ids.push(id);
        out.ends.push(start + length);
      } else {
        emit(start, text.slice(start, start + length));
      }
    }
  }
}

function isPairAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}
