/**
 * Document text -> Outline. Reads the structure (Markdown or plain text), cuts every prose block into
 * sentences with the given segmenter, and arranges them into sections.
 *
 * Sections: headings nest by level (a heading's parent is the nearest earlier heading of a lower level);
 * text before the first heading goes into an untitled level-0 section. A document without headings
 * (plain text without recognisable headings, or Markdown without any) is grouped into parts: a new part
 * starts at the first paragraph boundary after the current part holds PART_CONCEPTS sentences, a last
 * part shorter than a quarter of that joins the one before, and parts are titled "Part 1", "Part 2", ...
 * (level 1). A text short enough for one part stays a single untitled section.
 */

import { segmentationLanguage } from "../segment/language.js";
import type { Segmenter } from "../segment/types.js";
import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { markdownStructure } from "./markdown-structure.js";
import type { Concept, DocumentFormat, Outline, Section, Span } from "./outline.js";
import { plainStructure } from "./plain-structure.js";
import type { ProseBlock, StructureBlock } from "./structure.js";
import { joinStubParagraphs } from "./stub-paragraphs.js";

export const PART_CONCEPTS = 40;

export interface BuildOutlineOptions {
  segmenter: Segmenter;
  format: DocumentFormat;
  /**
   * FLORES-200 code of the document's language, a hint for the segmenter; default: detected
   * (segmentation-language.ts), the same way for every command.
   */
  lang?: string;
  /** Sentence length cap (default 256, the paper's). */
  maxChars?: number;
  /** Called now and then with blocks done / total blocks. */
  onProgress?: (done: number, total: number) => void;
}

interface DraftSection {
  id: string;
  title: string;
  level: number;
  span: Span | null;
  concepts: Concept[];
  sections: DraftSection[];
  sentences: number;
}

export function buildOutline(source: string, options: BuildOutlineOptions): Outline {
  const blocks = options.format === "markdown" ? markdownStructure(source) : plainStructure(source);
  return outlineFromBlocks(source, blocks, options);
}

export function outlineFromBlocks(
  source: string,
  structure: StructureBlock[],
  options: BuildOutlineOptions,
): Outline {
  const blocks = joinStubParagraphs(structure);
  const maxChars = options.maxChars ?? MAX_SEGMENT_CHARS;
  const lang = options.lang ?? segmentationLanguage(source);
  let nextConcept = 1;
  let nextSection = 1;
  const newSection = (title: string, level: number, span: Span | null): DraftSection => ({
    id: `s${nextSection++}`,
    title,
    level,
    span,
    concepts: [],
    sections: [],
    sentences: 0,
  });
  const addBlock = (section: DraftSection, block: StructureBlock) => {
    if (block.kind === "opaque") {
      section.concepts.push({
        id: `c${nextConcept++}`,
        kind: "opaque",
        text: block.text,
        span: block.span,
        pinned: false,
        block: block.block,
      });
    } else if (block.kind === "prose") {
      for (const [start, end] of sentenceRanges(block, options.segmenter, lang, maxChars)) {
        section.concepts.push({
          id: `c${nextConcept++}`,
          kind: "sentence",
          text: block.text.slice(start, end),
          span: block.sourceSpan(start, end),
          pinned: false,
        });
        section.sentences++;
      }
    }
  };

  const roots: DraftSection[] = [];
  const progressEvery = Math.max(1, Math.floor(blocks.length / 100));
  const progress = (i: number) => {
    if (options.onProgress && i % progressEvery === 0) options.onProgress(i, blocks.length);
  };

  if (blocks.some((b) => b.kind === "heading")) {
    const open: DraftSection[] = [];
    let current: DraftSection | null = null;
    blocks.forEach((block, i) => {
      progress(i);
      if (block.kind === "heading") {
        while (open.length > 0 && open[open.length - 1].level >= block.level) open.pop();
        const section = newSection(block.title, block.level, block.span);
        (open.length > 0 ? open[open.length - 1].sections : roots).push(section);
        open.push(section);
        current = section;
        return;
      }
      if (!current) {
        current = newSection("", 0, null);
        roots.push(current);
      }
      addBlock(current, block);
    });
  } else {
    let current = newSection("", 1, null);
    roots.push(current);
    blocks.forEach((block, i) => {
      progress(i);
      if (current.sentences >= PART_CONCEPTS) {
        current = newSection("", 1, null);
        roots.push(current);
      }
      addBlock(current, block);
    });
    const last = roots[roots.length - 1];
    if (roots.length > 1 && last.sentences < PART_CONCEPTS / 4) {
      roots.pop();
      roots[roots.length - 1].concepts.push(...last.concepts);
    }
    if (roots.length === 1) roots[0].level = 0;
    else {
      roots.forEach((part, i) => {
        part.title = `Part ${i + 1}`;
      });
    }
  }
  options.onProgress?.(blocks.length, blocks.length);

  return {
    version: 1,
    source: { format: options.format, chars: source.length },
    maxChars,
    sections: roots.map(freeze),
    nextConceptId: nextConcept,
    nextSectionId: nextSection,
  };
}

function freeze(draft: DraftSection): Section {
  return {
    id: draft.id,
    title: draft.title,
    level: draft.level,
    span: draft.span,
    concepts: draft.concepts,
    sections: draft.sections.map(freeze),
  };
}

/**
 * The segmenter's sentence ranges for a prose block, checked and held to the cap. The rule-based
 * segmenter already caps; this guard keeps any backend (e.g. a SaT model) from producing a concept the
 * encoder can't take: an over-long range is cut at the last space before the cap, or at the cap.
 */
function sentenceRanges(
  block: ProseBlock,
  segmenter: Segmenter,
  lang: string,
  maxChars: number,
): [number, number][] {
  const text = block.text;
  const ranges: [number, number][] = [];
  let previousEnd = 0;
  for (const { start, end } of segmenter.segment(text, { lang, maxChars })) {
    if (!(start >= previousEnd && end > start && end <= text.length)) {
      throw new Error(`segmenter ${segmenter.name} returned a bad span [${start}, ${end})`);
    }
    previousEnd = end;
    let s = start;
    while (s < end) {
      while (s < end && text.charCodeAt(s) === 32) s++;
      let e = end;
      while (e > s && text.charCodeAt(e - 1) === 32) e--;
      if (e <= s) break;
      if (e - s > maxChars) {
        const cut = text.lastIndexOf(" ", s + maxChars);
        e = cut > s ? cut : s + maxChars;
        const code = text.charCodeAt(e - 1);
        if (code >= 0xd800 && code <= 0xdbff) e--; // don't split a surrogate pair
      }
      ranges.push([s, e]);
      s = e;
    }
  }
  return block.joins ? keepJoins(ranges, block.joins, maxChars) : ranges;
}

/** Sentences cut apart where a stub paragraph was joined on are put back together, within the cap. */
function keepJoins(
  ranges: [number, number][],
  joins: readonly number[],
  maxChars: number,
): [number, number][] {
  const out: [number, number][] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    const cutAtJoin = last !== undefined && joins.some((j) => last[1] <= j && j <= range[0]);
    if (cutAtJoin && range[1] - last[0] <= maxChars) last[1] = range[1];
    else out.push([range[0], range[1]]);
  }
  return out;
}
