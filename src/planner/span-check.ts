/**
 * Relating a concept's plain text back to its source span: used to split a concept with exact spans,
 * and by editors (and tests) to check that an outline still matches the document it came from.
 */
import { decodeEntity } from "./html-entities.js";
import { markdownStructure } from "./markdown-structure.js";
import {
  type Concept,
  type DocumentFormat,
  isCollapsibleSpace,
  normalizeText,
  type Span,
} from "./outline.js";

/**
 * Source offset of every character of `text` inside `source[span]`, matching in order: a space in the
 * text matches a whitespace run, other characters match themselves or an HTML entity that decodes to
 * them, and anything else in the source (Markdown markup, line prefixes like `> `) is skipped.
 * Returns null when the text does not fit the span.
 */
export function alignToSource(text: string, source: string, span: Span): Alignment | null {
  const [start, end] = span;
  const positions = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  let p = start;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      while (p < end && !isCollapsibleSpace(source.charCodeAt(p))) p++;
      if (p >= end) return null;
      positions[i] = p;
      while (p < end && isCollapsibleSpace(source.charCodeAt(p))) p++;
      ends[i] = p;
      continue;
    }
    let matched = false;
    while (p < end) {
      if (source.charCodeAt(p) === c) {
        positions[i] = p++;
        ends[i] = p;
        matched = true;
        break;
      }
      if (source.charCodeAt(p) === 38 /* & */) {
        const entity = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/.exec(
          source.slice(p, Math.min(end, p + 40)),
        );
        const decoded = entity ? decodeEntity(entity[0]) : null;
        if (entity && decoded && text.startsWith(decoded, i)) {
          for (let k = 0; k < decoded.length; k++) {
            positions[i + k] = p;
            ends[i + k] = p + entity[0].length;
          }
          i += decoded.length - 1;
          p += entity[0].length;
          matched = true;
          break;
        }
      }
      p++;
    }
    if (!matched) return null;
  }
  return { starts: positions, ends };
}

export interface Alignment {
  /** Source offset where each text character starts. */
  starts: Int32Array;
  /** Source offset just after each text character (an entity covers all its characters). */
  ends: Int32Array;
}

/**
 * Does the concept's text still come from its span? Plain text: the span's text, whitespace collapsed,
 * is exactly the concept's. Markdown: the span's text, read as Markdown, has exactly the concept's plain
 * text (so the span holds all of the sentence and its inline markup, and nothing else).
 */
export function conceptMatchesSource(concept: Concept, source: string, format: DocumentFormat): boolean {
  if (!concept.span || concept.rewritten) return false;
  const [start, end] = concept.span;
  if (start < 0 || end > source.length || end <= start) return false;
  const slice = source.slice(start, end);
  if (concept.kind === "opaque") return slice === concept.text;
  if (format === "plain") return normalizeText(slice) === concept.text;
  const reread = markdownStructure(slice)
    .map((block) => (block.kind === "prose" ? block.text : block.kind === "heading" ? block.title : ""))
    .filter((text) => text.length > 0)
    .join(" ");
  if (reread === concept.text) return true;
  // A span can't always be read alone: its sentence may sit inside emphasis that spans several
  // sentences, or use reference links defined elsewhere. Then accept it if the text aligns and the
  // span's edges hold nothing but markup.
  const aligned = alignToSource(concept.text, source, concept.span);
  if (!aligned) return false;
  const head = source.slice(start, aligned.starts[0]).replace(/<[a-zA-Z][^>]*>|[*_~`[!(<\s]/g, "");
  // Greedy alignment may match the final character early (the `.` in `[a.b][ref].`): take its last
  // occurrence in the span instead.
  const last = concept.text[concept.text.length - 1];
  const tailFrom = Math.max(aligned.ends[aligned.ends.length - 1], source.lastIndexOf(last, end - 1) + 1);
  const tail = source
    .slice(tailFrom, end)
    .replace(/\]\([^)]*\)|\]\[[^\]]*\]|<\/?[a-zA-Z][^>]*>|[*_~`\])>\s]/g, "");
  return head === "" && tail === "";
}

/**
 * Exact spans for the two halves of a split sentence: text[0, headEnd) and text[tailStart, end).
 * Null when the text can't be aligned to its span.
 */
export function splitSpans(
  text: string,
  source: string,
  span: Span,
  headEnd: number,
  tailStart: number,
): [Span, Span] | null {
  const aligned = alignToSource(text, source, span);
  if (!aligned) return null;
  let headTo = aligned.ends[headEnd - 1];
  let tailFrom = aligned.starts[tailStart];
  // Markup between the halves (`**`, `]`, `*`) goes with the half it touches.
  const markup = (i: number) => !isCollapsibleSpace(source.charCodeAt(i)) && !/[\p{L}\p{N}]/u.test(source[i]);
  while (headTo < tailFrom && markup(headTo)) headTo++;
  while (tailFrom > headTo && markup(tailFrom - 1)) tailFrom--;
  return [
    [span[0], headTo],
    [tailFrom, span[1]],
  ];
}
