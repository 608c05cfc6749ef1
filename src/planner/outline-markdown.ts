/**
 * Outline <-> Markdown: an outline file a person can read and edit in any editor, which reads back into
 * the same outline. Ids, spans, pins and target lengths ride along in trailing HTML comments, which
 * Markdown renderers hide:
 *
 *   <!-- lcm-outline v1 format=markdown chars=52011 max-chars=256 next=c57,s9 -->
 *
 *   <!-- s1 -->                                        untitled opening section (text before a heading)
 *   - A sentence of the opening. <!-- c1 span=0-27 -->
 *
 *   # First heading <!-- s2 span=29-44 target=5 -->
 *   - A pinned sentence. <!-- c2 span=46-66 pinned -->
 *   - A sentence the user wrote. <!-- c3 -->
 *   <!-- c4 opaque=code span=68-100 lines=3 -->       opaque block: its source, verbatim
 *   ```js
 *   code();
 *   ```
 *   <!-- /c4 -->
 *
 * Every sentence is one `- ` line (sentences are single-line plain text). Headings nest by level as in
 * any Markdown. Hand edits are welcome: a heading or a line without a comment becomes a new section or
 * concept with a fresh id, a deleted line deletes its concept, moved lines move. The header line is
 * optional (without it: no source, cap 256, counters after the highest id seen).
 */

import { MAX_SEGMENT_CHARS } from "../segment/types.js";
import { UsageError } from "../util/errors.js";
import {
  type Concept,
  type DocumentFormat,
  normalizeText,
  OPAQUE_KINDS,
  type OpaqueKind,
  type Outline,
  type Section,
  type Span,
  validateOutline,
} from "./outline.js";

export const OUTLINE_FILE_HEADER = "<!-- lcm-outline v1";

const HAND_MARKER_COMMENT = /<!--\s*(?:pinned|target=[0-9]+)\s*-->\s*$/m;

/**
 * Whether a Markdown text is an outline file rather than a document: it starts with the header lcm
 * writes, or it is written by hand in the outline's shape (every line a heading, a `- ` sentence or a
 * marker comment) and uses a marker (`<!-- pinned -->`, `## Costs <!-- target=4 -->`).
 */
export function isOutlineMarkdown(text: string): boolean {
  if (text.startsWith(OUTLINE_FILE_HEADER)) return true;
  if (!HAND_MARKER_COMMENT.test(text)) return false;
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.some((l) => /^- /.test(l)) && lines.every((l) => /^(?:#{1,6} |- |<!--.*-->$)/.test(l.trim()));
}

export function outlineToMarkdown(outline: Outline): string {
  return [...outlineMarkdownChunks(outline)].join("");
}

/** The Markdown form in chunks of lines, for writing large outlines without one giant string. */
export function* outlineMarkdownChunks(outline: Outline): Generator<string> {
  const header = ["v1"];
  if (outline.source) header.push(`format=${outline.source.format}`, `chars=${outline.source.chars}`);
  header.push(`max-chars=${outline.maxChars}`, `next=c${outline.nextConceptId},s${outline.nextSectionId}`);
  yield `<!-- lcm-outline ${header.join(" ")} -->\n`;
  for (const section of outline.sections) yield* sectionChunks(section);
}

function* sectionChunks(section: Section): Generator<string> {
  const attributes = [section.id];
  if (section.span) attributes.push(`span=${section.span[0]}-${section.span[1]}`);
  if (section.targetLength !== undefined) attributes.push(`target=${section.targetLength}`);
  const comment = `<!-- ${attributes.join(" ")} -->`;
  const lines: string[] = [
    "",
    section.level === 0 ? comment : `${"#".repeat(section.level)} ${section.title} ${comment}`,
  ];
  for (const concept of section.concepts) {
    lines.push(concept.kind === "opaque" ? opaqueLines(concept) : sentenceLine(concept));
    if (lines.length >= 1024) {
      yield `${lines.join("\n")}\n`;
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`;
  for (const child of section.sections) yield* sectionChunks(child);
}

function sentenceLine(concept: Concept): string {
  const attributes = [concept.id];
  if (concept.span) attributes.push(`span=${concept.span[0]}-${concept.span[1]}`);
  if (concept.pinned) attributes.push("pinned");
  if (concept.rewritten) attributes.push("rewritten");
  return `- ${concept.text} <!-- ${attributes.join(" ")} -->`;
}

function opaqueLines(concept: Concept): string {
  const attributes = [concept.id, `opaque=${concept.block}`];
  if (concept.span) attributes.push(`span=${concept.span[0]}-${concept.span[1]}`);
  if (concept.pinned) attributes.push("pinned");
  attributes.push(`lines=${concept.text.split("\n").length}`);
  return `<!-- ${attributes.join(" ")} -->\n${concept.text}\n<!-- /${concept.id} -->`;
}

// ---------------------------------------------------------------------------------------------------
// Reading

const HEADER = /^<!-- lcm-outline v1((?: [a-z-]+=[^ ]+)*) -->$/;
const TRAILING_COMMENT = / ?<!--([^<>]*?)-->$/;
const ID = /^[cs][1-9][0-9]*$/;
/** Markers a person may write by hand, without an id: `<!-- pinned -->`, `## Costs <!-- target=4 -->`. */
const HAND_MARKERS = new Set(["pinned", "target", "span", "rewritten"]);
const SECTION_MARKER = /^<!-- (s[1-9][0-9]*)((?: [a-z-]+(?:=[^ ]+)?)*) -->$/;
const OPAQUE_MARKER = /^<!-- (c[1-9][0-9]*)((?: [a-z-]+(?:=[^ ]+)?)*) -->$/;
const HEADING = /^(#{1,6})(?:[ \t]+(.*))?$/;
const BULLET = /^(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;

interface DraftSection {
  id: string | null;
  title: string;
  level: number;
  span: Span | null;
  targetLength?: number;
  concepts: DraftConcept[];
}

type DraftConcept = Omit<Concept, "id"> & { id: string | null };

/** What reading has gathered: the header's settings, the id counters, the sections in file order. */
interface DraftOutline {
  source: { format: DocumentFormat; chars: number } | null;
  maxChars: number;
  nextConcept: number;
  nextSection: number;
  flat: DraftSection[];
}

export function outlineFromMarkdown(markdown: string): Outline {
  const draft = readDraft(markdown.split("\n"));
  assignFreshIds(draft);
  const outline: Outline = {
    version: 1,
    source: draft.source,
    maxChars: draft.maxChars,
    sections: nest(draft.flat),
    nextConceptId: draft.nextConcept,
    nextSectionId: draft.nextSection,
  };
  validateOutline(outline);
  return outline;
}

/** One pass over the lines; an opaque block consumes its lines up to its closing comment. */
function readDraft(lines: string[]): DraftOutline {
  const draft: DraftOutline = {
    source: null,
    maxChars: MAX_SEGMENT_CHARS,
    nextConcept: 1,
    nextSection: 1,
    flat: [],
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/\r$/, "");
    const lineNo = n + 1;
    if (line.trim() === "") continue;
    const header = n === 0 || draft.flat.length === 0 ? HEADER.exec(line) : null;
    if (header) {
      readHeader(header[1], lineNo, draft);
      continue;
    }
    const sectionMarker = SECTION_MARKER.exec(line);
    if (sectionMarker) {
      if (draft.flat.length > 0) throw lineError(lineNo, "an untitled section can only open the outline");
      const attributes = parseAttributes(sectionMarker[2], lineNo);
      draft.flat.push({
        id: sectionMarker[1],
        title: "",
        level: 0,
        span: null,
        concepts: [],
        ...sectionExtras(attributes),
      });
      continue;
    }
    const opaqueMarker = OPAQUE_MARKER.exec(line);
    if (opaqueMarker) {
      n = readOpaqueBlock(lines, n, opaqueMarker, draft.flat);
      continue;
    }
    readHeadingOrSentence(line, lineNo, draft.flat);
  }
  return draft;
}

/** The section concepts go to: the last one, or an untitled opening section made on first need. */
function currentSection(flat: DraftSection[]): DraftSection {
  if (flat.length === 0) flat.push({ id: null, title: "", level: 0, span: null, concepts: [] });
  return flat[flat.length - 1];
}

function readHeader(text: string, lineNo: number, draft: DraftOutline): void {
  const attributes = parseAttributes(text, lineNo);
  draft.maxChars = attributes.int("max-chars") ?? draft.maxChars;
  const format = attributes.get("format");
  if (format !== undefined) {
    if (format !== "markdown" && format !== "plain") throw lineError(lineNo, `unknown format '${format}'`);
    draft.source = { format, chars: attributes.int("chars") ?? 0 };
  }
  const next = attributes.get("next");
  if (next !== undefined) {
    const m = /^c([0-9]+),s([0-9]+)$/.exec(next);
    if (!m) throw lineError(lineNo, `bad next=${next}`);
    draft.nextConcept = Number(m[1]);
    draft.nextSection = Number(m[2]);
  }
}

/** Adds the opaque block whose marker is at line index `n`; returns the index of its closing comment. */
function readOpaqueBlock(lines: string[], n: number, marker: RegExpExecArray, flat: DraftSection[]): number {
  const lineNo = n + 1;
  const attributes = parseAttributes(marker[2], lineNo);
  const kind = attributes.get("opaque");
  if (!kind || !OPAQUE_KINDS.includes(kind as OpaqueKind))
    throw lineError(lineNo, "opaque block without a known kind");
  const end = findOpaqueEnd(lines, n, marker[1], attributes.int("lines"));
  if (end < 0) throw lineError(lineNo, `opaque block ${marker[1]} has no closing <!-- /${marker[1]} -->`);
  currentSection(flat).concepts.push({
    id: marker[1],
    kind: "opaque",
    text: lines.slice(n + 1, end).join("\n"),
    span: attributes.span("span"),
    pinned: attributes.has("pinned"),
    block: kind as OpaqueKind,
  });
  return end;
}

/** A heading opens a section; any other line is a sentence (a bullet's marker dropped; empty: ignored). */
function readHeadingOrSentence(line: string, lineNo: number, flat: DraftSection[]): void {
  const { body, id, attributes } = splitTrailingComment(line, lineNo);
  const heading = HEADING.exec(body);
  if (heading) {
    if (id?.startsWith("c")) throw lineError(lineNo, `heading carries concept id ${id}`);
    flat.push({
      id,
      title: normalizeText(heading[2] ?? ""),
      level: heading[1].length,
      span: attributes?.span("span") ?? null,
      concepts: [],
      ...(attributes ? sectionExtras(attributes) : {}),
    });
    return;
  }
  if (id?.startsWith("s")) throw lineError(lineNo, `concept line carries section id ${id}`);
  const text = normalizeText(BULLET.exec(body)?.[1] ?? body);
  if (text.length === 0) return;
  const concept: DraftConcept = {
    id,
    kind: "sentence",
    text,
    span: attributes?.span("span") ?? null,
    pinned: attributes?.has("pinned") ?? false,
  };
  currentSection(flat).concepts.push(
    attributes?.has("rewritten") ? { ...concept, rewritten: true } : concept,
  );
}

/** Fresh ids for hand-written lines come after every id in the file and the header's counters. */
function assignFreshIds(draft: DraftOutline): void {
  for (const section of draft.flat) {
    if (section.id) draft.nextSection = Math.max(draft.nextSection, idNumber(section.id) + 1);
    for (const c of section.concepts)
      if (c.id) draft.nextConcept = Math.max(draft.nextConcept, idNumber(c.id) + 1);
  }
  for (const section of draft.flat) {
    section.id ??= `s${draft.nextSection++}`;
    for (const c of section.concepts) c.id ??= `c${draft.nextConcept++}`;
  }
}

/** Rebuilds the tree from sections in document order: a heading's parent is the nearest earlier lower level. */
function nest(flat: DraftSection[]): Section[] {
  interface Node {
    draft: DraftSection;
    children: Node[];
  }
  const roots: Node[] = [];
  const open: Node[] = [];
  for (const draft of flat) {
    const node: Node = { draft, children: [] };
    if (draft.level === 0) {
      roots.push(node);
      continue;
    }
    while (open.length > 0 && open[open.length - 1].draft.level >= draft.level) open.pop();
    (open.length > 0 ? open[open.length - 1].children : roots).push(node);
    open.push(node);
  }
  const freeze = (node: Node): Section => {
    const { draft } = node;
    const section: Section = {
      id: draft.id!,
      title: draft.title,
      level: draft.level,
      span: draft.span,
      concepts: draft.concepts as Concept[],
      sections: node.children.map(freeze),
    };
    return draft.targetLength === undefined ? section : { ...section, targetLength: draft.targetLength };
  };
  return roots.map(freeze);
}

function findOpaqueEnd(lines: string[], start: number, id: string, count: number | undefined): number {
  const closing = `<!-- /${id} -->`;
  const isClosing = (i: number) => i < lines.length && lines[i].replace(/\r$/, "") === closing;
  if (count !== undefined && isClosing(start + count + 1)) return start + count + 1;
  for (let i = start + 1; i < lines.length; i++) if (isClosing(i)) return i;
  return -1;
}

function sectionExtras(attributes: Attributes): { targetLength?: number } {
  const target = attributes.int("target");
  return target === undefined ? {} : { targetLength: target };
}

/**
 * A line's trailing marker comment: an id and attributes (`<!-- c3 span=4-20 pinned -->`, as written
 * by lcm), or attributes alone, written by hand. A comment that is neither (`<!-- TODO -->`) is the
 * line's own text.
 */
function splitTrailingComment(line: string, lineNo: number) {
  const m = TRAILING_COMMENT.exec(line);
  const words = m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
  const id = words.length > 0 && ID.test(words[0]) ? words.shift()! : null;
  const ours =
    m && (id !== null || (words.length > 0 && words.every((w) => HAND_MARKERS.has(w.split("=")[0]))));
  if (!m || !ours) return { body: line.trim(), id: null, attributes: null };
  return { body: line.slice(0, m.index).trim(), id, attributes: parseAttributes(words.join(" "), lineNo) };
}

interface Attributes {
  has(name: string): boolean;
  get(name: string): string | undefined;
  int(name: string): number | undefined;
  span(name: string): Span | null;
}

function parseAttributes(text: string, lineNo: number): Attributes {
  const values = new Map<string, string>();
  for (const part of text.trim().split(" ")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    values.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? "" : part.slice(eq + 1));
  }
  return {
    has: (name) => values.has(name),
    get: (name) => values.get(name),
    int(name) {
      const value = values.get(name);
      if (value === undefined) return undefined;
      if (!/^[0-9]+$/.test(value)) throw lineError(lineNo, `${name}=${value} is not a whole number`);
      return Number(value);
    },
    span(name) {
      const value = values.get(name);
      if (value === undefined) return null;
      const m = /^([0-9]+)-([0-9]+)$/.exec(value);
      if (!m) throw lineError(lineNo, `${name}=${value} is not a span like 12-40`);
      return [Number(m[1]), Number(m[2])];
    },
  };
}

function idNumber(id: string): number {
  return Number(id.slice(1));
}

function lineError(lineNo: number, message: string): UsageError {
  return new UsageError(`outline Markdown line ${lineNo}: ${message}`);
}
