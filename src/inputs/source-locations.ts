/**
 * Where a piece of a converted document came from in the file the user has: a page of a PDF, a chapter
 * (and the element inside it) of an EPUB, an element of a web page, a paragraph of a Word document.
 * Spans index the converted Markdown text, which the user never sees; a location is what leads them
 * back to the original ("p. 12", "ch. 3 Down the Rabbit-Hole").
 *
 * A converter records a SourceMap: the offset in its output where each located block starts, in
 * order. The location of any span is then the entry at or before the span's start (a binary search),
 * so the outline, summaries, the TUI and the server all ask the same question the same way and
 * nothing has to be stored per concept.
 */
import type { Span } from "../planner/outline.js";

export interface SourceLocation {
  /** PDF: the 1-based page number. */
  page?: number;
  /** EPUB: the chapter's number in reading order (1-based) and its title (or file name). */
  chapter?: number;
  chapterTitle?: string;
  /** EPUB: the chapter's file inside the book. */
  file?: string;
  /** HTML and EPUB: the element path from the page's body (or article), e.g. `article > p[3]`. */
  path?: string;
  /** Word: the 1-based number of the body paragraph (headings and list items count). */
  paragraph?: number;
}

/** Located blocks in the order of their start offsets in the converted text. */
export type SourceMap = readonly { readonly start: number; readonly location: SourceLocation }[];

/** The location of the block a span (or an offset) starts in; undefined before the first block. */
export function locate(map: SourceMap | undefined, at: Span | number | null): SourceLocation | undefined {
  if (!map || map.length === 0 || at === null) return undefined;
  const offset = typeof at === "number" ? at : at[0];
  let lo = 0;
  let hi = map.length - 1;
  if (map[0].start > offset) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return map[lo].location;
}

/** A location as JSON writes it (snake_case, as every JSON lcm writes). */
export function locationJson(location: SourceLocation): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  if (location.page !== undefined) out.page = location.page;
  if (location.chapter !== undefined) out.chapter = location.chapter;
  if (location.chapterTitle !== undefined) out.chapter_title = location.chapterTitle;
  if (location.file !== undefined) out.file = location.file;
  if (location.path !== undefined) out.path = location.path;
  if (location.paragraph !== undefined) out.paragraph = location.paragraph;
  return out;
}

/** A short label for inline markers and panes: "p. 12", "ch. 3 › section > p[2]", "¶ 41". */
export function locationLabel(location: SourceLocation): string {
  const parts: string[] = [];
  if (location.page !== undefined) parts.push(`p. ${location.page}`);
  if (location.chapter !== undefined) parts.push(`ch. ${location.chapter}`);
  if (location.path) parts.push(location.path);
  if (location.paragraph !== undefined) parts.push(`¶ ${location.paragraph}`);
  return parts.join(" › ");
}

/** A longer description for a pane header: the chapter's title and file as well. */
export function locationDescription(location: SourceLocation): string {
  const parts: string[] = [];
  if (location.page !== undefined) parts.push(`page ${location.page}`);
  if (location.chapter !== undefined) {
    const title = location.chapterTitle ? ` "${location.chapterTitle}"` : "";
    parts.push(`chapter ${location.chapter}${title}${location.file ? ` (${location.file})` : ""}`);
  }
  if (location.path) parts.push(location.path);
  if (location.paragraph !== undefined) parts.push(`paragraph ${location.paragraph}`);
  return parts.join(", ");
}

/** The entries of a converted part, moved to where the part starts in the whole text. */
export function shiftSourceMap(
  map: SourceMap,
  by: number,
  extra: SourceLocation = {},
): { start: number; location: SourceLocation }[] {
  return map.map((e) => ({ start: e.start + by, location: { ...extra, ...e.location } }));
}
