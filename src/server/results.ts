/**
 * Library results -> the JSON the protocol sends (docs/protocol.md). Every output concept carries
 * `span`, the [start, end) of the source sentence it is nearest to (the one shown when grounded), and
 * its `grounding` (the nearest source sentences with their spans), so an editor can jump from a summary
 * sentence to its source. Vectors are left out unless asked for: they are large and editors rarely
 * need them.
 */

import type { Span } from "../planner/outline.js";
import { coverageJson, coversOf, groundingJson, timingsJson } from "../requests/result-json.js";
import { type ExpandResult, renderDocument } from "../tasks/expand-outline.js";
import { isShown, sourceMarker } from "../tasks/render.js";
import type { SummaryResult } from "../tasks/summarize.js";
import type { OutputConcept } from "../tasks/task-types.js";
import { wholeSentences } from "../tasks/whole-sentences.js";
import type { StoredConcept, StoredResult, StoredSource } from "./result-store.js";

export interface ConceptJson {
  index: number;
  text: string;
  grounded: boolean;
  rendering: string;
  /** Where the text came from, for the reader: "[sN]", "[sN decoded]", or null (docs/protocol.md). */
  marker: string | null;
  /** Whether a reader should see it (false: the end-of-text sentinel, a withheld rendering). */
  shown: boolean;
  section: number | null;
  span: Span | null;
  grounding: {
    index: number;
    score: number;
    span: Span | null;
    location?: Record<string, string | number>;
  }[];
  vector?: number[];
}

/** Float32 values with 9 significant digits: exact for float32, without float64 noise. */
export function vectorJson(vector: Float32Array): number[] {
  return Array.from(vector, (v) => Number(v.toPrecision(9)));
}

function conceptJson(
  concept: OutputConcept,
  index: number,
  sourceSpans: (Span | null)[],
  vectors: boolean,
): ConceptJson {
  const nearest = concept.sourceIndex ?? concept.grounding[0]?.index;
  const out: ConceptJson = {
    index,
    text: concept.text,
    grounded: concept.grounded,
    rendering: concept.rendering,
    marker: sourceMarker(concept),
    shown: isShown(concept.rendering),
    section: concept.section,
    span: nearest === undefined ? null : (sourceSpans[nearest] ?? null),
    grounding: groundingJson(concept.grounding),
  };
  if (vectors) out.vector = vectorJson(concept.vector);
  return out;
}

export function summaryJson(result: SummaryResult, resultId: string, uri: string | null, vectors: boolean) {
  const spans = result.source.sentences.map((s) => s.span);
  const covers = coversOf(result.coverage, result.concepts.length);
  return {
    resultId,
    uri,
    summary: result.summary,
    lang: result.lang,
    concepts: result.concepts.map((c, i) => ({ ...conceptJson(c, i, spans, vectors), covers: covers[i] })),
    sections: result.sections,
    hierarchy: result.hierarchy,
    coverage: coverageJson(result.coverage),
    source: {
      format: result.source.format,
      lang: result.source.lang,
      langMethod: result.source.langMethod,
      sentences: result.source.sentences.length,
    },
    settings: result.settings,
    stops: result.stops,
    stats: { ...result.stats, timings: timingsJson(result.stats.timings) },
  };
}

export function expandJson(result: ExpandResult, resultId: string, uri: string | null, vectors: boolean) {
  const spans = result.source.sentences.map((s) => s.span);
  return {
    resultId,
    uri,
    document: result.document,
    lang: result.lang,
    concepts: result.concepts.map((c, i) => ({
      ...conceptJson(c, i, spans, vectors),
      pinned: c.pinned,
      sourceId: c.sourceId,
    })),
    sections: result.sections.map((s) => ({
      id: s.id,
      title: s.title,
      level: s.level,
      target: s.target,
      concepts: s.concepts,
      opaque: s.opaque.map((o) => ({ id: o.id, kind: o.block ?? "other", text: o.text, span: o.span })),
      stop: s.stop,
    })),
    source: {
      lang: result.source.lang,
      langMethod: result.source.langMethod,
      sentences: result.source.sentences.length,
    },
    settings: result.settings,
    stats: { ...result.stats, timings: timingsJson(result.stats.timings) },
  };
}

/**
 * What `render` needs later: vectors, grounding, and the source sentences grounding points at, each
 * whole (a sentence the cap cut is shown with all its pieces, as when it was first rendered).
 */
function storedSources(
  concepts: readonly OutputConcept[],
  source: { sentences: readonly { text: string; lang: string; span: Span | null }[]; maxChars: number },
): Map<number, StoredSource> {
  const { sentences } = source;
  const whole = wholeSentences(sentences, source.maxChars);
  const sources = new Map<number, StoredSource>();
  for (const c of concepts) {
    for (const index of [c.grounding[0]?.index, c.sourceIndex ?? undefined]) {
      if (index !== undefined && sentences[index])
        sources.set(index, { text: whole.text(index), lang: sentences[index].lang });
    }
  }
  return sources;
}

function storedConcept(c: OutputConcept): StoredConcept {
  return {
    vector: c.vector,
    grounding: c.grounding,
    rendering: c.rendering,
    sourceIndex: c.sourceIndex,
    text: c.text,
  };
}

export function storeSummary(result: SummaryResult): StoredResult {
  const sections = result.sections;
  return {
    kind: "summary",
    concepts: result.concepts.map(storedConcept),
    sources: storedSources(result.concepts, result.source),
    grounded: result.settings.grounded,
    groundingThreshold: result.settings.groundingThreshold,
    // The same layout summarize() gives: titled sections as "title\nbody", blank lines between them.
    compose: (rendered) => {
      const text = (i: number) => (isShown(rendered[i].rendering) ? [rendered[i].text] : []);
      return sections
        ? sections
            .map((s) => {
              const body = s.concepts.flatMap(text).join(" ");
              return s.title ? `${s.title}\n${body}` : body;
            })
            .join("\n\n")
        : rendered.flatMap((_, i) => text(i)).join(" ");
    },
  };
}

export function storeExpansion(result: ExpandResult): StoredResult {
  const sections = result.sections;
  return {
    kind: "expand",
    concepts: result.concepts.map((c) => ({ ...storedConcept(c), fixedText: c.pinned ? c.text : undefined })),
    sources: storedSources(result.concepts, result.source),
    grounded: result.settings.grounded,
    groundingThreshold: result.settings.groundingThreshold,
    // The same Markdown expandOutline() writes, with the texts in the new language.
    compose: (rendered) => renderDocument(sections, rendered),
  };
}
