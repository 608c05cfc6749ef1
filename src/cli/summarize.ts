/**
 * `lcm summarize FILE|-`: a document -> a short summary generated in concept space by the LCM, with
 * every generated sentence grounded in the source sentences it is closest to. Formats: the summary as
 * text, Markdown with footnotes to the source, or JSON with spans and timings.
 */

import type { Command } from "commander";
import { Option } from "commander";
import { isBatchInvocation } from "../batch/summarize-batch.js";
import { summarizeForBatch } from "../batch/summarize-document.js";
import { readInput } from "../inputs/read-input.js";
import { detectFormat } from "../planner/document-format.js";
import { isLengthPreset, type LengthPreset } from "../tasks/lengths.js";
import { isShown, sourceMarker } from "../tasks/render.js";
import { type SummarizeOptions, type SummaryResult, summarize } from "../tasks/summarize.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import { BATCH_HELP, type BatchFlags, prepareBatch, runBatchCommand, withBatchOptions } from "./batch.js";
import { interruptSignal } from "./codec-options.js";
import { action, type CommonOptions, parsePositiveInt, withCommonOptions, writeOut } from "./common.js";
import {
  generationOptions,
  groundingJson,
  type LcmFlags,
  openEngine,
  progressReporter,
  samplerSettingsJson,
  templateFrom,
  timingsJson,
  withLcmOptions,
} from "./lcm-options.js";

interface SummarizeFlags extends LcmFlags, CommonOptions {
  maxConcepts?: number;
  minConcepts?: number;
  length?: LengthPreset;
}

export function registerSummarize(program: Command): void {
  const command = program
    .command("summarize")
    .description(
      "Summarize a document in concept space: its sentences become concepts, the LCM generates the\n" +
        "summary's concepts one at a time, and the decoder renders them in the output language. Every\n" +
        "generated sentence lists the source sentences it is closest to. By default (grounded) a\n" +
        "sentence that restates one of them is shown as that source sentence, marked [sN] ([sN decoded]\n" +
        "when rendered into another language); --no-grounded shows the decoder's own text, which with\n" +
        "the bundled models reads far worse. Documents longer than the model's context\n" +
        "are summarized section by section, then the section summaries are summarized.",
    )
    .argument(
      "<files...>",
      "documents (Markdown, plain text, PDF, Word .docx, EPUB, HTML), directories, glob patterns, or - for stdin",
    )
    .addOption(
      new Option("-n, --max-concepts <n>", "summary length, in concepts (sentences)")
        .argParser(parsePositiveInt("--max-concepts"))
        .conflicts("length"),
    )
    .addOption(
      new Option("--length <preset>", "summary length relative to the document (default: medium)")
        .choices(["short", "medium", "long"])
        .conflicts("maxConcepts"),
    )
    .addOption(
      new Option(
        "--min-concepts <n>",
        "let the stop rules end the summary after N concepts (default: none before the length asked for)",
      ).argParser(parsePositiveInt("--min-concepts")),
    );
  withBatchOptions(withCommonOptions(withLcmOptions(command), ["text", "md", "json", "jsonl"]))
    .addHelpText("after", BATCH_HELP)
    .addHelpText(
      "after",
      `
Lengths: short ~4% of the document's sentences (1..5), medium ~8% (3..10), long ~15% (5..20).
A summary has the length asked for; --min-concepts N lets the model's stop rules end it after N.

Formats:
  text  the summary; sentences taken from the source end in [sN] (source sentence N), [sN decoded]
        when rendered into another language
  md    the summary as Markdown (template sections as headings), source sentences as footnotes
  json  {"summary", "concepts": [{"text", "grounding": [{"index", "score", "span"}], "grounded", "rendering",
         "shown", "marker"}],
         "hierarchy", "source", "settings", "stats": {"timings_ms": {"segment", "encode", "generate",
         "decode", "total"}, ...}}; spans are [start, end) offsets (UTF-16 code units) into the input

Examples:
  $ lcm summarize examples/problems-of-philosophy.md              source sentences, marked [sN]
  $ lcm summarize examples/problems-of-philosophy.md --no-grounded   the decoder's own renderings
  $ lcm summarize report.md --length short --lang fra_Latn       a short summary in French
  $ lcm summarize minutes.txt --template meeting-notes --format md
  $ lcm summarize article.txt --format json > summary.json
  $ lcm summarize article.txt --model base                        the Base-LCM baseline
  $ cat notes.md | lcm summarize - --seed 3 --steps 20`,
    )
    .action(action(runSummarize));
}

async function runSummarize(files: string[], flags: SummarizeFlags & BatchFlags): Promise<void> {
  if (flags.length !== undefined && !isLengthPreset(flags.length)) {
    throw new UsageError(`--length must be short, medium or long, got '${flags.length}'`);
  }
  const template = await templateFrom(flags);
  const options: SummarizeOptions = {
    ...generationOptions(flags),
    lang: flags.lang,
    sourceLang: flags.sourceLang,
    maxConcepts: flags.maxConcepts,
    minConcepts: flags.minConcepts,
    length: flags.length,
    template,
    grounded: flags.grounded,
    groundingThreshold: flags.groundingThreshold,
    decode: flags.beam ? { beam: flags.beam } : undefined,
  };
  // Several inputs, a directory or pattern, --out or jsonl: the batch runner (src/batch) takes over.
  if (await isBatchInvocation(files, flags)) {
    const shard = await prepareBatch(flags);
    const engine = await openEngine(flags);
    const formatters = {
      text: (r: SummaryResult) => summaryText(r),
      md: summaryMarkdown,
      json: (r: SummaryResult) => summaryJson(r, engine.spec.manifest.name, engine.codec.name),
    };
    try {
      await runBatchCommand(files, flags, shard, (doc, context) =>
        summarizeForBatch(engine, doc, options, context, formatters),
      );
    } finally {
      await engine.release();
    }
    return;
  }
  const file = files[0];
  const doc = await readInput(file);
  const engine = await openEngine(flags);
  const progress = progressReporter("summarize", flags);
  let result: SummaryResult;
  try {
    result = await summarize(
      engine,
      {
        text: doc.text,
        name: doc.name,
        format: detectFormat(file === "-" ? null : file, doc.text, doc.format),
      },
      options,
      { onProgress: progress.onProgress, signal: interruptSignal() },
    );
  } finally {
    progress.done();
    await engine.release();
  }
  if (result.hierarchy && !flags.quiet && flags.format !== "json") {
    const chunks = result.hierarchy.chunks.filter((c) => c.level === 1).length;
    process.stderr.write(
      `lcm: ${result.stats.sourceSentences} sentences are more than the model's context of ${result.settings.maxContext} concepts: summarized ${chunks} parts, then their summaries\n`,
    );
  }
  if (flags.format === "json")
    writeOut(JSON.stringify(summaryJson(result, engine.spec.manifest.name, engine.codec.name)));
  else if (flags.format === "md") writeOut(summaryMarkdown(result));
  else writeOut(summaryText(result));
}

/** The summary as text; sentences taken from the source carry their marker ([sN], [sN decoded]). */
export function summaryText(result: SummaryResult): string {
  const sentence = (i: number) => {
    const c = result.concepts[i];
    const text = toDisplayLine(c.text);
    const marker = sourceMarker(c);
    return marker ? `${text} ${marker}` : text;
  };
  const shown = (i: number) => (isShown(result.concepts[i].rendering) ? [sentence(i)] : []);
  if (!result.sections) return result.concepts.flatMap((_, i) => shown(i)).join(" ");
  return result.sections
    .map((s) => {
      const body = s.concepts.flatMap(shown).join(" ");
      return s.title ? `${toDisplayLine(s.title)}\n${body}` : body;
    })
    .join("\n\n");
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
  return {
    summary: result.summary,
    lang: result.lang,
    concepts: result.concepts.map((c) => ({
      text: c.text,
      grounding: groundingJson(c.grounding),
      grounded: c.grounded,
      rendering: c.rendering,
      // What a reader sees: false for a decoded sentinel or a withheld rendering; the [sN] marker.
      shown: isShown(c.rendering),
      marker: sourceMarker(c),
      source_index: c.sourceIndex,
      ...(result.sections ? { section: c.section } : {}),
    })),
    sections:
      result.sections?.map((s) => ({ title: s.title, target: s.target, concepts: s.concepts })) ?? null,
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
