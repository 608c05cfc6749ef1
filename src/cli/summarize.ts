/**
 * `lcm summarize FILE|-`: a document -> a short summary generated in concept space by the LCM, with
 * every generated sentence grounded in the source sentences it is closest to. Formats: the summary as
 * text, Markdown with footnotes to the source, or JSON with spans and timings.
 */

import type { Command } from "commander";
import { isBatchInvocation } from "../batch/summarize-batch.js";
import { summarizeForBatch } from "../batch/summarize-document.js";
import { readInput } from "../inputs/read-input.js";
import { detectFormat } from "../planner/document-format.js";
import { FIELDS } from "../requests/fields.js";
import { formatSummary } from "../requests/summary-formats.js";
import { isLengthPreset, type LengthPreset } from "../tasks/lengths.js";
import { type SummarizeOptions, type SummaryResult, summarize } from "../tasks/summarize.js";
import { UsageError } from "../util/errors.js";
import { BATCH_HELP, type BatchFlags, prepareBatch, runBatchCommand, withBatchOptions } from "./batch.js";
import { interruptSignal } from "./codec-options.js";
import { action, type CommonOptions, withCommonOptions, writeOut } from "./common.js";
import { fieldOption } from "./field-options.js";
import {
  type LcmFlags,
  openEngine,
  progressReporter,
  taskFlagOptions,
  withLcmOptions,
} from "./lcm-options.js";

interface SummarizeFlags extends LcmFlags, CommonOptions {
  maxConcepts?: number;
  minConcepts?: number;
  salience?: number;
  salienceLength?: number;
  reencode?: boolean;
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
    .addOption(fieldOption(FIELDS.maxConcepts).conflicts("length"))
    .addOption(fieldOption(FIELDS.length).conflicts("maxConcepts"))
    .addOption(fieldOption(FIELDS.minConcepts))
    .addOption(fieldOption(FIELDS.salience))
    .addOption(fieldOption(FIELDS.salienceLength))
    .addOption(fieldOption(FIELDS.reencode));
  withBatchOptions(withCommonOptions(withLcmOptions(command), ["text", "md", "json", "jsonl"]))
    .addHelpText("after", BATCH_HELP)
    .addHelpText(
      "after",
      `
Lengths: short ~4% of the document's sentences (1..5), medium ~8% (3..10), long ~15% (5..20).
A summary has the length asked for; --min-concepts N lets the model's stop rules end it after N.

A document longer than the model's context is summarized in parts, then their summaries; under such
a summary, text and md list the document's sections and which summary sentences stand for each
("Sections covered: 5 of 7 (71%)"); JSON reports that for every document with two or more sections.

Formats:
  text  the summary; sentences taken from the source end in [sN] (source sentence N), [sN decoded]
        when rendered into another language
  md    the summary as Markdown (template sections as headings), source sentences as footnotes
  json  {"summary", "concepts": [{"text", "grounding": [{"index", "score", "span"}], "grounded", "rendering",
         "shown", "marker", "covers"}], "coverage": {"by", "total", "covered", "share", "sections":
         [{"title", "start", "end", "span", "concepts"}]},
         "hierarchy", "source", "settings", "stats": {"timings_ms": {"segment", "encode", "generate",
         "decode", "total"}, ...}}; spans are [start, end) offsets (UTF-16 code units) into the input;
         "covers" is the index in coverage.sections of the section a concept's source sentence is in

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
  const options: SummarizeOptions = {
    ...(await taskFlagOptions(flags)),
    maxConcepts: flags.maxConcepts,
    minConcepts: flags.minConcepts,
    salience: flags.salience,
    salienceLength: flags.salienceLength,
    reencode: flags.reencode,
    length: flags.length,
  };
  // Several inputs, a directory or pattern, --out or jsonl: the batch runner (src/batch) takes over.
  if (await isBatchInvocation(files, flags)) {
    const shard = await prepareBatch(flags);
    const engine = await openEngine(flags);
    try {
      await runBatchCommand(files, flags, shard, (doc, context) =>
        summarizeForBatch(engine, doc, options, context),
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
        locations: doc.locations,
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
  const format = flags.format === "json" || flags.format === "md" ? flags.format : "text";
  writeOut(formatSummary(result, format, { lcm: engine.spec.manifest.name, codec: engine.codec.name }));
}
