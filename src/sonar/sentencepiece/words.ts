/**
 * Word-level caching support. SentencePiece segments a whole sentence at once, but when no piece
 * can straddle the start of a whitespace-led word (no piece has a non-space character followed by
 * the whitespace symbol), a sentence's segmentation is the concatenation of its words' segmentations,
 * so per-word results can be cached. canSplitAtWords() checks that property for a vocabulary.
 */

/**
 * Calls `visit(start, end)` for each word of `text`: a maximal run of `boundary` characters followed
 * by a maximal run of other characters ("▁▁foo", "bar", "▁").
 */
export function splitWords(
  text: string,
  boundary: string,
  visit: (start: number, end: number) => void,
): void {
  const b = boundary.charCodeAt(0);
  const len = text.length;
  let i = 0;
  while (i < len) {
    const start = i;
    while (i < len && text.charCodeAt(i) === b) i++;
    while (i < len && text.charCodeAt(i) !== b) i++;
    visit(start, i);
  }
}

/** True when no piece contains `boundary` after a non-boundary character. */
export function canSplitAtWords(pieces: Iterable<string>, boundary: string): boolean {
  for (const piece of pieces) {
    let i = 0;
    while (i < piece.length && piece[i] === boundary) i++;
    if (piece.indexOf(boundary, i) !== -1) return false;
  }
  return true;
}

/** A bounded memo: cleared wholesale when full, which keeps it simple and its memory capped. */
export class WordCache<T> {
  private readonly map = new Map<string, T>();

  constructor(private readonly capacity = 100_000) {}

  get(word: string, compute: () => T): T {
    let value = this.map.get(word);
    if (value === undefined) {
      if (this.map.size >= this.capacity) this.map.clear();
      value = compute();
      this.map.set(word, value);
    }
    return value;
  }
}
