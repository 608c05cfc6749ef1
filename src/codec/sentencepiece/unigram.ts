/**
 * Unigram segmentation: the Viterbi best path through all pieces that match the normalized text,
 * reproducing SentencePiece's optimized encoder (unigram_model.cc, EncodeOptimized) down to its
 * float arithmetic and tie-breaking:
 *  - path scores are stored as float32; a candidate is `score + best_so_far` computed in double
 *    for pieces (the piece score is promoted to double by the user-symbol branch) and in float32
 *    for the unknown-character fallback;
 *  - a candidate replaces the stored best only when strictly greater, visiting start positions left
 *    to right and, per start, shorter pieces first, then the unknown fallback;
 *  - a user-defined piece scores `bytes * max_score - 0.1` (max_score is at least FLT_MIN), so it
 *    practically always wins;
 *  - a character with no single-character piece gets an <unk> edge scored `min_score - 10`.
 *
 * Speed: the matching pieces at each position come from a flat code-unit trie walk (no substrings
 * are built), so a sentence costs one pass of short trie walks plus the dynamic programme.
 */
import { PieceType } from "./model-proto.js";
import type { PieceTrie } from "./piece-trie.js";
import type { Segmentation, Segmenter } from "./segmenter.js";
import type { Vocabulary } from "./vocabulary.js";

const FLT_MIN = 1.1754943508222875e-38;
const UNK_PENALTY = 10;

const UNUSED: number = PieceType.UNUSED;

export class UnigramSegmenter implements Segmenter {
  /** Score added on the double path for each id (user-defined pieces get their bonus here). */
  private readonly pathScore: Float64Array;
  private readonly unkScore: number;
  private readonly trie: PieceTrie;
  private bestScore = new Float32Array(0);
  private bestStart = new Int32Array(0);
  private bestId = new Int32Array(0);

  constructor(private readonly vocab: Vocabulary) {
    this.trie = vocab.trie;
    let minScore = 3.4028234663852886e38;
    let maxScore = FLT_MIN;
    vocab.pieces.forEach((p) => {
      if (p.type === PieceType.NORMAL) {
        minScore = Math.min(minScore, p.score);
        maxScore = Math.max(maxScore, p.score);
      }
    });
    this.unkScore = Math.fround(minScore - UNK_PENALTY);
    this.pathScore = new Float64Array(vocab.size);
    vocab.pieces.forEach((p, id) => {
      this.pathScore[id] =
        p.type === PieceType.USER_DEFINED ? Math.fround(utf8Length(p.piece) * maxScore) - 0.1 : p.score;
    });
  }

  segment(normalized: string): Segmentation {
    const size = normalized.length;
    if (size === 0) return { ids: [], ends: [] };
    this.ensureCapacity(size + 1);
    const bestScore = this.bestScore;
    const bestStart = this.bestStart;
    const bestId = this.bestId;
    bestStart.fill(-1, 0, size + 1);
    bestScore[0] = 0;
    const unkId = this.vocab.unkId;
    const unkScore = this.unkScore;
    const pathScore = this.pathScore;

    const trie = this.trie;
    const types = this.vocab.types;
    for (let start = 0; start < size; ) {
      const charEnd = start + (isPairAt(normalized, start) ? 2 : 1);
      const till = bestScore[start];
      let hasSingle = false;
      let node = 0;
      for (let i = start; i < size; ) {
        node = trie.next(node, normalized.charCodeAt(i++));
        if (node === 0) break;
        const id = trie.idAtNode(node);
        if (id < 0 || types[id] === UNUSED) continue;
        const candidate = pathScore[id] + till;
        if (bestStart[i] === -1 || candidate > bestScore[i]) {
          bestScore[i] = candidate;
          bestStart[i] = start;
          bestId[i] = id;
        }
        if (i === charEnd) hasSingle = true;
      }
      if (!hasSingle) {
        const candidate = Math.fround(unkScore + till);
        if (bestStart[charEnd] === -1 || candidate > bestScore[charEnd]) {
          bestScore[charEnd] = candidate;
          bestStart[charEnd] = start;
          bestId[charEnd] = unkId;
        }
      }
      start = charEnd;
    }

    const ids: number[] = [];
    const ends: number[] = [];
    for (let end = size; end > 0; end = bestStart[end]) {
      ids.push(bestId[end]);
      ends.push(end);
    }
    ids.reverse();
    ends.reverse();
    return { ids, ends };
  }

  private ensureCapacity(n: number): void {
    if (this.bestScore.length >= n) return;
    const size = Math.max(n, this.bestScore.length * 2, 256);
    this.bestScore = new Float32Array(size);
    this.bestStart = new Int32Array(size);
    this.bestId = new Int32Array(size);
  }
}

function isPairAt(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) return false;
  const next = text.charCodeAt(i + 1);
  return next >= 0xdc00 && next <= 0xdfff;
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) n += 1;
    else if (unit < 0x800) n += 2;
    else if (isPairAt(text, i)) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
