/**
 * A summary as `lcm summarize` writes it, in each of its formats: text (sentences taken from the source
 * marked [sN]), Markdown with footnotes to the source, and the CLI's JSON (snake_case, docs in
 * `lcm summarize --help`). The single-document command and the batch runner both write these, so a
 * batch file holds exactly what `lcm summarize FILE` prints. (The server's JSON is the protocol's,
 * server/results.ts.)
 */
import { isShown, sourceMarker } from "../tasks/render.js";
import type { SummaryResult } from "../tasks/summarize.js";
import { toDisplayLine } from "../util/sanitize.js";
import { coverageJson, coversOf, groundingJson, samplerSettingsJson, timingsJson } from "./result-json.js";

/** The summary as text; sentences taken from the source carry their marker ([sN], [sN decoded]). */
export function summaryText(result: SummaryResult): string {
  const sentence = (i: number) => {
    const c = result.concepts[i];
    const text = toDisplayLine(c.text);
    const marker = sourceMarker(c);
    return marker ? `${text} ${marker}` : text;
  };
  const shown = (i: number) => (isShown(result.concepts[i].rendering) ? [sentence(i)] : []);
  const footer = coverageFooter(result);
  const coverage = footer ? `\n\n${footer.head}\n${footer.rows.map((r) => `  ${r}`).join("\n")}` : "";
  if (!result.sections) return result.concepts.flatMap((_, i) => shown(i)).join(" ") + coverage;
  return (
    result.sections
      .map((s) => {
        const body = s.concepts.flatMap(shown).join(" ");
        return s.title ? `${toDisplayLine(s.title)}\n${body}` : body;
      })
      .join("\n\n") + coverage
  );
}

/**
 * For a document past the context (summarized in parts), which of its sections the summary speaks for:
 * "Sections covered: 4 of 6 (67%), ...", then one row per section naming the summary sentences
 * (numbered as shown, from 1) that stand for it, or "not covered". Null for a document that fit, or has one section.
 */
function coverageFooter(result: SummaryResult): { head: string; rows: string[] } | null {
  const { coverage } = result;
  if (!coverage || !result.hierarchy) return null;
  const number = new Map<number, number>();
  result.concepts.forEach((c, i) => {
    if (isShown(c.rendering)) number.set(i, number.size + 1);
  });
  const noun = coverage.by === "section" ? "Sections" : "Parts";
  const percent = Math.round(coverage.share * 100);
  const rows = coverage.sections.map((s) => {
    const numbers = s.concepts.flatMap((i) => number.get(i) ?? []);
    const title = toDisplayLine(s.title) || "(untitled)";
    if (numbers.length === 0) return `${title}: not covered`;
    return `${title}: sentence${numbers.length > 1 ? "s" : ""} ${numbers.join(", ")}`;
  });
  const head = `${noun} covered: ${coverage.covered} of ${coverage.sections.length} (${percent}%), by the summary's sentences:`;
  return { head, rows };
}

export function summaryMarkdown(result: SummaryResult): string {
  const notes = new Map<number, string>();
  const sentence = (i: number) => {
    const c = result.concepts[i];
    const text = toDisplayLine(c.text);
    if (!c.grounded || c.sourceIndex === null) return text;
    const source = result.source.sentences[c.sourceIndex];
    const where = source.span ? `, characters ${source.span[0]}-${source.span[1]}` : "";
    const how = c.rendering === "source-decoded" ? ", decoded into the output language (not its words)" : "";
    notes.set(c.sourceIndex, `[^s${c.sourceIndex + 1}]: Source sentence ${c.sourceIndex + 1}${where}${how}.`);
    return `${text}[^s${c.sourceIndex + 1}]`;
  };
  const sections = result.sections ?? [
    { title: "", level: 0, target: 0, concepts: result.concepts.map((_, i) => i) },
  ];
  const parts = sections.map((s) => {
    const body = s.concepts
      .filter((i) => isShown(result.concepts[i].rendering))
      .map(sentence)
      .join(" ");
    return s.title ? `## ${toDisplayLine(s.title)}\n\n${body}` : body;
  });
  const footer = coverageFooter(result);
  if (footer) parts.push(`**${footer.head}**\n\n${footer.rows.map((r) => `- ${r}`).join("\n")}`);
  if (notes.size > 0)
    parts.push(
      [...notes.entries()]
        .sort((a, b) => a[0] - b[0])
        .map((e) => e[1])
        .join("\n"),
    );
  return parts.join("\n\n");
}

export function summaryJson(result: SummaryResult, lcm: string, codec: string): unknown {
  const { stats, settings } = result;
  const covers = coversOf(result.coverage, result.concepts.length);
  return {
    summary: result.summary,
    lang: result.lang,
    concepts: result.concepts.map((c, i) => ({
      text: c.text,
      grounding: groundingJson(c.grounding),
      grounded: c.grounded,
      rendering: c.rendering,
      // What a reader sees: false for a decoded sentinel or a withheld rendering; the [sN] marker.
      shown: isShown(c.rendering),
      marker: sourceMarker(c),
      source_index: c.sourceIndex,
      ...(result.sections ? { section: c.section } : {}),
      covers: covers[i],
    })),
    sections:
      result.sections?.map((s) => ({ title: s.title, target: s.target, concepts: s.concepts })) ?? null,
    coverage: coverageJson(result.coverage),
    hierarchical: result.hierarchy !== null,
    hierarchy: result.hierarchy && {
      levels: result.hierarchy.levels,
      chunks: result.hierarchy.chunks.map((c) => ({
        level: c.level,
        start: c.start,
        end: c.end,
        titles: c.titles,
        span: c.span,
        summary_concepts: c.summaryConcepts,
        stop: c.stop,
      })),
    },
    source: {
      name: result.source.name,
      format: result.source.format,
      lang: result.source.lang,
      lang_method: result.source.langMethod,
      sentences: result.source.sentences.length,
    },
    model: { lcm, codec, kind: settings.model },
    settings: {
      ...samplerSettingsJson(settings),
      eot_threshold: settings.eotThreshold,
      repeat_threshold: settings.repeatThreshold,
      max_concepts: settings.maxConcepts,
      max_context: settings.maxContext,
      grounded: settings.grounded,
      grounding_threshold: settings.groundingThreshold,
      grounding_space: "normalized",
      salience: settings.salience,
      salience_length: settings.salienceLength,
      salience_space: settings.salienceSpace,
      reencode: settings.reencode,
      template: settings.template,
    },
    stops: result.stops,
    stats: {
      timings_ms: timingsJson(stats.timings),
      source_sentences: stats.sourceSentences,
      source_chars: stats.sourceChars,
      source_words: stats.sourceWords,
      generated: stats.generated,
      grounded: stats.grounded,
      generation_calls: stats.calls,
      denoiser_runs: stats.denoiserRuns,
      context_runs: stats.contextRuns,
      discarded: stats.discarded,
      encode_cache_hits: stats.encodeCacheHits,
      truncated: stats.truncated,
    },
  };
}

/** The models a summary names in its JSON. */
export interface SummaryModels {
  lcm: string;
  codec: string;
}

/** The summary in one of the CLI's formats, as the text written (JSON on one line). */
export function formatSummary(result: SummaryResult, format: "text" | "md" | "json", models: SummaryModels) {
  if (format === "json") return JSON.stringify(summaryJson(result, models.lcm, models.codec));
  return format === "md" ? summaryMarkdown(result) : summaryText(result);
}
