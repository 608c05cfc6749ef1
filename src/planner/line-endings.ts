/**
 * Markdown lexing wants LF line ends (marked rewrites CRLF and lone CR to LF itself), but spans must
 * index the document as the user gave it. `toLf` returns the LF text and a map back to the original.
 */

export interface LfText {
  /** The text with every CRLF and lone CR turned into LF. */
  readonly text: string;
  /** Original offset of the character at LF offset `i` (`i === text.length` maps to the original end). */
  toOriginal(i: number): number;
}

export function toLf(original: string): LfText {
  if (!original.includes("\r")) return { text: original, toOriginal: (i) => i };
  // LF offsets of the newlines whose CR was dropped (CRLF pairs); a lone CR becomes LF in place.
  const dropped: number[] = [];
  const parts: string[] = [];
  let from = 0;
  let removed = 0;
  for (let i = original.indexOf("\r"); i >= 0; i = original.indexOf("\r", i + 1)) {
    if (original.charCodeAt(i + 1) === 10) {
      parts.push(original.slice(from, i));
      from = i + 1;
      removed++;
      dropped.push(i + 1 - removed);
    } else {
      parts.push(original.slice(from, i), "\n");
      from = i + 1;
    }
  }
  parts.push(original.slice(from));
  const positions = Int32Array.from(dropped);
  return {
    text: parts.join(""),
    toOriginal(i: number): number {
      // Characters at or after a dropped CR's newline shift by one for each such CR.
      let lo = 0;
      let hi = positions.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (positions[mid] <= i) lo = mid + 1;
        else hi = mid;
      }
      return i + lo;
    },
  };
}
