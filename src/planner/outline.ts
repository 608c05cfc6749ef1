/**
 * The outline model: a document seen as sections of concepts. It is plain, immutable, serialisable
 * data (no classes, no functions) so the CLI, the TUI reducer and the JSON-RPC server can share it,
 * store it in an undo history and send it over the wire unchanged.
 *
 * Shape: Outline -> sections (a tree, nested by heading level) -> concepts. A concept is one sentence
 * (at most `maxChars` characters, encoded later as one sentence embedding) or an opaque block (code,
 * table, HTML, front matter, rule) that is carried through verbatim and never encoded or rewritten.
 *
 * Invariants (checked by validateOutline, kept by every edit in outline-edits.ts):
 * - ids are unique; concept ids are `c<n>`, section ids `s<n>`, with n below the outline's counters, so
 *   an id is never reused after a delete (a stale reference can't silently hit a new concept);
 * - a section's level is its Markdown heading level 1..6; level 0 is the untitled opening section (the
 *   text before the first heading), which can only be the first top-level section and has no children;
 * - a child's level is above its parent's, and titled siblings have non-increasing levels. Together these
 *   make the tree exactly what re-reading its Markdown headings gives, so outline -> Markdown -> outline
 *   is stable.
 */
import { UsageError } from "../util/errors.js";

/** [start, end) offsets (UTF-16 code units, as JS strings index) into the source document. */
export type Span = readonly [number, number];

export type OpaqueKind = "code" | "table" | "html" | "front_matter" | "rule" | "definition" | "other";

export const OPAQUE_KINDS: readonly OpaqueKind[] = [
  "code",
  "table",
  "html",
  "front_matter",
  "rule",
  "definition",
  "other",
];

export type DocumentFormat = "markdown" | "plain";

export interface Concept {
  readonly id: string;
  readonly kind: "sentence" | "opaque";
  /**
   * Sentences: plain text (Markdown markup stripped, whitespace collapsed to single spaces).
   * Opaque blocks: the verbatim source.
   */
  readonly text: string;
  /**
   * Where the concept came from in the source; null for concepts the user added. For a sentence,
   * `source.slice(start, end)` is its text before markup stripping and whitespace normalisation.
   */
  readonly span: Span | null;
  /** Pinned concepts are kept as they are by summarize/extend. */
  readonly pinned: boolean;
  /**
   * The text no longer equals the source slice (the user rewrote it, or it was split without the
   * source at hand). The span is kept as the concept's grounding: where its content came from.
   */
  readonly rewritten?: true;
  /** Opaque blocks only: what kind of block. */
  readonly block?: OpaqueKind;
}

export interface Section {
  readonly id: string;
  /** Plain heading text; "" for the untitled opening section. */
  readonly title: string;
  /** Markdown heading level 1..6; 0 only for the untitled opening section. */
  readonly level: number;
  /** The heading's source span; null for the opening section, generated parts and added sections. */
  readonly span: Span | null;
  /** Desired number of concepts for this section when generating (summarize/extend). */
  readonly targetLength?: number;
  readonly concepts: readonly Concept[];
  readonly sections: readonly Section[];
}

export interface Outline {
  readonly version: 1;
  /** What the outline was built from; null for an outline written from scratch. */
  readonly source: { readonly format: DocumentFormat; readonly chars: number } | null;
  /** The sentence length cap the outline was segmented with; edits keep concepts within it. */
  readonly maxChars: number;
  readonly sections: readonly Section[];
  /** Next free number for `c<n>` / `s<n>` ids. */
  readonly nextConceptId: number;
  readonly nextSectionId: number;
}

export const MAX_HEADING_LEVEL = 6;
export const MAX_TARGET_LENGTH = 100_000;

// Whitespace that separates words. No-break spaces (U+00A0, U+202F) are kept: French puts them before
// `?` and `»`, and they carry meaning for sentence segmentation.
const COLLAPSIBLE_SPACE = /[\t\n\v\f\r \u0085\u1680\u2000-\u200a\u2028\u2029\u205f\u3000]+/g;

/** Collapses runs of whitespace to one space and trims: the form of every sentence concept's text. */
export function normalizeText(text: string): string {
  return text.replace(COLLAPSIBLE_SPACE, " ").trim();
}

export function isCollapsibleSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x85 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x205f ||
    code === 0x3000
  );
}

export function emptyOutline(maxChars = 256): Outline {
  return { version: 1, source: null, maxChars, sections: [], nextConceptId: 1, nextSectionId: 1 };
}

/** Every section, depth first in document order, with its depth (0 for top level). */
export function* walkSections(
  sections: readonly Section[],
  depth = 0,
): Generator<{ section: Section; depth: number }> {
  for (const section of sections) {
    yield { section, depth };
    yield* walkSections(section.sections, depth + 1);
  }
}

/** Every concept in document order. */
export function* walkConcepts(outline: Outline): Generator<{ concept: Concept; section: Section }> {
  for (const { section } of walkSections(outline.sections)) {
    for (const concept of section.concepts) yield { concept, section };
  }
}

export function sentenceCount(outline: Outline): number {
  let n = 0;
  for (const { concept } of walkConcepts(outline)) if (concept.kind === "sentence") n++;
  return n;
}

/** Index path from the root to a section (e.g. [2, 0] = first child of the third top-level section). */
export type SectionPath = readonly number[];

export function findSectionPath(sections: readonly Section[], id: string): SectionPath | null {
  for (let i = 0; i < sections.length; i++) {
    if (sections[i].id === id) return [i];
    const inner = findSectionPath(sections[i].sections, id);
    if (inner) return [i, ...inner];
  }
  return null;
}

export function sectionAt(sections: readonly Section[], path: SectionPath): Section {
  let section = sections[path[0]];
  for (let i = 1; i < path.length; i++) section = section.sections[path[i]];
  return section;
}

export interface ConceptLocation {
  path: SectionPath;
  section: Section;
  index: number;
  concept: Concept;
}

export function findConcept(outline: Outline, id: string): ConceptLocation | null {
  const visit = (sections: readonly Section[], prefix: number[]): ConceptLocation | null => {
    for (let i = 0; i < sections.length; i++) {
      const section = sections[i];
      const index = section.concepts.findIndex((c) => c.id === id);
      if (index >= 0) return { path: [...prefix, i], section, index, concept: section.concepts[index] };
      const inner = visit(section.sections, [...prefix, i]);
      if (inner) return inner;
    }
    return null;
  };
  return visit(outline.sections, []);
}

/**
 * Checks the invariants listed at the top of this file; throws UsageError naming the first problem.
 * Parsers run it on everything they read, so a hand-edited or foreign file can't produce an outline
 * that edits or serialisation would mishandle.
 */
const CONCEPT_ID = /^c([1-9][0-9]*)$/;
const SECTION_ID = /^s([1-9][0-9]*)$/;

export function validateOutline(outline: Outline): void {
  const seen = new Set<string>();
  const checkId = (id: string, prefix: "c" | "s", next: number) => {
    const match = (prefix === "c" ? CONCEPT_ID : SECTION_ID).exec(id);
    if (!match) throw new UsageError(`outline: bad ${prefix === "c" ? "concept" : "section"} id '${id}'`);
    if (Number(match[1]) >= next)
      throw new UsageError(`outline: id '${id}' is not below the outline's id counter`);
    if (seen.has(id)) throw new UsageError(`outline: duplicate id '${id}'`);
    seen.add(id);
  };
  const checkSpan = (span: Span | null, what: string) => {
    if (span === null) return;
    const [start, end] = span;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
      throw new UsageError(`outline: ${what} has a bad span [${start}, ${end}]`);
    }
    if (outline.source && end > outline.source.chars) {
      throw new UsageError(
        `outline: ${what} span ends at ${end}, past the source's ${outline.source.chars} chars`,
      );
    }
  };
  const visit = (sections: readonly Section[], parentLevel: number, topLevel: boolean) => {
    let previousLevel = MAX_HEADING_LEVEL;
    sections.forEach((section, index) => {
      checkId(section.id, "s", outline.nextSectionId);
      const { level } = section;
      if (!Number.isInteger(level) || level < 0 || level > MAX_HEADING_LEVEL) {
        throw new UsageError(`outline: section ${section.id} has bad level ${level}`);
      }
      if (level === 0) {
        if (!topLevel || index !== 0)
          throw new UsageError(`outline: untitled section ${section.id} must come first`);
        if (section.sections.length > 0)
          throw new UsageError(`outline: untitled section ${section.id} has children`);
      } else {
        if (level <= parentLevel) {
          throw new UsageError(`outline: section ${section.id} (level ${level}) is not below its parent`);
        }
        if (level > previousLevel) {
          throw new UsageError(
            `outline: section ${section.id} (level ${level}) is deeper than its previous sibling`,
          );
        }
        previousLevel = level;
      }
      if (section.targetLength !== undefined) {
        const t = section.targetLength;
        if (!Number.isInteger(t) || t < 1 || t > MAX_TARGET_LENGTH) {
          throw new UsageError(`outline: section ${section.id} has bad target length ${t}`);
        }
      }
      if (normalizeText(section.title) !== section.title) {
        throw new UsageError(`outline: section ${section.id} title has line breaks or untrimmed spaces`);
      }
      if (level === 0 && section.title !== "")
        throw new UsageError(`outline: untitled section ${section.id} has a title`);
      checkSpan(section.span, `section ${section.id}`);
      for (const concept of section.concepts) {
        checkId(concept.id, "c", outline.nextConceptId);
        checkSpan(concept.span, `concept ${concept.id}`);
        if (concept.kind === "sentence") {
          if (concept.block !== undefined)
            throw new UsageError(`outline: sentence ${concept.id} has a block kind`);
          if (concept.text.length === 0) throw new UsageError(`outline: concept ${concept.id} is empty`);
          if (normalizeText(concept.text) !== concept.text) {
            throw new UsageError(`outline: concept ${concept.id} text has line breaks or untrimmed spaces`);
          }
        } else if (concept.kind === "opaque") {
          if (!concept.block || !OPAQUE_KINDS.includes(concept.block)) {
            throw new UsageError(`outline: opaque concept ${concept.id} has no valid block kind`);
          }
        } else {
          throw new UsageError(`outline: concept ${concept.id} has unknown kind '${String(concept.kind)}'`);
        }
      }
      visit(section.sections, level, false);
    });
  };
  visit(outline.sections, 0, true);
}
