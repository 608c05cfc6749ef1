/**
 * What `lcm encode`, `lcm decode` and `lcm models` share: the model flags (--models, --codec,
 * --threads, --no-cache), opening the codec they name, a progress line on stderr, and Ctrl-C turned
 * into cancellation between batches.
 */
import type { Command } from "commander";
import { ConceptCodec } from "../codec/codec.js";
import { findCodec } from "../models/registry.js";
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

export async function openCodec(flags: CodecFlags): Promise<ConceptCodec> {
  const manifest = await findCodec({ models: flags.models, name: flags.codec });
  return ConceptCodec.load(manifest, { threads: flags.threads, cache: flags.cache ? undefined : false });
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
