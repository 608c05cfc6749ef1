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
 * Speed: finding the matching pieces is the costly part and depends only on the text, so it is
 * cached per word (a run of "▁" followed by non-"▁" characters, which no piece can straddle; this
 * is checked when the model loads). The dynamic programme itself still runs over the whole
 * sentence, so cached and uncached results are identical bit for bit.
 */
import { PieceType } from "./model-proto.js";
import type { Segmentation, Segmenter } from "./segmenter.js";
import type { Vocabulary } from "./vocabulary.js";
import { splitWords, WordCache } from "./words.js";

const FLT_MIN = 1.1754943508222875e-38;
const UNK_PENALTY = 10;

/** Pieces that match inside one word, grouped by start character. */
interface WordLattice {
  /** Offsets (code units, relative to the word) of each character start, plus the word length. */
  readonly charStarts: Int32Array;
  /** For character k, its edges are edgeEnd/edgeId[edgeFrom[k] .. edgeFrom[k + 1]), shortest first. */
  readonly edgeFrom: Int32Array;
  readonly edgeEnd: Int32Array;
  readonly edgeId: Int32Array;
}

export class UnigramSegmenter implements Segmenter {
  /** Score added on the double path for each id (user-defined pieces get their bonus here). */
  private readonly pathScore: Float64Array;
  private readonly unkScore: number;
  private readonly cache: WordCache<WordLattice>;
  private bestScore = new Float32Array(0);
  private bestStart = new Int32Array(0);
  private bestId = new Int32Array(0);

  constructor(
    private readonly vocab: Vocabulary,
    private readonly boundary: string | null,
  ) {
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
    this.cache = new WordCache<WordLattice>();
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

    const visitWord = (wordStart: number, lattice: WordLattice) => {
      const { charStarts, edgeFrom, edgeEnd, edgeId } = lattice;
      const chars = charStarts.length - 1;
      for (let k = 0; k < chars; k++) {
        const start = wordStart + charStarts[k];
        const charEnd = wordStart + charStarts[k + 1];
        const till = bestScore[start];
        let hasSingle = false;
        for (let e = edgeFrom[k]; e < edgeFrom[k + 1]; e++) {
          const end = wordStart + edgeEnd[e];
          const id = edgeId[e];
          const candidate = pathScore[id] + till;
          if (bestStart[end] === -1 || candidate > bestScore[end]) {
            bestScore[end] = candidate;
            bestStart[end] = start;
            bestId[end] = id;
          }
          if (end === charEnd) hasSingle = true;
        }
        if (!hasSingle) {
          const candidate = Math.fround(unkScore + till);
          if (bestStart[charEnd] === -1 || candidate > bestScore[charEnd]) {
            bestScore[charEnd] = candidate;
            bestStart[charEnd] = start;
            bestId[charEnd] = unkId;
          }
        }
      }
    };

    if (this.boundary === null) {
      visitWord(0, this.buildLattice(normalized));
    } else {
      splitWords(normalized, this.boundary, (start, end) => {
        const word = normalized.slice(start, end);
        visitWord(
          start,
          this.cache.get(word, () => this.buildLattice(word)),
        );
      });
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

  /** All usable pieces matching inside `word`, by start character, shortest first. */
  private buildLattice(word: string): WordLattice {
    const len = word.length;
    const charStarts: number[] = [];
    for (let i = 0; i < len; ) {
      charStarts.push(i);
      i += isPairAt(word, i) ? 2 : 1;
    }
    charStarts.push(len);
    const edgeFrom = new Int32Array(charStarts.length);
    const edgeEnd: number[] = [];
    const edgeId: number[] = [];
    const pieces = this.vocab.textPieces;
    const maxLength = this.vocab.maxPieceLength;
    const types = this.vocab.types;
    for (let k = 0; k + 1 < charStarts.length; k++) {
      edgeFrom[k] = edgeEnd.length;
      const start = charStarts[k];
      const limit = Math.min(len, start + maxLength);
      for (let j = k + 1; j < charStarts.length && charStarts[j] <= limit; j++) {
        const end = charStarts[j];
        const id = pieces.get(word.slice(start, end));
        if (id !== undefined && types[id] !== PieceType.UNUSED) {
          edgeEnd.push(end);
          edgeId.push(id);
        }
      }
    }
    edgeFrom[charStarts.length - 1] = edgeEnd.length;
    return {
      charStarts: Int32Array.from(charStarts),
      edgeFrom,
      edgeEnd: Int32Array.from(edgeEnd),
      edgeId: Int32Array.from(edgeId),
    };
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
