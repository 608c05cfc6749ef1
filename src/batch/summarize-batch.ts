/**
 * Summarizing many documents: inputs expanded (inputs.ts), up to `jobs` documents at a time, each
 * written as soon as it is done: to its own file under `out` (atomic, never over an existing file
 * unless `force`), or to stdout (`jsonl`: one JSON object per document; text/md: each summary after
 * a `==> path <==` header, as `head` does). A document that fails is reported (stderr line, and a
 * `{"ok": false}` record in jsonl) and counted; the others go on. Output order is completion order.
 * A document whose summary file already exists is skipped, not failed, so a rerun (a retried shard
 * of a cluster job) finishes what is left and exits 0; `force` redoes it. With a shard (shard.ts)
 * only that shard's documents run; output paths are planned over all of them, so every shard
 * writes the same tree.
 *
 * The summarizer is passed in (the CLI binds it to the opened engine and the user's flags); output
 * goes through the `io` functions, so this module never touches the process's streams itself.
 */
import { lstat, stat } from "node:fs/promises";
import { basename } from "node:path";
import { type InputDocument, readInput } from "../inputs/read-input.js";
import { CancelledError, exitCodeOf, messageOf, OutputExistsError, UsageError } from "../util/errors.js";
import { writeNewFile } from "../util/exclusive-write.js";
import { hasGlobMagic } from "./glob.js";
import { type BatchInput, expandInputs } from "./inputs.js";
import { type OutputFormat, planOutputs } from "./output-paths.js";
import { forEachConcurrent } from "./pool.js";
import { documentWork, formatDuration, formatProgress, StatusLine } from "./progress.js";
import { type Shard, shardPositions } from "./shard.js";

export type FileFormat = Exclude<OutputFormat, "jsonl">;

export interface DocumentContext {
  signal: AbortSignal;
  /** The document's source concepts processed so far (drives concepts/s). */
  onConcepts: (count: number) => void;
  /** How far a stage of this document got (drives the ETA and a long document's own progress). */
  onStage?: (stage: string, done: number, total: number) => void;
}

/** One document's summary, in the shapes the batch writes. */
export interface DocumentSummary {
  /** Source concepts (sentences) the document had. */
  concepts: number;
  /** The summary as a file in `format` (json: one JSON document). */
  render(format: FileFormat): string;
  /** The summary as a JSON value (a jsonl record's body). */
  json(): unknown;
}

export type SummarizeDocument = (doc: InputDocument, context: DocumentContext) => Promise<DocumentSummary>;

export interface BatchOptions {
  format: OutputFormat;
  /** Write one file per input here instead of to stdout. */
  out?: string;
  force?: boolean;
  /** Run only this shard of the inputs (null or absent: all). */
  shard?: Shard | null;
  jobs: number;
  /** Show the progress bar (the caller decides: a TTY or --progress, never --quiet). */
  progress: boolean;
  /** No per-document lines and no final count on stderr (errors are still reported). */
  quiet?: boolean;
  signal?: AbortSignal;
}

export interface BatchIO {
  /** Writes to stdout; resolves when the text is handed over (backpressure). */
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  /** Reads a document (default: inputs/read-input's readInput: validates empty, binary, bad UTF-8). */
  read?: (path: string) => Promise<InputDocument>;
}

export interface DocumentOutcome {
  input: string;
  output: string | null;
  ok: boolean;
  /** Its summary was already there (a rerun): nothing done. */
  skipped?: boolean;
  error?: string;
  ms: number;
}

export interface BatchReport {
  total: number;
  done: number;
  failed: number;
  /** Documents whose summary file already existed. */
  skipped: number;
  /** Documents not started or stopped because the batch was cancelled. */
  cancelled: number;
  concepts: number;
  elapsedMs: number;
  outcomes: DocumentOutcome[];
}

export async function summarizeBatch(
  args: readonly string[],
  options: BatchOptions,
  summarizeDocument: SummarizeDocument,
  io: BatchIO,
): Promise<BatchReport> {
  const { inputs, outputs } = await planBatch(args, options);
  const counts: BatchCounts = { done: 0, failed: 0, skipped: 0, concepts: 0, bytesDone: 0 };
  const started = performance.now();
  const run: BatchRun = {
    options,
    io,
    summarizeDocument,
    fileFormat: options.format === "jsonl" ? "json" : options.format,
    read: io.read ?? readInput,
    signal: options.signal ?? new AbortController().signal,
    counts,
    outcomes: [],
    progress: batchProgress(inputs, counts, started, io.stderr, options.progress),
  };
  run.progress.show(true);

  await forEachConcurrent(
    inputs,
    options.jobs,
    (input, index) => summarizeOne(run, input, outputs?.[index] ?? null, index),
    run.signal,
  );

  run.progress.clear();
  const elapsedMs = performance.now() - started;
  const cancelled = inputs.length - counts.done - counts.failed - counts.skipped;
  const report: BatchReport = {
    total: inputs.length,
    ...counts,
    cancelled,
    elapsedMs,
    outcomes: run.outcomes,
  };
  if (!options.quiet || counts.failed > 0 || cancelled > 0) io.stderr(`${batchSummaryLine(report)}\n`);
  return report;
}

/** What every document's run shares: the caller's settings and the batch's running totals. */
interface BatchRun {
  options: BatchOptions;
  io: BatchIO;
  summarizeDocument: SummarizeDocument;
  fileFormat: FileFormat;
  read: (path: string) => Promise<InputDocument>;
  signal: AbortSignal;
  counts: BatchCounts;
  outcomes: DocumentOutcome[];
  progress: BatchProgress;
}

interface BatchCounts {
  done: number;
  failed: number;
  skipped: number;
  concepts: number;
  bytesDone: number;
}

/**
 * Checks the options, expands the inputs and plans their outputs over all of them, then keeps this
 * shard's: output paths must not depend on the shard, so every shard writes the same tree.
 */
async function planBatch(
  args: readonly string[],
  options: BatchOptions,
): Promise<{ inputs: BatchInput[]; outputs: string[] | null }> {
  if (!Number.isInteger(options.jobs) || options.jobs < 1) {
    throw new UsageError(`--jobs must be a whole number >= 1, got ${options.jobs}`);
  }
  const all = await expandInputs(args, { exclude: options.out });
  if (!options.out && options.format === "json" && all.length > 1) {
    throw new UsageError("several documents make several JSON results: use --format jsonl, or --out DIR");
  }
  const planned = options.out ? planOutputs(all, options.out, options.format) : null;
  const positions = options.shard
    ? shardPositions(
        all.map((i) => i.path),
        options.shard,
      )
    : all.map((_, i) => i);
  const inputs = positions.map((p) => all[p]);
  const outputs = planned ? positions.map((p) => planned[p]) : null;
  return { inputs, outputs };
}

/** A document running now: its size and how far each stage got. */
interface RunningDocument {
  name: string;
  bytes: number;
  stages: Record<string, [number, number]>;
  last: string;
}

interface BatchProgress {
  /** Documents running now, by position in the inputs. */
  running: Map<number, RunningDocument>;
  /** Whether the status line is drawn (then per-document "wrote" lines are left out). */
  drawn: boolean;
  show(force?: boolean): void;
  /** A line on stderr, with the status line moved out of its way and drawn again below it. */
  say(line: string): void;
  clear(): void;
}

/** The status line (drawn only when `draw`), counting running documents' finished stages. */
function batchProgress(
  inputs: readonly BatchInput[],
  counts: BatchCounts,
  started: number,
  stderr: (text: string) => void,
  draw: boolean,
): BatchProgress {
  const bytesTotal = inputs.reduce((n, i) => n + i.bytes, 0);
  const bar = draw ? new StatusLine(stderr) : null;
  const running = new Map<number, RunningDocument>();
  const show = (force = false) => {
    if (!bar) return;
    let partial = 0;
    for (const r of running.values()) partial += r.bytes * documentWork(r.stages);
    const only = running.size === 1 ? [...running.values()][0] : null;
    const progress = formatProgress({
      ...counts,
      done: counts.done + counts.skipped,
      bytesDone: counts.bytesDone + partial,
      total: inputs.length,
      bytesTotal,
      elapsedMs: performance.now() - started,
      current: only?.last ? `${only.name}: ${only.last}` : undefined,
    });
    bar.update(`lcm summarize ${progress}`, force);
  };
  return {
    running,
    drawn: bar !== null,
    show,
    say(line) {
      bar?.clear();
      stderr(`${line}\n`);
      show(true);
    },
    clear: () => bar?.clear(),
  };
}

/**
 * One document, start to finish: skipped when its summary file exists (unless `force`), else read,
 * summarized and written. Its failure is recorded and reported here, so the other documents go on.
 */
async function summarizeOne(
  run: BatchRun,
  input: BatchInput,
  output: string | null,
  index: number,
): Promise<void> {
  const { options, counts, progress } = run;
  const docStart = performance.now();
  const record = (fields: { ok: boolean; skipped?: boolean; error?: string }) =>
    run.outcomes.push({ input: input.path, output, ...fields, ms: performance.now() - docStart });
  const skip = async () => {
    counts.skipped++;
    record({ ok: true, skipped: true });
    if (options.format === "jsonl")
      await run.io.stdout(`${JSON.stringify({ input: input.path, ok: true, skipped: true, output })}\n`);
  };
  const { state, onConcepts, onStage } = trackDocument(input, counts, progress);
  try {
    if (output && !options.force && (await exists(output))) {
      await skip();
      return;
    }
    progress.running.set(index, state);
    const doc = await run.read(input.path);
    const summary = await run.summarizeDocument(doc, { signal: run.signal, onConcepts, onStage });
    onConcepts(summary.concepts);
    await emitSummary(run, input.path, output, summary);
    counts.done++;
    record({ ok: true });
    if (output && !options.quiet && !progress.drawn) run.io.stderr(`lcm: wrote ${output}\n`);
  } catch (error) {
    onConcepts(0);
    if (error instanceof OutputExistsError) {
      await skip(); // written meanwhile by another process running the same document
      return;
    }
    if (error instanceof CancelledError || run.signal.aborted) {
      record({ ok: false, error: "cancelled" });
      return;
    }
    counts.failed++;
    const message = messageOf(error).split("\n")[0];
    record({ ok: false, error: message });
    // readInput's messages already start with the path.
    progress.say(`lcm: ${message.startsWith(input.path) ? message : `${input.path}: ${message}`}`);
    if (options.format === "jsonl") {
      await run.io.stdout(
        `${JSON.stringify({ input: input.path, ok: false, error: message, exitCode: exitCodeOf(error) })}\n`,
      );
    }
  } finally {
    progress.running.delete(index);
    counts.bytesDone += input.bytes;
    progress.show(true);
  }
}

/**
 * A document's progress callbacks. Concepts are reported as a running total per document, so the
 * batch count moves by the difference; 0 takes back what a failed document had counted.
 */
function trackDocument(input: BatchInput, counts: BatchCounts, progress: BatchProgress) {
  let counted = 0;
  const onConcepts = (count: number) => {
    counts.concepts += count - counted;
    counted = count;
    progress.show();
  };
  const state: RunningDocument = { name: basename(input.path), bytes: input.bytes, stages: {}, last: "" };
  const onStage = (stage: string, done: number, total: number) => {
    state.stages[stage] = [done, total];
    state.last = `${stage} ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}`;
    progress.show();
  };
  return { state, onConcepts, onStage };
}

/** Writes a finished summary: to its file; to stdout as a jsonl record or after a `==> path <==` line. */
async function emitSummary(
  run: BatchRun,
  path: string,
  output: string | null,
  summary: DocumentSummary,
): Promise<void> {
  const { options, fileFormat } = run;
  if (output) await writeNewFile(output, withNewline(summary.render(fileFormat)), { force: options.force });
  if (options.format === "jsonl") {
    const record = output
      ? { input: path, ok: true, output }
      : { input: path, ok: true, ...asObject(summary.json()) };
    await run.io.stdout(`${JSON.stringify(record)}\n`);
  } else if (!output) {
    await run.io.stdout(`==> ${path} <==\n${withNewline(summary.render(fileFormat))}\n`);
  }
}

/** "lcm: summarized 98 of 100 documents, 2 failed, 5 skipped (already done), in 1m04s (1.5 documents/s)". */
export function batchSummaryLine(report: BatchReport): string {
  const rate = report.elapsedMs > 0 ? (report.done * 1000) / report.elapsedMs : 0;
  const parts = [
    `lcm: summarized ${report.done} of ${report.total} document${report.total === 1 ? "" : "s"}`,
  ];
  if (report.failed > 0) parts.push(`${report.failed} failed`);
  if (report.skipped > 0) parts.push(`${report.skipped} skipped (already done)`);
  if (report.cancelled > 0) parts.push(`${report.cancelled} cancelled`);
  return `${parts.join(", ")}, in ${formatDuration(report.elapsedMs)} (${rate.toFixed(2)} documents/s)`;
}

/** 0 when every document was summarized, 130 when cancelled (Ctrl-C), else 1. */
export function batchExitCode(report: BatchReport): number {
  if (report.cancelled > 0) return 130;
  return report.failed > 0 ? 1 : 0;
}

/** Whether an invocation is a batch: several inputs, a directory or pattern, --out, or jsonl. */
export async function isBatchInvocation(
  args: readonly string[],
  options: { out?: string; format?: string },
): Promise<boolean> {
  if (args.length !== 1 || options.out !== undefined || options.format === "jsonl") return true;
  const [only] = args;
  if (only === "-") return false;
  const info = await stat(only).catch(() => null);
  if (info) return info.isDirectory();
  return hasGlobMagic(only);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function withNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { result: value };
}

export type { BatchInput };
