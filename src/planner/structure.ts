/**
 * A document's structure as a flat list of blocks in document order: headings, prose (a paragraph or a
 * list item: something the segmenter cuts into sentences) and opaque blocks. The Markdown and
 * plain-text readers produce it; build-outline.ts turns it into an Outline.
 */
import type { OpaqueKind, Span } from "./outline.js";

export interface HeadingBlock {
  readonly kind: "heading";
  readonly level: number;
  readonly title: string;
  readonly span: Span;
}

export interface ProseBlock {
  readonly kind: "prose";
  /** Plain text: markup stripped, whitespace collapsed, trimmed. */
  readonly text: string;
  /** Source span of the plain-text range [start, end): exact, including inline markup it encloses. */
  sourceSpan(start: number, end: number): Span;
  /**
   * Offsets in `text` where a stub paragraph was joined on (stub-paragraphs.ts): the segmenter must
   * not cut there, or the stub would be a concept of its own again.
   */
  readonly joins?: readonly number[];
}

export interface OpaqueBlock {
  readonly kind: "opaque";
  readonly block: OpaqueKind;
  readonly span: Span;
  /** The verbatim source of the block. */
  readonly text: string;
}

export type StructureBlock = HeadingBlock | ProseBlock | OpaqueBlock;
