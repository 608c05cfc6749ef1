/**
 * The outline as the rows the outline pane shows: section headings and concepts in document order,
 * minus what folded sections hide, limited to the zoomed section's subtree. Untitled sections (the
 * text before the first heading) have no heading row; their concepts sit at the top level.
 *
 * Sentence counts per section are cached on the (immutable) section objects: an edit rebuilds only
 * the sections on its path, so the rest keep their cached counts.
 */
import type { Concept, Outline, Section } from "../../planner/outline.js";
import type { RowKey } from "./types.js";

export interface SectionRow {
  readonly kind: "section";
  readonly key: RowKey;
  readonly id: string;
  readonly section: Section;
  readonly depth: number;
  readonly folded: boolean;
  /** Sentence concepts in the section and its subsections. */
  readonly sentences: number;
  readonly parent: string | null;
}

export interface ConceptRow {
  readonly kind: "concept";
  readonly key: RowKey;
  readonly id: string;
  readonly concept: Concept;
  readonly section: Section;
  readonly depth: number;
  /** 1-based position among the document's sentences (as `lcm outline` numbers them); null for opaque blocks. */
  readonly number: number | null;
}

export type Row = SectionRow | ConceptRow;

export const sectionKey = (id: string): RowKey => `s:${id}`;
export const conceptKey = (id: string): RowKey => `c:${id}`;

export function keyId(key: RowKey): { kind: "section" | "concept"; id: string } {
  return { kind: key.startsWith("s:") ? "section" : "concept", id: key.slice(2) };
}

const sentenceCounts = new WeakMap<Section, number>();

export function subtreeSentences(section: Section): number {
  const cached = sentenceCounts.get(section);
  if (cached !== undefined) return cached;
  let n = 0;
  for (const c of section.concepts) if (c.kind === "sentence") n++;
  for (const child of section.sections) n += subtreeSentences(child);
  sentenceCounts.set(section, n);
  return n;
}

let memo: { outline: Outline; folded: readonly string[]; zoom: string | null; rows: Row[] } | null = null;

/** The visible rows; the last answer is remembered, so asking again for the same state is free. */
export function visibleRows(outline: Outline, folded: readonly string[], zoom: string | null): Row[] {
  if (memo && memo.outline === outline && memo.folded === folded && memo.zoom === zoom) return memo.rows;
  const rows = computeRows(outline, new Set(folded), zoom);
  memo = { outline, folded, zoom, rows };
  return rows;
}

function computeRows(outline: Outline, folded: ReadonlySet<string>, zoom: string | null): Row[] {
  const rows: Row[] = [];
  let number = 0; // sentences seen so far, shown or not, so numbering stays document-wide
  const emit = (section: Section, depth: number, parent: string | null) => {
    const titled = isTitled(section);
    const isFolded = folded.has(section.id);
    if (titled) {
      rows.push({
        kind: "section",
        key: sectionKey(section.id),
        id: section.id,
        section,
        depth,
        folded: isFolded,
        sentences: subtreeSentences(section),
        parent,
      });
    }
    if (isFolded && titled) {
      number += subtreeSentences(section);
      return;
    }
    const childDepth = titled ? depth + 1 : depth;
    for (const concept of section.concepts) {
      const n = concept.kind === "sentence" ? ++number : null;
      rows.push({
        kind: "concept",
        key: conceptKey(concept.id),
        id: concept.id,
        concept,
        section,
        depth: childDepth,
        number: n,
      });
    }
    for (const child of section.sections) emit(child, childDepth, section.id);
  };
  // Zoomed: walk down to the zoomed section, counting what comes before it, and show only its subtree.
  const walkToZoom = (sections: readonly Section[], parent: string | null) => {
    for (const s of sections) {
      if (s.id === zoom) emit(s, 0, parent);
      else if (containsSection(s, zoom!)) {
        for (const c of s.concepts) if (c.kind === "sentence") number++;
        walkToZoom(s.sections, s.id);
      } else number += subtreeSentences(s);
    }
  };
  if (zoom !== null && outline.sections.some((s) => s.id === zoom || containsSection(s, zoom))) {
    walkToZoom(outline.sections, null);
  } else {
    for (const section of outline.sections) emit(section, 0, null);
  }
  return rows;
}

export function isTitled(section: Section): boolean {
  return section.level > 0 || section.title !== "";
}

function containsSection(section: Section, id: string): boolean {
  return section.sections.some((c) => c.id === id || containsSection(c, id));
}

export function rowIndex(rows: readonly Row[], key: RowKey | null): number {
  if (key === null) return rows.length > 0 ? 0 : -1;
  return rows.findIndex((r) => r.key === key);
}

/** Ids of the sections enclosing a concept or section, outermost first (the section itself excluded). */
export function ancestorsOf(outline: Outline, key: RowKey): string[] {
  const { kind, id } = keyId(key);
  const path: string[] = [];
  const visit = (sections: readonly Section[]): boolean => {
    for (const s of sections) {
      if (kind === "section" && s.id === id) return true;
      if (kind === "concept" && s.concepts.some((c) => c.id === id)) {
        path.push(s.id);
        return true;
      }
      path.push(s.id);
      if (visit(s.sections)) return true;
      path.pop();
    }
    return false;
  };
  return visit(outline.sections) ? path : [];
}

/** Every titled section id, in document order. */
export function allSectionIds(outline: Outline): string[] {
  const ids: string[] = [];
  const visit = (sections: readonly Section[]) => {
    for (const s of sections) {
      if (isTitled(s)) ids.push(s.id);
      visit(s.sections);
    }
  };
  visit(outline.sections);
  return ids;
}
