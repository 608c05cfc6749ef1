/**
 * Decoding settings: what the caller asked for, filled in from the model's manifest defaults (which
 * are the paper's unless the trainer measured better ones), and checked once with one clear line per
 * bad value against the request fields (src/requests/fields.ts: the bounds the CLI's flags and the
 * server's params use too), then against the model (no more steps than it was trained with, no
 * diffusion setting for the Base-LCM or the Quant-LCM, no unit-sampling setting for any other).
 */
import { checkField, checkFieldModel, FIELDS, SAMPLER_FIELDS } from "../requests/fields.js";
import { UsageError } from "../util/errors.js";
import type { SamplerSettings } from "./diffusion-sampler.js";
import { defaultModel, type ModelKind } from "./model-kinds.js";
import type { UnitSampling } from "./quant.js";
import { type LcmSpecCommon, PAPER_DEFAULTS } from "./spec.js";
import type { StopSettings } from "./stop-rules.js";

export interface GenerationOptions {
  /**
   * Which model runs (lcm/model-kinds.ts): "two-tower" (or "diffusion"), "one-tower", "quant" or "base";
   * default: the LCM's own family. The engine refuses one its LCM does not have.
   */
  model?: ModelKind;
  seed?: number;
  steps?: number;
  guidance?: number;
  guidanceRescale?: number;
  initialNoise?: number;
  epsilonScaling?: number;
  /** The Quant-LCM's unit draws (docs/lcm-contract.md, "Quant-LCM"). */
  temperature?: number;
  topP?: number;
  topK?: number;
  eotThreshold?: number;
  repeatThreshold?: number;
}

export interface GenerationSettings extends SamplerSettings, UnitSampling, StopSettings {
  model: ModelKind;
  seed: number;
}

export function resolveGenerationSettings(
  spec: LcmSpecCommon,
  options: GenerationOptions = {},
): GenerationSettings {
  const d = spec.defaults;
  const settings: GenerationSettings = {
    model: options.model ?? defaultModel(spec.family),
    seed: options.seed ?? 0,
    // the Quant-LCM has no schedule (trainSteps 0): its diffusion settings are the paper's, unused
    steps: options.steps ?? (spec.trainSteps > 0 ? Math.min(d.steps, spec.trainSteps) : PAPER_DEFAULTS.steps),
    guidance: options.guidance ?? d.guidance,
    guidanceRescale: options.guidanceRescale ?? d.guidanceRescale,
    initialNoise: options.initialNoise ?? d.initialNoise,
    epsilonScaling: options.epsilonScaling ?? d.epsilonScaling,
    temperature: options.temperature ?? d.temperature,
    topP: options.topP ?? d.topP,
    topK: options.topK ?? d.topK,
    eotThreshold: options.eotThreshold ?? d.eotThreshold,
    repeatThreshold: options.repeatThreshold ?? d.repeatThreshold,
  };
  for (const field of SAMPLER_FIELDS) {
    checkField(field, settings[field.key]);
    if (field === FIELDS.steps && spec.trainSteps > 0 && settings.steps > spec.trainSteps) {
      throw new UsageError(
        `steps must be a whole number in 1..${spec.trainSteps} (the model's training steps), got ${settings.steps}`,
      );
    }
  }
  // A setting the request gave for a model it does not apply to is refused, not silently ignored.
  for (const field of SAMPLER_FIELDS) checkFieldModel(field, options[field.key], settings.model);
  return settings;
}

/** Derived seeds for the several generation calls of one request (chunks, sections): seed + k mod 2^32. */
export function partSeed(seed: number, part: number): number {
  return (seed + part) >>> 0;
}
