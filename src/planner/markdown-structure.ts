/**
 * Markdown -> structure blocks with exact source spans, using marked's lexer.
 *
 * marked gives every token its `raw` source text but no offsets, and the children of a list item or a
 * blockquote are lexed from a derived text (markers and indentation removed from every line). So we
 * walk the tokens keeping a "frame" per container: the text its tokens were lexed from, and a map from
 * an offset in that text back to the source. Containers map line by line: each derived line is the
 * tail of its source line (only the prefix, `> ` or list indentation, was removed).
 *
 * What becomes what:
 * - top-level headings -> heading blocks (sections); headings inside lists or quotes are prose;
 * - paragraphs, list items (nested too), blockquote paragraphs -> prose blocks. Their plain text strips
 *   inline markup (emphasis, links keep their label, inline code keeps its content, entities and
 *   backslash escapes are decoded, inline HTML tags are dropped) and collapses whitespace;
 * - fenced/indented code, tables, HTML blocks, thematic breaks, link definitions and front matter ->
 *   opaque blocks, never encoded or rewritten.
 */
import { Lexer, type Token } from "marked";
import { frontMatterLength } from "./front-matter.js";
import { decodeEntity, ENTITY_PATTERN } from "./html-entities.js";
import { toLf } from "./line-endings.js";
import { MappedTextBuilder } from "./mapped-text.js";
import type { OpaqueKind, Span } from "./outline.js";
import type { StructureBlock } from "./structure.js";

/** The text a token list was lexed from, and where its offsets land in the original document. */
interface Frame {
  readonly text: string;
  toSource(offset: number): number;
}

interface WithRaw {
  type: string;
  raw: string;
  text?: string;
  tokens?: Token[];
}

export function markdownStructure(source: string): StructureBlock[] {
  const lf = toLf(source);
  const blocks: StructureBlock[] = [];
  const fmLength = frontMatterLength(lf.text);
  if (fmLength > 0) {
    const end = trimmedEnd(lf.text, 0, fmLength);
    const span: Span = [0, lf.toOriginal(end - 1) + 1];
    blocks.push({ kind: "opaque", block: "front_matter", span, text: source.slice(span[0], span[1]) });
  }
  const body = fmLength > 0 ? lf.text.slice(fmLength) : lf.text;
  const top: Frame = { text: body, toSource: (i) => lf.toOriginal(fmLength + i) };
  new MarkdownWalker(source, blocks).walkBlocks(Lexer.lex(body) as unknown as WithRaw[], top, true);
  return blocks;
}

class MarkdownWalker {
  constructor(
    private readonly source: string,
    private readonly out: StructureBlock[],
  ) {}

  walkBlocks(tokens: readonly WithRaw[], frame: Frame, topLevel: boolean): void {
    let cursor = 0;
    for (const token of tokens) {
      // A task checkbox was cut from the item text its siblings were lexed from: nothing to locate.
      if (token.type === "checkbox") continue;
      if (token.type === "space") {
        const at = locate(frame.text, token.raw, cursor);
        if (at >= 0) cursor = at + token.raw.length;
        continue;
      }
      let at = locate(frame.text, token.raw, cursor);
      let rawLength = token.raw.length;
      if (at < 0) {
        // In a loose task list marked puts the `[ ] ` checkbox back in front of the first paragraph's
        // raw text, though the item text it was lexed from no longer has it.
        const checkbox = /^\[[ xX]\] +/.exec(token.raw)?.[0];
        const found = checkbox ? locate(frame.text, token.raw.slice(checkbox.length), cursor) : -1;
        if (!checkbox || found < 0) {
          this.unlocated(token);
          continue;
        }
        at = found - checkbox.length;
        rawLength = token.raw.length - checkbox.length;
        cursor = found + rawLength;
      } else {
        cursor = at + rawLength;
      }
      this.walkBlock(token, at, frame, topLevel);
    }
  }

  private walkBlock(token: WithRaw, at: number, frame: Frame, topLevel: boolean): void {
    switch (token.type) {
      case "heading": {
        const textAt = at + token.raw.indexOf(token.text ?? "");
        if (topLevel) {
          const title = inlinePlain(token, frame.text, textAt).text;
          const level = (token as unknown as { depth: number }).depth;
          this.out.push({ kind: "heading", level, title, span: this.span(frame, at, token.raw) });
        } else {
          this.prose(token, frame, textAt);
        }
        return;
      }
      case "paragraph":
      case "text": {
        // Usually the text is the raw minus its final newline, so inline offsets start at `at`. But
        // marked drops the indentation of continuation lines (and a task checkbox may lead the raw):
        // then the text is derived from the raw line by line, like a container's.
        const text = token.text ?? token.raw;
        if (at >= 0 && frame.text.startsWith(text, at)) this.prose(token, frame, at);
        else
          this.prose(
            token,
            derivedFrame(frame, at, token.raw, text),
            0,
            /^\[[ xX]\] +/.exec(text)?.[0].length,
          );
        return;
      }
      case "list":
        this.walkList(token as unknown as { items: WithRaw[] }, at, frame);
        return;
      case "blockquote":
        this.walkBlocks(token.tokens ?? [], derivedFrame(frame, at, token.raw, token.text ?? ""), false);
        return;
      default:
        this.opaque(token, at, frame);
    }
  }

  private walkList(list: { items: WithRaw[] }, at: number, frame: Frame): void {
    let cursor = at;
    for (const item of list.items) {
      const itemAt = locate(frame.text, item.raw, cursor);
      if (itemAt < 0) {
        this.unlocated(item);
        continue;
      }
      cursor = itemAt + item.raw.length;
      this.walkBlocks(item.tokens ?? [], derivedFrame(frame, itemAt, item.raw, item.text ?? ""), false);
    }
  }

  /** `skip`: characters at the start of the text that belong to no sentence (a task checkbox). */
  private prose(token: WithRaw, frame: Frame, textAt: number, skip = 0): void {
    const mapped = inlinePlain(token, frame.text, textAt);
    if (mapped.text.length === 0) return;
    const blockStart = textAt + skip;
    const blockEnd = trimmedEnd(frame.text, textAt, textAt + (token.text ?? token.raw).length);
    this.out.push({
      kind: "prose",
      text: mapped.text,
      sourceSpan: (start, end) => {
        // Widen to the markup that wraps the sentence's first and last characters (`**`, `](url)`),
        // never past the neighbouring plain characters, then map the frame offsets to the source.
        let from = mapped.sourceStart(start);
        let to = mapped.sourceEnd(end - 1);
        const previousEnd = start > 0 ? mapped.sourceEnd(start - 1) : blockStart;
        const nextStart = end < mapped.text.length ? mapped.sourceStart(end) : blockEnd;
        from = widenStart(frame.text, from, previousEnd);
        to = widenEnd(frame.text, to, nextStart);
        return [frame.toSource(from), frame.toSource(to - 1) + 1];
      },
    });
  }

  private opaque(token: WithRaw, at: number, frame: Frame): void {
    const span = this.span(frame, at, token.raw);
    if (span[1] <= span[0]) return;
    this.out.push({
      kind: "opaque",
      block: opaqueKind(token.type),
      span,
      text: this.source.slice(span[0], span[1]),
    });
  }

  private span(frame: Frame, at: number, raw: string): Span {
    const end = trimmedEnd(frame.text, at, at + raw.length);
    if (end <= at) return [frame.toSource(at), frame.toSource(at)];
    return [frame.toSource(at), frame.toSource(end - 1) + 1];
  }

  /**
   * A token whose raw text is not where marked's own bookkeeping says it is. Not seen on any document
   * we tried; failing loudly beats emitting concepts with wrong spans.
   */
  private unlocated(token: WithRaw): void {
    throw new Error(
      `markdown: cannot locate a ${token.type} token in the source (please report this document)`,
    );
  }
}

function opaqueKind(type: string): OpaqueKind {
  switch (type) {
    case "code":
      return "code";
    case "table":
      return "table";
    case "html":
      return "html";
    case "hr":
      return "rule";
    case "def":
      return "definition";
    default:
      return "other";
  }
}

/** Offset of `raw` in `text` at or after `cursor`: normally exactly at the cursor or just after blanks. */
function locate(text: string, raw: string, from: number): number {
  const cursor = Math.max(0, from);
  if (raw.length === 0) return cursor;
  if (text.startsWith(raw, cursor)) return cursor;
  // Look in a short window first so a miss can't turn a large document quadratic.
  const window = text.slice(cursor, cursor + raw.length + 256);
  const near = window.indexOf(raw);
  if (near >= 0) return cursor + near;
  return text.indexOf(raw, cursor);
}

function trimmedEnd(text: string, start: number, end: number): number {
  let e = Math.min(end, text.length);
  while (e > start && /\s/.test(text[e - 1])) e--;
  return e;
}

/**
 * Frame for a container's children: `derived` is `raw` (found at `rawAt` in the parent frame) with a
 * prefix removed from each line. Each derived line is aligned to the tail of its source line; where a
 * tab was expanded, the common suffix still aligns the text after it.
 */
function derivedFrame(parent: Frame, rawAt: number, raw: string, derived: string): Frame {
  const dStarts = lineStarts(derived);
  const rStarts = lineStarts(raw);
  const suffix = new Int32Array(dStarts.length).fill(-1);
  const lineEnd = (starts: number[], s: string, j: number) =>
    j + 1 < starts.length ? starts[j + 1] - 1 : s.length;
  return {
    text: derived,
    toSource(offset: number): number {
      let j = Math.max(0, upperBound(dStarts, offset) - 1);
      if (j >= rStarts.length) j = rStarts.length - 1;
      const dStart = dStarts[j];
      const dLen = lineEnd(dStarts, derived, j) - dStart;
      const rStart = rStarts[j];
      const rLen = lineEnd(rStarts, raw, j) - rStart;
      if (suffix[j] < 0) {
        let k = 0;
        while (
          k < dLen &&
          k < rLen &&
          derived.charCodeAt(dStart + dLen - 1 - k) === raw.charCodeAt(rStart + rLen - 1 - k)
        ) {
          k++;
        }
        suffix[j] = k;
      }
      const column = offset - dStart;
      const fromEnd = dLen - column;
      const inRaw = fromEnd <= suffix[j] ? rStart + rLen - fromEnd : rStart + rLen - suffix[j];
      return parent.toSource(rawAt + inRaw);
    },
  };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Plain text of a token's inline children, mapped to offsets of `frameText` (the text starts at `textAt`). */
function inlinePlain(token: WithRaw, frameText: string, textAt: number) {
  const builder = new MappedTextBuilder();
  const base = token.text ?? token.raw;
  appendInline(builder, token.tokens ?? [{ type: "text", raw: base, text: base }], frameText, textAt);
  return builder.finish();
}

/**
 * Appends inline tokens whose raws lie, in order, in `text` from `from` on. Offsets are frame offsets.
 */
function appendInline(out: MappedTextBuilder, tokens: readonly WithRaw[], text: string, from: number): void {
  let cursor = from;
  for (const token of tokens) {
    if (token.type === "checkbox") continue;
    const at = locate(text, token.raw, cursor);
    if (at < 0) continue;
    cursor = at + token.raw.length;
    const raw = token.raw;
    switch (token.type) {
      case "text":
        if (token.tokens) appendInline(out, token.tokens, text, at);
        else appendDecoded(out, raw, at);
        break;
      case "escape":
        out.appendReplacement(token.text ?? raw.slice(1), at, at + raw.length);
        break;
      case "codespan": {
        const ticks = /^`+/.exec(raw)?.[0].length ?? 1;
        let start = at + ticks;
        let end = at + raw.length - ticks;
        // CommonMark strips one space on each side when both are there and the content is not all spaces.
        const inner = text.slice(start, end);
        if (inner.length >= 2 && /^[ \n].*[ \n]$/s.test(inner) && /[^ \n]/.test(inner)) {
          start++;
          end--;
        }
        out.appendSource(text.slice(start, end), start);
        break;
      }
      case "br":
        out.appendSpace(at, at + raw.length);
        break;
      case "html":
        if (/^<br\s*\/?>$/i.test(raw)) out.appendSpace(at, at + raw.length);
        break;
      default:
        // em, strong, del, link, image (its alt text) and unknown extensions with children.
        if (token.tokens) appendInline(out, token.tokens, text, at);
        else appendDecoded(out, raw, at);
    }
  }
}

/** Appends Markdown text decoding HTML entities (each decoded character spans its whole entity). */
function appendDecoded(out: MappedTextBuilder, raw: string, at: number): void {
  if (!raw.includes("&")) {
    out.appendSource(raw, at);
    return;
  }
  let last = 0;
  ENTITY_PATTERN.lastIndex = 0;
  for (let m = ENTITY_PATTERN.exec(raw); m; m = ENTITY_PATTERN.exec(raw)) {
    const decoded = decodeEntity(m[0]);
    if (decoded === null) continue;
    if (m.index > last) out.appendSource(raw.slice(last, m.index), at + last);
    out.appendReplacement(decoded, at + m.index, at + m.index + m[0].length);
    last = m.index + m[0].length;
  }
  if (last < raw.length) out.appendSource(raw.slice(last), at + last);
}

/**
 * Moves a span start left to `limit` (where the previous plain character ends): what lies between is
 * markup (`**`, `[`, an HTML tag) or the rest of a whitespace run, which is skipped.
 */
function widenStart(text: string, from: number, limit: number): number {
  let s = Math.min(limit, from);
  while (s < from && /\s/.test(text[s])) s++;
  return s;
}

/** Moves a span end right to `limit` (where the next plain character starts), then trims whitespace. */
function widenEnd(text: string, to: number, limit: number): number {
  let e = Math.max(to, limit);
  while (e > to && /\s/.test(text[e - 1])) e--;
  return e;
}
