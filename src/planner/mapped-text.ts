/**
 * Plain text that remembers where each of its characters came from. The planner hands the segmenter
 * clean prose (markup stripped, whitespace collapsed) yet must report every sentence's exact span in the
 * original document; this is the bridge.
 *
 * The mapping is stored as pieces, not per character: a new piece starts only where the offset between
 * plain and source changes (after a collapsed whitespace run, around stripped markup, at an entity).
 * Ordinary prose with single spaces is one piece, so a 50 MB paragraph costs a few numbers, not 400 MB.
 */
const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u1680\\u2000-\\u200a\\u2028\\u2029\\u205f\\u3000";
const NON_SPACE_SPACE = "\\t\\n\\v\\f\\r\\u0085\\u1680\\u2000-\\u200a\\u2028\\u2029\\u205f\\u3000";
/** Whitespace the plain text rewrites: runs, any whitespace but a plain space, a space at either edge. */
const REWRITTEN_SPACE = new RegExp(`[${SPACE}]{2,}|[${NON_SPACE_SPACE}]|^ | $`, "g");

export interface MappedText {
  /** Plain text: whitespace runs collapsed to one space, trimmed. */
  readonly text: string;
  /** Source offset where plain character `i` starts. */
  sourceStart(i: number): number;
  /** Source offset just after plain character `i` (a decoded `&amp;` covers all five source chars). */
  sourceEnd(i: number): number;
}

export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly piecePlain: number[] = [];
  private readonly pieceSource: number[] = [];
  /** -1: linear piece (plain char k maps to source start+k); otherwise the source end every char shares. */
  private readonly pieceWideEnd: number[] = [];
  /** A whitespace run (or line break markup) waiting to become one space: its source range. */
  private pendingSpaceAt = -1;
  private pendingSpaceEnd = -1;

  /** Appends source text as it is, collapsing whitespace; `sourceStart` is where it starts in the source. */
  appendSource(text: string, sourceStart: number): void {
    // Only whitespace that needs rewriting is matched (runs, line breaks, tabs, a space at either edge);
    // a single ordinary space between words stays inside the chunk, so plain prose stays one piece.
    let chunkStart = 0;
    REWRITTEN_SPACE.lastIndex = 0;
    for (let m = REWRITTEN_SPACE.exec(text); m; m = REWRITTEN_SPACE.exec(text)) {
      if (m.index > chunkStart) this.appendLinear(text.slice(chunkStart, m.index), sourceStart + chunkStart);
      chunkStart = m.index + m[0].length;
      this.appendSpace(sourceStart + m.index, sourceStart + chunkStart);
    }
    if (chunkStart < text.length) {
      this.appendLinear(chunkStart === 0 ? text : text.slice(chunkStart), sourceStart + chunkStart);
    }
  }

  /** Appends text that stands for the whole source range [sourceStart, sourceEnd), e.g. a decoded entity. */
  appendReplacement(text: string, sourceStart: number, sourceEnd: number): void {
    if (text.length === 0) return;
    this.flushSpace();
    this.pushPiece(sourceStart, sourceEnd);
    this.parts.push(text);
    this.length += text.length;
  }

  /** A word break over [sourceStart, sourceEnd): whitespace, or markup like a hard line break or `<br>`. */
  appendSpace(sourceStart: number, sourceEnd: number): void {
    if (this.pendingSpaceAt < 0) this.pendingSpaceAt = sourceStart;
    this.pendingSpaceEnd = Math.max(this.pendingSpaceEnd, sourceEnd);
  }

  get plainLength(): number {
    return this.length;
  }

  finish(): MappedText {
    const text = this.parts.length === 1 ? this.parts[0] : this.parts.join("");
    const plain = Int32Array.from(this.piecePlain);
    const source = Int32Array.from(this.pieceSource);
    const wideEnd = Int32Array.from(this.pieceWideEnd);
    const pieceOf = (i: number): number => {
      let lo = 0;
      let hi = plain.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (plain[mid] <= i) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    return {
      text,
      sourceStart(i: number): number {
        const k = pieceOf(i);
        return wideEnd[k] >= 0 ? source[k] : source[k] + (i - plain[k]);
      },
      sourceEnd(i: number): number {
        const k = pieceOf(i);
        return wideEnd[k] >= 0 ? wideEnd[k] : source[k] + (i - plain[k]) + 1;
      },
    };
  }

  private appendLinear(text: string, sourceStart: number): void {
    this.flushSpace();
    const last = this.piecePlain.length - 1;
    const continues =
      last >= 0 &&
      this.pieceWideEnd[last] < 0 &&
      this.pieceSource[last] + (this.length - this.piecePlain[last]) === sourceStart;
    if (!continues) this.pushPiece(sourceStart, -1);
    this.parts.push(text);
    this.length += text.length;
  }

  /** A pending whitespace run becomes one space, unless it would lead the text (trimmed). */
  private flushSpace(): void {
    const at = this.pendingSpaceAt;
    const end = this.pendingSpaceEnd;
    if (at < 0) return;
    this.pendingSpaceAt = -1;
    this.pendingSpaceEnd = -1;
    if (this.length === 0) return;
    if (end > at + 1) {
      // The space stands for the whole run, so a sentence after it starts right where the run ends.
      this.pushPiece(at, end);
    } else {
      const last = this.piecePlain.length - 1;
      const continues =
        this.pieceWideEnd[last] < 0 && this.pieceSource[last] + (this.length - this.piecePlain[last]) === at;
      if (!continues) this.pushPiece(at, -1);
    }
    this.parts.push(" ");
    this.length += 1;
  }

  private pushPiece(sourceStart: number, wideEnd: number): void {
    this.piecePlain.push(this.length);
    this.pieceSource.push(sourceStart);
    this.pieceWideEnd.push(wideEnd);
  }
}
