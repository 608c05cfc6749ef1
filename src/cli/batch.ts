/**
 * The batch side of `lcm summarize`: its flags (--out, --force, --jobs) and the run on the process's
 * streams, with Ctrl-C stopping the batch (documents running are cancelled, none new start) and the
 * exit code saying whether any document failed. src/cli/summarize.ts hands over every invocation that
 * isBatchInvocation() calls a batch, with a function that summarizes one document.
 */
import type { Command } from "commander";
import { prepareOutputDir } from "../batch/output-dir.js";
import type { OutputFormat } from "../batch/output-paths.js";
import { type Shard, shardFromEnvironment } from "../batch/shard.js";
import { batchExitCode, type SummarizeDocument, summarizeBatch } from "../batch/summarize-batch.js";
import { processEnv } from "../util/env.js";
import { writeStdout } from "../util/stdout.js";
import { interruptSignal } from "./codec-options.js";
import { parsePositiveInt, progressEnabled } from "./common.js";

export interface BatchFlags {
  format: string;
  out?: string;
  force?: boolean;
  jobs?: number;
  shard?: string;
  progress?: boolean;
  quiet?: boolean;
}

export function withBatchOptions(command: Command): Command {
  return command
    .option(
      "--out <dir>",
      "write one summary per input into DIR (atomically; existing files are kept unless --force)",
    )
    .option("--force", "with --out: summarize again documents whose summary exists (default: skip them)")
    .option(
      "--shard <i/N>",
      "run shard i (0-based) of N: the inputs sorted by path, every N-th from the i-th (default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX/LCM_SHARDS)",
    )
    .option("-j, --jobs <n>", "documents summarized at once (default 1)", parsePositiveInt("--jobs"));
}

export const BATCH_HELP = `
Many documents: give several files, directories (searched recursively for .md, .markdown, .txt,
.pdf, .docx, .epub, .html and .htm)
or glob patterns ('docs/**/*.md'), and - for stdin. With --out DIR each summary is written to
DIR/<path under its folder>.summary.<txt|md|json>; without it, --format jsonl prints one JSON object
per document as it finishes, text and md print each summary after a "==> FILE <==" line. A document
that fails is reported and the others go on; the exit code is 1 when any failed. A progress bar
(documents, concepts/s, ETA) shows on stderr when it is a terminal, or with --progress.
Concepts are cached, so a second run over the same documents skips encoding. With --out a rerun
skips documents already summarized ("N skipped (already done)", exit 0); --force redoes them.
On a cluster, N processes with the same arguments and --shard 0/N .. N-1/N (or a SLURM array or a
Kubernetes Indexed Job, read from their variables) summarize every document exactly once
(docs/cluster-batch.md).`;

/**
 * What the batch needs checked before any model loads: the shard (a bad one is a usage error) and
 * the --out folder (made, and written to once).
 */
export async function prepareBatch(flags: BatchFlags): Promise<Shard | null> {
  const shard = shardFromEnvironment(flags.shard, processEnv());
  if (flags.out !== undefined) await prepareOutputDir(flags.out);
  return shard;
}

/** Runs the batch on stdout/stderr and sets the exit code (0 all done, 1 some failed, 130 Ctrl-C). */
export async function runBatchCommand(
  args: readonly string[],
  flags: BatchFlags,
  shard: Shard | null,
  summarizeDocument: SummarizeDocument,
): Promise<void> {
  const report = await summarizeBatch(
    args,
    {
      format: flags.format as OutputFormat,
      out: flags.out,
      force: flags.force,
      shard,
      jobs: flags.jobs ?? 1,
      progress: progressEnabled({ format: "text", progress: flags.progress, quiet: flags.quiet }),
      quiet: flags.quiet,
      signal: interruptSignal(),
    },
    summarizeDocument,
    { stdout: (text) => writeStdout(text), stderr: (text) => process.stderr.write(text) },
  );
  process.exitCode = batchExitCode(report);
}
