/**
 * What `lcm encode`, `lcm decode` and `lcm models` share: the model flags (--models, --codec,
 * --threads, --no-cache), opening the codec they name, a progress line on stderr, and Ctrl-C turned
 * into cancellation between batches.
 */
import type { Command } from "commander";
import type { ConceptCodec } from "../codec/codec.js";
import { type ModelChoice, openCodec as openModel } from "../requests/models.js";
import { type CommonOptions, parsePositiveInt, progressEnabled } from "./common.js";

export interface CodecFlags extends Omit<CommonOptions, "format"> {
  models?: string;
  codec?: string;
  threads?: number;
  cache: boolean;
}

export function withModelOption(command: Command): Command {
  return command.option("--models <dir>", "model directory to search first (also: LCM_MODELS)");
}

export function withCodecOptions(command: Command): Command {
  return withModelOption(command)
    .option("--codec <name>", "codec to use (default: the first one found; see 'lcm models list')")
    .option(
      "--threads <n>",
      "CPU threads for inference (default: LCM_THREADS, else all cores)",
      parsePositiveInt("--threads"),
    )
    .option("--no-cache", "do not read or write the on-disk concept cache");
}

/** The models the flags ask for (src/requests/models.ts chooses and opens them). */
export function modelChoice(flags: CodecFlags): ModelChoice {
  return {
    models: flags.models,
    codec: flags.codec,
    threads: flags.threads,
    cache: flags.cache ? undefined : false,
  };
}

export async function openCodec(flags: CodecFlags): Promise<ConceptCodec> {
  return openModel(modelChoice(flags));
}

/** `(done, total)` -> a `\r`-rewritten status line on stderr, or undefined when progress is off. */
export function progressLine(
  label: string,
  flags: Omit<CommonOptions, "format">,
): ((done: number, total: number) => void) | undefined {
  if (!progressEnabled({ format: "text", quiet: flags.quiet, progress: flags.progress })) return undefined;
  return (done, total) => {
    process.stderr.write(`\rlcm ${label}: ${done}/${total}`);
    if (done >= total) process.stderr.write("\n");
  };
}

/** An AbortSignal that fires on the first Ctrl-C; a second Ctrl-C exits at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once("SIGINT", () => {
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  return controller.signal;
}
