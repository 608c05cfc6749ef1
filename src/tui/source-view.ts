/**
 * The source pane's content: the document text around a span, wrapped to the pane's width, with the
 * span marked, placed a third of the way down so the context before it shows too.
 *
 * Only a window of the document is laid out (a few screens around the span), so a 50 MB book costs
 * the same as a page. Text is cleaned with stripControl before display (a document can't move the
 * cursor or recolour the terminal); tabs become four spaces, carriage returns disappear.
 */
import type { Span } from "../planner/outline.js";
import { stripControl } from "../util/sanitize.js";
import { wrapParagraphRanges } from "./text-layout.js";

export interface Segment {
  readonly text: string;
  readonly highlight: boolean;
}

export type PaneLine = readonly Segment[];

export interface SourceWindow {
  readonly lines: readonly PaneLine[];
  /** Index (in `lines`) of the first line holding the span; -1 when the span is not shown. */
  readonly spanLine: number;
}

const CONTEXT_CHARS = 6000;

function clean(text: string): string {
  return stripControl(text).replace(/\t/g, "    ").replace(/\r/g, "");
}

/** Start of the line `count` lines above the one holding `at`, no further back than `limit`. */
function linesBack(text: string, at: number, count: number, limit: number): number {
  let pos = at;
  for (let i = 0; i <= count; i++) {
    const nl = pos > 0 ? text.lastIndexOf("\n", pos - 1) : -1;
    if (nl < 0) return Math.max(0, limit);
    if (nl < limit) {
      // Too far back: start at the first line break after the limit, or mid-line at the limit.
      const next = text.indexOf("\n", limit);
      return next >= 0 && next < at ? next + 1 : limit;
    }
    pos = nl;
  }
  return pos + 1;
}

function linesForward(text: string, at: number, count: number, limit: number): number {
  let pos = at;
  for (let i = 0; i < count; i++) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0 || nl > limit) return Math.min(text.length, limit);
    pos = nl + 1;
  }
  return Math.min(pos, text.length);
}

export function sourceWindow(text: string, span: Span, width: number, height: number): SourceWindow {
  const [spanStart, spanEnd] = [
    Math.max(0, Math.min(span[0], text.length)),
    Math.max(0, Math.min(span[1], text.length)),
  ];
  const from = linesBack(text, spanStart, height, spanStart - CONTEXT_CHARS);
  const to = linesForward(text, spanEnd, height + 1, spanEnd + CONTEXT_CHARS);
  const before = clean(text.slice(from, spanStart));
  const inside = clean(text.slice(spanStart, spanEnd));
  const after = clean(text.slice(spanEnd, to));
  const display = before + inside + after;
  const hlStart = before.length;
  const hlEnd = before.length + inside.length;

  const lines: Segment[][] = [];
  let spanLine = -1;
  let offset = 0;
  for (const raw of display.split("\n")) {
    for (const [s, e] of wrapParagraphRanges(raw, width)) {
      const start = offset + s;
      const end = offset + e;
      const segments: Segment[] = [];
      const cut = [
        start,
        Math.max(start, Math.min(end, hlStart)),
        Math.max(start, Math.min(end, hlEnd)),
        end,
      ];
      for (let k = 0; k < 3; k++) {
        if (cut[k + 1] > cut[k])
          segments.push({ text: display.slice(cut[k], cut[k + 1]), highlight: k === 1 });
      }
      if (spanLine < 0 && hlEnd > hlStart && end > hlStart && start < hlEnd) spanLine = lines.length;
      if (spanLine < 0 && hlEnd === hlStart && start <= hlStart && hlStart <= end) spanLine = lines.length;
      lines.push(segments.length > 0 ? segments : [{ text: "", highlight: false }]);
    }
    offset += raw.length + 1;
  }
  const top = Math.max(0, Math.min(spanLine - Math.floor(height / 3), lines.length - height));
  const shown = lines.slice(Math.max(0, top), Math.max(0, top) + height);
  return { lines: shown, spanLine: spanLine < 0 ? -1 : spanLine - Math.max(0, top) };
}

/** Plain text wrapped into pane lines (notes, output), each line one unhighlighted segment. */
export function plainLines(text: string, width: number): PaneLine[] {
  return clean(text)
    .split("\n")
    .flatMap((raw) =>
      wrapParagraphRanges(raw, width).map(([s, e]) => [{ text: raw.slice(s, e), highlight: false }]),
    );
}
