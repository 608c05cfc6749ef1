/**
 * What `lcm summarize` and `lcm expand` share: the model flags (codec flags plus --lcm), the decoding
 * flags with the paper's defaults, the grounding flags, opening the engine, and a progress line.
 */
import type { Command } from "commander";
import { Option } from "commander";
import type { ModelKind } from "../lcm/predictors.js";
import type { GenerationOptions, GenerationSettings } from "../lcm/settings.js";
import { PAPER_DEFAULTS } from "../lcm/spec.js";
import { ConceptEngine } from "../tasks/engine.js";
import type { Grounding, ProgressEvent, TaskTimings } from "../tasks/task-types.js";
import { loadTemplate, type Template } from "../tasks/templates.js";
import { UsageError } from "../util/errors.js";
import { type CodecFlags, withCodecOptions } from "./codec-options.js";
import { type CommonOptions, parseNumber, parsePositiveInt, progressEnabled } from "./common.js";

/** The sampler flags are GenerationOptions' fields (the stop thresholds are not flags). */
export interface LcmFlags
  extends CodecFlags,
    Omit<GenerationOptions, "model" | "eotThreshold" | "repeatThreshold"> {
  lcm?: string;
  lang?: string;
  sourceLang?: string;
  template?: string;
  grounded?: boolean;
  groundingThreshold?: number;
  model: ModelKind;
  beam?: number;
}

export function withLcmOptions(command: Command): Command {
  const d = PAPER_DEFAULTS;
  return withCodecOptions(command)
    .option("--lcm <name>", "LCM to use (default: the first one found; see 'lcm models list')")
    .option("-l, --lang <code>", "output language, a FLORES-200 code (default: the source's language)")
    .option("--source-lang <code>", "language of the input (default: detected per section)")
    .option(
      "-t, --template <name>",
      "shape the output with a template ('lcm templates' lists them) or a .md file",
    )
    .option(
      "--grounded",
      "the default: show each generated concept as the source sentence it restates (marked [sN]); " +
        "chosen by measurement: on the dev splits ROUGE-L 23.7 vs 8.0 for the decoder's own renderings " +
        "(models/default/README.md)",
    )
    .option(
      "--no-grounded",
      "show the decoder's own rendering of every concept (abstractive, but with the bundled models " +
        "often off-topic); renderings far from their concept and from the source are withheld",
    )
    .option(
      "--grounding-threshold <x>",
      "cosine a concept needs to its nearest source sentence to be shown as it (default: the model's, else 0.6)",
      parseNumber("--grounding-threshold", -1, 1),
    )
    .addOption(
      new Option("--model <kind>", "diffusion: the Two-Tower LCM; base: the Base-LCM baseline")
        .choices(["diffusion", "base"])
        .default("diffusion"),
    )
    .option("--seed <n>", "seed of the diffusion noise (default 0); same seed, same output", parseSeed)
    .option(
      "--steps <n>",
      `diffusion steps (default: the model's, paper ${d.steps})`,
      parsePositiveInt("--steps"),
    )
    .option(
      "--guidance <g>",
      `classifier-free guidance scale, 1 = off (default: the model's, paper ${d.guidance})`,
      parseNumber("--guidance", 0, 100),
    )
    .option(
      "--guidance-rescale <r>",
      `guidance rescale in [0, 1] (default: the model's, paper ${d.guidanceRescale})`,
      parseNumber("--guidance-rescale", 0, 1),
    )
    .option(
      "--initial-noise <s>",
      `scale of the starting noise (default: the model's, paper ${d.initialNoise})`,
      parsePositive("--initial-noise"),
    )
    .option(
      "--epsilon-scaling <e>",
      `divide the predicted noise by this each step (default: the model's, paper ${d.epsilonScaling})`,
      parsePositive("--epsilon-scaling"),
    )
    .option(
      "--beam <k>",
      "beam width of the decoder (default: the codec's, 5 if it names none)",
      parsePositiveInt("--beam"),
    );
}

export function generationOptions(flags: LcmFlags): GenerationOptions {
  return {
    model: flags.model,
    seed: flags.seed,
    steps: flags.steps,
    guidance: flags.guidance,
    guidanceRescale: flags.guidanceRescale,
    initialNoise: flags.initialNoise,
    epsilonScaling: flags.epsilonScaling,
  };
}

export async function openEngine(flags: LcmFlags): Promise<ConceptEngine> {
  return ConceptEngine.open({
    models: flags.models,
    codec: flags.codec,
    lcm: flags.lcm,
    threads: flags.threads,
    cache: flags.cache ? undefined : false,
  });
}

export async function templateFrom(flags: LcmFlags): Promise<Template | undefined> {
  return flags.template === undefined ? undefined : loadTemplate(flags.template);
}

/** A one-line progress display on stderr ("lcm summarize: generate 3/10 chunk 1/2"), or undefined when off. */
export function progressReporter(
  label: string,
  flags: Omit<CommonOptions, "format">,
): { onProgress?: (event: ProgressEvent) => void; done: () => void } {
  if (!progressEnabled({ format: "text", quiet: flags.quiet, progress: flags.progress }))
    return { done: () => {} };
  let shown = false;
  return {
    onProgress(event) {
      const detail = event.detail ? ` (${event.detail})` : "";
      process.stderr.write(`\r\u001b[Klcm ${label}: ${event.stage} ${event.done}/${event.total}${detail}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write("\r\u001b[K");
    },
  };
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new UsageError(`--seed must be a whole number in 0..4294967295, got '${value}'`);
  }
  return n;
}

function parsePositive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a number > 0, got '${value}'`);
    return n;
  };
}

/** Grounding as both commands print it in JSON: scores rounded to 4 decimals. */
export function groundingJson(grounding: readonly Grounding[]): Grounding[] {
  return grounding.map((g) => ({ index: g.index, score: Math.round(g.score * 1e4) / 1e4, span: g.span }));
}

/** The sampler settings block of summarize's and expand's JSON (snake_case, as the CLI writes JSON). */
export function samplerSettingsJson(settings: GenerationSettings) {
  return {
    seed: settings.seed,
    steps: settings.steps,
    guidance: settings.guidance,
    guidance_rescale: settings.guidanceRescale,
    initial_noise: settings.initialNoise,
    epsilon_scaling: settings.epsilonScaling,
  };
}

/** Stage timings in ms, to 0.1 ms. */
export function timingsJson(timings: TaskTimings) {
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    segment: round(timings.segment),
    encode: round(timings.encode),
    generate: round(timings.generate),
    decode: round(timings.decode),
    total: round(timings.total),
  };
}
