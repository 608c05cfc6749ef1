/**
 * What `lcm summarize` and `lcm expand` share: the model flags (codec flags plus --lcm), the decoding
 * flags with the paper's defaults (their spelling, bounds and help come from the request fields,
 * src/requests/fields.ts), the grounding flags, opening the engine, and a progress line.
 */

import type { Command } from "commander";
import type { ModelKind } from "../lcm/model-kinds.js";
import type { GenerationOptions } from "../lcm/settings.js";
import { FIELDS } from "../requests/fields.js";
import { openEngine as openModels } from "../requests/models.js";
import type { ConceptEngine } from "../tasks/engine.js";
import type { ExpandOptions } from "../tasks/expand-outline.js";
import type { ProgressEvent } from "../tasks/task-types.js";
import { loadTemplate, type Template } from "../tasks/templates.js";
import { type CodecFlags, modelChoice, withCodecOptions } from "./codec-options.js";
import { type CommonOptions, progressEnabled } from "./common.js";
import { fieldOption, negatedFieldOption } from "./field-options.js";

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
  /** Absent: the LCM's own model (commander gives no default: it depends on the LCM found). */
  model?: ModelKind;
  beam?: number;
}

/** What summarize and expand both take from their flags: expand's options (summarize's are a superset). */
export type TaskFlagOptions = Omit<ExpandOptions, "locations">;

export function withLcmOptions(command: Command): Command {
  const withTask = withCodecOptions(command)
    .option("--lcm <name>", "LCM to use (default: the first one found; see 'lcm models list')")
    .option("-l, --lang <code>", "output language, a FLORES-200 code (default: the source's language)")
    .option("--source-lang <code>", "language of the input (default: detected per section)")
    .option(
      "-t, --template <name>",
      "shape the output with a template ('lcm templates' lists them) or a .md file",
    )
    .addOption(fieldOption(FIELDS.grounded))
    .addOption(negatedFieldOption(FIELDS.grounded))
    .addOption(fieldOption(FIELDS.groundingThreshold))
    .addOption(fieldOption(FIELDS.model));
  return withSamplerOptions(withTask).addOption(fieldOption(FIELDS.beam));
}

/** The sampler flags of every command that runs an LCM, in the order --help lists them. */
export function withSamplerOptions(command: Command): Command {
  return command
    .addOption(fieldOption(FIELDS.seed))
    .addOption(fieldOption(FIELDS.steps))
    .addOption(fieldOption(FIELDS.guidance))
    .addOption(fieldOption(FIELDS.guidanceRescale))
    .addOption(fieldOption(FIELDS.initialNoise))
    .addOption(fieldOption(FIELDS.epsilonScaling))
    .addOption(fieldOption(FIELDS.temperature))
    .addOption(fieldOption(FIELDS.topP))
    .addOption(fieldOption(FIELDS.topK));
}

/** The sampler fields of a command's flags (every command that runs an LCM has them). */
export type GenerationFlags = Omit<GenerationOptions, "eotThreshold" | "repeatThreshold">;

export function generationOptions(flags: GenerationFlags): GenerationOptions {
  return {
    model: flags.model,
    seed: flags.seed,
    steps: flags.steps,
    guidance: flags.guidance,
    guidanceRescale: flags.guidanceRescale,
    initialNoise: flags.initialNoise,
    epsilonScaling: flags.epsilonScaling,
    temperature: flags.temperature,
    topP: flags.topP,
    topK: flags.topK,
  };
}

/** The options summarize and expand share, from their flags (the template loaded). */
export async function taskFlagOptions(flags: LcmFlags): Promise<TaskFlagOptions> {
  return {
    ...generationOptions(flags),
    lang: flags.lang,
    sourceLang: flags.sourceLang,
    template: await templateFrom(flags),
    grounded: flags.grounded,
    groundingThreshold: flags.groundingThreshold,
    decode: flags.beam ? { beam: flags.beam } : undefined,
  };
}

export async function openEngine(flags: LcmFlags): Promise<ConceptEngine> {
  return openModels({ ...modelChoice(flags), lcm: flags.lcm, model: flags.model });
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
