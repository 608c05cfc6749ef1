/**
 * Terminal text layout by display width: wide (CJK, full-width) characters take two columns, combining
 * marks and zero-width joiners none. Every line the TUI draws is cut or wrapped here, so a long
 * sentence or a line of Chinese never pushes a pane wider than it is (Ink would wrap it and shift the
 * whole layout). Widths come from string-width, the same measure Ink lays out with.
 *
 * Text is handled grapheme by grapheme (a flag, an emoji with modifiers or a letter with combining
 * accents is one unit), so a cut never splits a surrogate pair or strips an accent off its letter.
 */
import stringWidth from "string-width";

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** The grapheme clusters of `text`. */
export function graphemes(text: string): string[] {
  if (PRINTABLE_ASCII.test(text)) return text.split("");
  return Array.from(graphemeSegmenter.segment(text), (s) => s.segment);
}

/**
 * `text` cut to at most `width` columns; when something was cut, the end is replaced by `ellipsis`
 * (which counts towards the width).
 */
export function truncate(text: string, width: number, ellipsis = "…"): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  const room = width - displayWidth(ellipsis);
  if (room < 0) return takeColumns(text, width).text;
  return takeColumns(text, room).text + ellipsis;
}

/** `text` cut (with an ellipsis) or padded with spaces to exactly `width` columns. */
export function fitTo(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + " ".repeat(Math.max(0, width - displayWidth(cut)));
}

/** The longest prefix of `text` that fits in `width` columns, and its width. */
export function takeColumns(text: string, width: number): { text: string; width: number } {
  if (PRINTABLE_ASCII.test(text)) {
    const n = Math.min(text.length, Math.max(0, width));
    return { text: text.slice(0, n), width: n };
  }
  let out = "";
  let used = 0;
  for (const g of graphemes(text)) {
    const w = stringWidth(g);
    if (used + w > width) break;
    out += g;
    used += w;
  }
  return { text: out, width: used };
}

/** A wide character can be broken before or after; words of spaced scripts only at spaces. */
function isWide(grapheme: string): boolean {
  return stringWidth(grapheme) >= 2;
}

/**
 * Word-wraps one paragraph (no newlines) to lines of at most `width` columns. Breaks at spaces, and
 * between wide (CJK) characters, which need no spaces; a word longer than a line is cut where it must.
 * Spaces at a break are dropped. Always returns at least one line ("" for an empty paragraph).
 */
export function wrapParagraph(text: string, width: number): string[] {
  return wrapParagraphRanges(text, width).map(([start, end]) => text.slice(start, end));
}

/**
 * The same, as [start, end) ranges into `text` (UTF-16 offsets), so a caller can map spans (a
 * highlighted sentence) onto the wrapped lines.
 */
export function wrapParagraphRanges(text: string, width: number): [number, number][] {
  const w = Math.max(1, width);
  if (displayWidth(text) <= w) return [[0, text.length]];
  const units: { start: number; end: number; width: number; space: boolean; wide: boolean }[] = [];
  let offset = 0;
  for (const g of graphemes(text)) {
    units.push({
      start: offset,
      end: offset + g.length,
      width: displayWidth(g),
      space: g === " " || g === "\u3000",
      wide: isWide(g),
    });
    offset += g.length;
  }
  const lines: [number, number][] = [];
  let i = 0;
  while (i < units.length) {
    // Skip spaces at the start of a continuation line.
    if (lines.length > 0) while (i < units.length && units[i].space) i++;
    if (i >= units.length) break;
    let used = 0;
    let j = i;
    let lastBreak = -1; // index of the unit after which a break is allowed
    while (j < units.length && used + units[j].width <= w) {
      used += units[j].width;
      if (units[j].space || units[j].wide || (j + 1 < units.length && units[j + 1].wide)) lastBreak = j;
      j++;
    }
    if (j >= units.length) {
      lines.push([units[i].start, units[units.length - 1].end]);
      break;
    }
    let end = j; // exclusive unit index
    if (units[j].space) end = j;
    else if (lastBreak >= i) end = lastBreak + 1;
    if (end <= i) end = Math.max(i + 1, j); // a word longer than the line, or a unit wider than it
    let lineEnd = end;
    while (lineEnd > i && units[lineEnd - 1].space) lineEnd--;
    lines.push([units[i].start, lineEnd > i ? units[lineEnd - 1].end : units[i].start]);
    i = end;
  }
  return lines.length > 0 ? lines : [[0, 0]];
}

/** Wraps text with newlines: each line wrapped on its own; tabs become spaces. */
export function wrapText(text: string, width: number): string[] {
  return text
    .replace(/\t/g, "    ")
    .split(/\r?\n/)
    .flatMap((line) => wrapParagraph(line, width));
}

/** Groups digits in thousands: 12345 -> "12,345". */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
