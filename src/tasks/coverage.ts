/**
 * Which parts of the document a summary covers: readers of a long document's summary want to see that
 * it speaks for the whole of it, not its first chapters. The document's sections are the first level
 * of its outline with two or more (a lone top section, such as a book's title heading, is looked
 * through); a document without headings that was too long for the context is taken in the parts the
 * summarizer read separately (the hierarchy's first-level chunks). A summary sentence covers the
 * section of the source sentence it stands for: the one shown, when grounded, else the nearest one
 * (its first grounding match).
 */
import type { SourceLocation } from "../inputs/source-locations.js";
import type { Span } from "../planner/outline.js";
import type { SourceUnit } from "./hierarchy.js";
import type { SourceSentence } from "./source-concepts.js";
import type { OutputConcept } from "./task-types.js";

export interface CoveredSection {
  /** The heading, or "" for text before the first heading; parts are titled "part k of N". */
  title: string;
  /** Source sentences [start, end). */
  start: number;
  end: number;
  /** Characters of the input the section spans. */
  span: Span | null;
  /** Where it starts in the file the user has (converted documents). */
  location?: SourceLocation;
  /** The summary concepts (indices into the summary's concepts) that stand for a sentence in it. */
  concepts: number[];
}

export interface Coverage {
  /** "section": the outline's headings; "part": the separately read chunks of a document without them. */
  by: "section" | "part";
  sections: CoveredSection[];
  /** Sections with at least one summary concept. */
  covered: number;
  /** covered / sections, 0..1. */
  share: number;
}

/** The summary concept -> source sentence it stands for (null: none, e.g. a decoded sentinel). */
export function sourceOfConcept(concept: Pick<OutputConcept, "sourceIndex" | "grounding">): number | null {
  return concept.sourceIndex ?? concept.grounding[0]?.index ?? null;
}

/**
 * The summary's coverage of the document's sections, or null when the document has fewer than two
 * (nothing to cover but the whole). `parts`: the hierarchy's first-level chunks, when there was one.
 */
export function summaryCoverage(
  units: readonly SourceUnit[],
  sentences: readonly SourceSentence[],
  concepts: readonly Pick<OutputConcept, "sourceIndex" | "grounding" | "rendering">[],
  parts: readonly { start: number; end: number }[] | null,
): Coverage | null {
  const headed = sectionLevel(units);
  const ranges: { title: string; start: number; end: number }[] | null = headed
    ? headed
    : parts && parts.length >= 2
      ? parts.map((p, k) => ({ title: `part ${k + 1} of ${parts.length}`, start: p.start, end: p.end }))
      : null;
  if (!ranges) return null;
  const sections: CoveredSection[] = ranges.map((r) => {
    const first = sentences[r.start];
    const last = sentences[r.end - 1];
    return {
      title: r.title,
      start: r.start,
      end: r.end,
      span: first?.span && last?.span ? [first.span[0], last.span[1]] : null,
      ...(first?.location && { location: first.location }),
      concepts: [],
    };
  });
  concepts.forEach((c, i) => {
    if (c.rendering === "sentinel" || c.rendering === "withheld") return;
    const source = sourceOfConcept(c);
    if (source === null) return;
    const section = sections.find((s) => source >= s.start && source < s.end);
    section?.concepts.push(i);
  });
  const covered = sections.filter((s) => s.concepts.length > 0).length;
  return { by: headed ? "section" : "part", sections, covered, share: covered / sections.length };
}

/**
 * The first level of the outline with two or more non-empty sections, as sentence ranges; a lone
 * section is looked through (its own opening text, when it has some, becomes an untitled section).
 */
function sectionLevel(units: readonly SourceUnit[]): { title: string; start: number; end: number }[] | null {
  let level = units.filter((u) => u.end > u.start);
  while (level.length === 1) {
    const only = level[0];
    const children = (only.children ?? []).filter((u) => u.end > u.start);
    if (children.length === 0) return null;
    const opening =
      children[0].start > only.start
        ? [{ title: only.title, start: only.start, end: children[0].start }]
        : [];
    level = [...opening, ...children];
  }
  if (level.length < 2) return null;
  return level.map((u) => ({ title: u.title, start: u.start, end: u.end }));
}
