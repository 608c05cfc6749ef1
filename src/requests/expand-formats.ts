/**
 * An expansion as `lcm expand --format json` writes it (snake_case, docs in `lcm expand --help`). The
 * server's JSON is the protocol's (server/results.ts).
 */
import type { ExpandResult } from "../tasks/expand-outline.js";
import { groundingJson, samplerSettingsJson, timingsJson } from "./result-json.js";

export function expandJson(result: ExpandResult): unknown {
  const { stats, settings } = result;
  return {
    document: result.document,
    lang: result.lang,
    sections: result.sections.map((s) => ({
      id: s.id,
      title: s.title,
      level: s.level,
      target: s.target,
      concepts: s.concepts,
      opaque: s.opaque.map((c) => ({ id: c.id, kind: c.block, span: c.span })),
      stop: s.stop,
    })),
    concepts: result.concepts.map((c) => ({
      text: c.text,
      pinned: c.pinned,
      source_id: c.sourceId,
      grounding: groundingJson(c.grounding),
      grounded: c.grounded,
      rendering: c.rendering,
      source_index: c.sourceIndex,
      section: c.section,
    })),
    source: {
      lang: result.source.lang,
      lang_method: result.source.langMethod,
      sentences: stats.sourceSentences,
    },
    settings: {
      model: settings.model,
      ...samplerSettingsJson(settings),
      grounded: settings.grounded,
      grounding_threshold: settings.groundingThreshold,
      template: settings.template,
    },
    stats: {
      timings_ms: timingsJson(stats.timings),
      source_sentences: stats.sourceSentences,
      generated: stats.generated,
      pinned: stats.pinned,
      generation_calls: stats.calls,
      denoiser_runs: stats.denoiserRuns,
      discarded: stats.discarded,
    },
  };
}
