/**
 * Outline edits as pure functions: each takes an outline and returns a new one, sharing every untouched
 * section and concept (so an undo history of outlines is cheap). An edit is also a plain object
 * (`OutlineEdit`), so the TUI reducer and the JSON-RPC server can pass, log and replay them.
 *
 * Bad edits (unknown id, out-of-range index or offset, editing an opaque block's text, a level that
 * Markdown can't express) throw UsageError and leave the outline as it was.
 *
 * Decisions worth knowing:
 * - rewrite keeps the span and sets `rewritten`: the span stays the concept's grounding in the source,
 *   `rewritten` says the text no longer equals it.
 * - split: with the source text at hand (EditContext.source) both halves get exact spans; without it
 *   both keep the original span, marked `rewritten`. The second half gets a new id.
 * - merge joins a concept with the next one in its section (the first id stays). The span covers both
 *   when they were neighbours in the source (no other concept's span between them), else it is null;
 *   merging with a user-written concept keeps the other's span, marked `rewritten`. A merge that would
 *   pass the outline's character cap is refused.
 * - new ids come from the outline's counters and are never reused.
 * - indent makes a section (with its subsections) the last child of its previous sibling; outdent makes
 *   it the next sibling of its parent, leaving the parent's later children where they are. Heading
 *   levels of the moved subtree shift with it, and Markdown's limit of 6 levels is enforced.
 */
import { UsageError } from "../util/errors.js";
import {
  type Concept,
  findConcept,
  findSectionPath,
  MAX_HEADING_LEVEL,
  MAX_TARGET_LENGTH,
  normalizeText,
  type Outline,
  type Section,
  type SectionPath,
  type Span,
  sectionAt,
  walkConcepts,
} from "./outline.js";
import { splitSpans } from "./span-check.js";

export type OutlineEdit =
  | { op: "add"; section: string; text: string; index?: number }
  | { op: "delete"; concept: string }
  | { op: "move"; concept: string; section: string; index?: number }
  | { op: "merge"; concept: string }
  | { op: "split"; concept: string; offset: number }
  | { op: "rewrite"; concept: string; text: string }
  | { op: "pin"; concept: string; pinned?: boolean }
  | { op: "target"; section: string; length: number | null }
  | { op: "add_section"; parent: string | null; title: string; index?: number }
  | { op: "delete_section"; section: string }
  | { op: "rename_section"; section: string; title: string }
  | { op: "move_section"; section: string; parent: string | null; index?: number }
  | { op: "indent"; section: string }
  | { op: "outdent"; section: string };

export interface EditContext {
  /** The document the outline was built from; lets split compute exact spans. */
  source?: string;
}

export function applyEdit(outline: Outline, edit: OutlineEdit, context: EditContext = {}): Outline {
  switch (edit.op) {
    case "add":
      return addConcept(outline, edit.section, edit.text, edit.index);
    case "delete":
      return deleteConcept(outline, edit.concept);
    case "move":
      return moveConcept(outline, edit.concept, edit.section, edit.index);
    case "merge":
      return mergeWithNext(outline, edit.concept);
    case "split":
      return splitConcept(outline, edit.concept, edit.offset, context);
    case "rewrite":
      return rewriteConcept(outline, edit.concept, edit.text);
    case "pin":
      return pinConcept(outline, edit.concept, edit.pinned ?? true);
    case "target":
      return setTargetLength(outline, edit.section, edit.length);
    case "add_section":
      return addSection(outline, edit.parent, edit.title, edit.index);
    case "delete_section":
      return deleteSection(outline, edit.section);
    case "rename_section":
      return renameSection(outline, edit.section, edit.title);
    case "move_section":
      return moveSection(outline, edit.section, edit.parent, edit.index);
    case "indent":
      return indentSection(outline, edit.section);
    case "outdent":
      return outdentSection(outline, edit.section);
    default:
      throw new UsageError(`unknown edit '${String((edit as { op?: unknown }).op)}'`);
  }
}

/** The id the next added or split-off concept will get. */
export function nextConceptId(outline: Outline): string {
  return `c${outline.nextConceptId}`;
}

/** The id the next added section will get. */
export function nextSectionId(outline: Outline): string {
  return `s${outline.nextSectionId}`;
}

// ---------------------------------------------------------------------------------------------------
// Concepts

export function addConcept(outline: Outline, sectionId: string, text: string, index?: number): Outline {
  const path = requireSection(outline, sectionId);
  const section = sectionAt(outline.sections, path);
  const at = checkIndex(index, section.concepts.length, "index");
  const concept: Concept = {
    id: nextConceptId(outline),
    kind: "sentence",
    text: sentenceText(outline, text),
    span: null,
    pinned: false,
  };
  const concepts = insertAt(section.concepts, at, concept);
  return {
    ...replaceSection(outline, path, { ...section, concepts }),
    nextConceptId: outline.nextConceptId + 1,
  };
}

export function deleteConcept(outline: Outline, conceptId: string): Outline {
  const found = requireConcept(outline, conceptId);
  const concepts = removeAt(found.section.concepts, found.index);
  return replaceSection(outline, found.path, { ...found.section, concepts });
}

/** Moves a concept to `index` in the target section's concept list (counted after removing it). */
export function moveConcept(outline: Outline, conceptId: string, sectionId: string, index?: number): Outline {
  const found = requireConcept(outline, conceptId);
  requireSection(outline, sectionId);
  const without = replaceSection(outline, found.path, {
    ...found.section,
    concepts: removeAt(found.section.concepts, found.index),
  });
  const path = findSectionPath(without.sections, sectionId)!;
  const target = sectionAt(without.sections, path);
  const at = checkIndex(index, target.concepts.length, "index");
  return replaceSection(without, path, { ...target, concepts: insertAt(target.concepts, at, found.concept) });
}

/** Merges a concept with the concept right after it in the same section. */
export function mergeWithNext(outline: Outline, conceptId: string): Outline {
  const found = requireConcept(outline, conceptId);
  const first = found.concept;
  const second = found.section.concepts[found.index + 1];
  if (!second) throw new UsageError(`concept ${conceptId} is the last of its section: nothing to merge with`);
  if (first.kind !== "sentence" || second.kind !== "sentence") {
    throw new UsageError(`cannot merge ${first.id} and ${second.id}: opaque blocks are never rewritten`);
  }
  const text = joinSentences(first.text, second.text);
  if (text.length > outline.maxChars) {
    throw new UsageError(
      `merging ${first.id} and ${second.id} gives ${text.length} characters, over the ${outline.maxChars}-character cap`,
    );
  }
  let span: Span | null = null;
  let rewritten = Boolean(first.rewritten || second.rewritten);
  if (first.span && second.span) {
    if (
      first.span[1] <= second.span[0] &&
      !spanBetween(outline, first.span[1], second.span[0], first.id, second.id)
    ) {
      span = [first.span[0], second.span[1]];
    }
  } else if (first.span || second.span) {
    // One part was written by the user: keep the other's grounding, and say the text differs from it.
    span = first.span ?? second.span;
    rewritten = true;
  }
  const merged: Concept = withFlags(
    { ...first, text, span },
    { pinned: first.pinned || second.pinned, rewritten },
  );
  const concepts = [...found.section.concepts];
  concepts.splice(found.index, 2, merged);
  return replaceSection(outline, found.path, { ...found.section, concepts });
}

/** Splits a sentence at a character offset of its text; the second half gets a new id. */
export function splitConcept(
  outline: Outline,
  conceptId: string,
  offset: number,
  context: EditContext = {},
): Outline {
  const found = requireConcept(outline, conceptId);
  const concept = found.concept;
  if (concept.kind !== "sentence")
    throw new UsageError(`cannot split ${concept.id}: opaque blocks are never rewritten`);
  if (!Number.isInteger(offset) || offset <= 0 || offset >= concept.text.length) {
    throw new UsageError(`split offset ${offset} is outside 1..${concept.text.length - 1} for ${concept.id}`);
  }
  const head = concept.text.slice(0, offset).trimEnd();
  const tailStart = offset + (concept.text.length - offset - concept.text.slice(offset).trimStart().length);
  const tail = concept.text.slice(tailStart);
  if (head.length === 0 || tail.length === 0) {
    throw new UsageError(`splitting ${concept.id} at ${offset} would leave an empty concept`);
  }
  let headSpan: Span | null = concept.span;
  let tailSpan: Span | null = concept.span;
  let rewritten = Boolean(concept.rewritten);
  if (concept.span && !concept.rewritten) {
    const spans = context.source
      ? splitSpans(concept.text, context.source, concept.span, head.length, tailStart)
      : null;
    if (spans) {
      [headSpan, tailSpan] = spans;
    } else {
      rewritten = true;
    }
  }
  const first = withFlags({ ...concept, text: head, span: headSpan }, { pinned: concept.pinned, rewritten });
  const second = withFlags(
    { id: nextConceptId(outline), kind: "sentence", text: tail, span: tailSpan, pinned: false },
    { pinned: concept.pinned, rewritten },
  );
  const concepts = [...found.section.concepts];
  concepts.splice(found.index, 1, first, second);
  return {
    ...replaceSection(outline, found.path, { ...found.section, concepts }),
    nextConceptId: outline.nextConceptId + 1,
  };
}

export function rewriteConcept(outline: Outline, conceptId: string, text: string): Outline {
  const found = requireConcept(outline, conceptId);
  const concept = found.concept;
  if (concept.kind !== "sentence")
    throw new UsageError(`cannot rewrite ${concept.id}: opaque blocks are never rewritten`);
  const normalized = sentenceText(outline, text);
  if (normalized === concept.text) return outline;
  const rewritten = withFlags(
    { ...concept, text: normalized },
    { pinned: concept.pinned, rewritten: concept.span !== null },
  );
  return replaceConcept(outline, found.path, found.section, found.index, rewritten);
}

export function pinConcept(outline: Outline, conceptId: string, pinned = true): Outline {
  const found = requireConcept(outline, conceptId);
  if (found.concept.pinned === pinned) return outline;
  return replaceConcept(outline, found.path, found.section, found.index, { ...found.concept, pinned });
}

// ---------------------------------------------------------------------------------------------------
// Sections

export function setTargetLength(outline: Outline, sectionId: string, length: number | null): Outline {
  const path = requireSection(outline, sectionId);
  const section = sectionAt(outline.sections, path);
  if (length === null) {
    const { targetLength: _dropped, ...rest } = section;
    return replaceSection(outline, path, rest);
  }
  if (!Number.isInteger(length) || length < 1 || length > MAX_TARGET_LENGTH) {
    throw new UsageError(`target length must be an integer in 1..${MAX_TARGET_LENGTH}, got ${length}`);
  }
  return replaceSection(outline, path, { ...section, targetLength: length });
}

export function renameSection(outline: Outline, sectionId: string, title: string): Outline {
  const path = requireSection(outline, sectionId);
  const section = sectionAt(outline.sections, path);
  if (section.level === 0)
    throw new UsageError(`section ${sectionId} is the untitled opening section: it has no heading`);
  return replaceSection(outline, path, { ...section, title: normalizeText(title) });
}

/** Adds an empty section under `parentId` (null: top level) at `index` of its children (default: last). */
export function addSection(
  outline: Outline,
  parentId: string | null,
  title: string,
  index?: number,
): Outline {
  const parentPath = parentId === null ? [] : requireSection(outline, parentId);
  const siblings = childrenAt(outline, parentPath);
  const at = checkIndex(index, siblings.length, "index");
  const parentLevel = parentPath.length === 0 ? 0 : sectionAt(outline.sections, parentPath).level;
  const preferred = at > 0 ? Math.max(siblings[at - 1].level, parentLevel + 1) : parentLevel + 1;
  const level = placeLevel(siblings, at, parentLevel, preferred, parentPath.length === 0);
  const section: Section = {
    id: nextSectionId(outline),
    title: normalizeText(title),
    level,
    span: null,
    concepts: [],
    sections: [],
  };
  return {
    ...setChildren(outline, parentPath, insertAt(siblings, at, section)),
    nextSectionId: outline.nextSectionId + 1,
  };
}

/** Deletes a section with its concepts and subsections. */
export function deleteSection(outline: Outline, sectionId: string): Outline {
  const path = requireSection(outline, sectionId);
  const parentPath = path.slice(0, -1);
  return setChildren(outline, parentPath, removeAt(childrenAt(outline, parentPath), path[path.length - 1]));
}

/**
 * Moves a section and its subsections under `parentId` (null: top level) at `index` of its children
 * (counted after removing it; default: last). Its heading level becomes the nearest level that fits
 * there, and its subsections shift by the same amount.
 */
export function moveSection(
  outline: Outline,
  sectionId: string,
  parentId: string | null,
  index?: number,
): Outline {
  const path = requireSection(outline, sectionId);
  const section = sectionAt(outline.sections, path);
  if (section.level === 0)
    throw new UsageError(`section ${sectionId} is the untitled opening section: it cannot move`);
  if (parentId !== null) {
    const parentPath = requireSection(outline, parentId);
    if (isPrefix(path, parentPath)) throw new UsageError(`cannot move section ${sectionId} into itself`);
  }
  const without = deleteSection(outline, sectionId);
  const parentPath = parentId === null ? [] : findSectionPath(without.sections, parentId)!;
  const siblings = childrenAt(without, parentPath);
  const at = checkIndex(index, siblings.length, "index");
  const parentLevel = parentPath.length === 0 ? 0 : sectionAt(without.sections, parentPath).level;
  const level = placeLevel(siblings, at, parentLevel, section.level, parentPath.length === 0);
  const moved = shiftLevels(section, level - section.level);
  return setChildren(without, parentPath, insertAt(siblings, at, moved));
}

/** Makes a section (with its subsections) the last child of its previous sibling. */
export function indentSection(outline: Outline, sectionId: string): Outline {
  const path = requireSection(outline, sectionId);
  const position = path[path.length - 1];
  const parentPath = path.slice(0, -1);
  const previous = position > 0 ? childrenAt(outline, parentPath)[position - 1] : undefined;
  if (!previous || previous.level === 0) {
    throw new UsageError(`cannot indent section ${sectionId}: no previous section to go under`);
  }
  return moveSection(outline, sectionId, previous.id);
}

/** Makes a section (with its subsections) the next sibling of its parent. */
export function outdentSection(outline: Outline, sectionId: string): Outline {
  const path = requireSection(outline, sectionId);
  if (path.length < 2)
    throw new UsageError(`cannot outdent section ${sectionId}: it is already at the top level`);
  const parentPath = path.slice(0, -1);
  const grandParentPath = parentPath.slice(0, -1);
  const grandParentId = grandParentPath.length === 0 ? null : sectionAt(outline.sections, grandParentPath).id;
  return moveSection(outline, sectionId, grandParentId, parentPath[parentPath.length - 1] + 1);
}

// ---------------------------------------------------------------------------------------------------
// Helpers

function requireConcept(outline: Outline, id: string) {
  const found = typeof id === "string" ? findConcept(outline, id) : null;
  if (!found) throw new UsageError(`no concept with id '${String(id)}'`);
  return found;
}

function requireSection(outline: Outline, id: string): SectionPath {
  const path = typeof id === "string" ? findSectionPath(outline.sections, id) : null;
  if (!path) throw new UsageError(`no section with id '${String(id)}'`);
  return path;
}

function checkIndex(index: number | undefined, length: number, name: string): number {
  if (index === undefined) return length;
  if (!Number.isInteger(index) || index < 0 || index > length) {
    throw new UsageError(`${name} ${index} is outside 0..${length}`);
  }
  return index;
}

function sentenceText(outline: Outline, text: string): string {
  const normalized = normalizeText(typeof text === "string" ? text : "");
  if (normalized.length === 0) throw new UsageError("concept text is empty");
  if (normalized.length > outline.maxChars) {
    throw new UsageError(
      `concept text is ${normalized.length} characters, over the ${outline.maxChars}-character cap: split it`,
    );
  }
  return normalized;
}

/** Joins two sentences with a space, or with nothing between characters of scripts written without spaces. */
function joinSentences(a: string, b: string): string {
  const unspaced =
    /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]/;
  return unspaced.test(a[a.length - 1]) && unspaced.test(b[0]) ? a + b : `${a} ${b}`;
}

/** Is some other concept's span (partly) inside [from, to)? */
function spanBetween(outline: Outline, from: number, to: number, ...except: string[]): boolean {
  if (to <= from) return false;
  for (const { concept } of walkConcepts(outline)) {
    if (!concept.span || except.includes(concept.id)) continue;
    if (concept.span[0] < to && concept.span[1] > from) return true;
  }
  return false;
}

function withFlags(concept: Concept, flags: { pinned: boolean; rewritten: boolean }): Concept {
  const { rewritten: _old, ...rest } = concept;
  return flags.rewritten
    ? { ...rest, pinned: flags.pinned, rewritten: true }
    : { ...rest, pinned: flags.pinned };
}

/**
 * The heading level a section gets at position `at` among `siblings`: within what its neighbours allow
 * (deeper than the parent, no deeper than the previous sibling, no shallower than the next), as close
 * to `preferred` as possible.
 */
function placeLevel(
  siblings: readonly Section[],
  at: number,
  parentLevel: number,
  preferred: number,
  topLevel: boolean,
): number {
  const previous = siblings[at - 1];
  const next = siblings[at];
  if (topLevel && next?.level === 0) {
    throw new UsageError("the untitled opening section must stay first");
  }
  if (parentLevel + 1 > MAX_HEADING_LEVEL) {
    throw new UsageError(
      `no room for a deeper section: Markdown headings stop at level ${MAX_HEADING_LEVEL}`,
    );
  }
  const lowest = Math.max(parentLevel + 1, next ? next.level : 1);
  const highest = previous && previous.level > 0 ? previous.level : MAX_HEADING_LEVEL;
  if (lowest > highest) {
    throw new UsageError(
      `no heading level fits there (needs ${lowest}..${highest}): move the neighbouring sections first`,
    );
  }
  return Math.min(Math.max(preferred, lowest), highest);
}

function shiftLevels(section: Section, delta: number): Section {
  if (delta === 0) return section;
  const level = section.level + delta;
  if (level > MAX_HEADING_LEVEL) {
    throw new UsageError(
      `section ${section.id} would need heading level ${level}; Markdown stops at ${MAX_HEADING_LEVEL}`,
    );
  }
  return { ...section, level, sections: section.sections.map((child) => shiftLevels(child, delta)) };
}

function isPrefix(prefix: SectionPath, path: SectionPath): boolean {
  return prefix.length <= path.length && prefix.every((v, i) => path[i] === v);
}

function childrenAt(outline: Outline, parentPath: SectionPath): readonly Section[] {
  return parentPath.length === 0 ? outline.sections : sectionAt(outline.sections, parentPath).sections;
}

function setChildren(outline: Outline, parentPath: SectionPath, children: readonly Section[]): Outline {
  if (parentPath.length === 0) return { ...outline, sections: children };
  const parent = sectionAt(outline.sections, parentPath);
  return replaceSection(outline, parentPath, { ...parent, sections: children });
}

function replaceSection(outline: Outline, path: SectionPath, section: Section): Outline {
  const rebuild = (sections: readonly Section[], depth: number): Section[] => {
    const copy = [...sections];
    const i = path[depth];
    copy[i] =
      depth === path.length - 1 ? section : { ...copy[i], sections: rebuild(copy[i].sections, depth + 1) };
    return copy;
  };
  return { ...outline, sections: rebuild(outline.sections, 0) };
}

function replaceConcept(
  outline: Outline,
  path: SectionPath,
  section: Section,
  index: number,
  concept: Concept,
): Outline {
  const concepts = [...section.concepts];
  concepts[index] = concept;
  return replaceSection(outline, path, { ...section, concepts });
}

function insertAt<T>(items: readonly T[], index: number, item: T): T[] {
  return [...items.slice(0, index), item, ...items.slice(index)];
}

function removeAt<T>(items: readonly T[], index: number): T[] {
  return [...items.slice(0, index), ...items.slice(index + 1)];
}
