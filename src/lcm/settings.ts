/**
 * Decoding settings: what the caller asked for, filled in from the model's manifest defaults (which
 * are the paper's unless the trainer measured better ones), and checked once with one clear line per
 * bad value, so the CLI, TUI and server reject the same requests the same way.
 */
import { UsageError } from "../util/errors.js";
import type { SamplerSettings } from "./diffusion-sampler.js";
import type { ModelKind } from "./predictors.js";
import type { LcmSpec } from "./spec.js";
import type { StopSettings } from "./stop-rules.js";

export interface GenerationOptions {
  /** "diffusion" (the Two-Tower LCM, default) or "base" (the Base-LCM baseline). */
  model?: ModelKind;
  seed?: number;
  steps?: number;
  guidance?: number;
  guidanceRescale?: number;
  initialNoise?: number;
  epsilonScaling?: number;
  eotThreshold?: number;
  repeatThreshold?: number;
}

export interface GenerationSettings extends SamplerSettings, StopSettings {
  model: ModelKind;
  seed: number;
}

export function resolveGenerationSettings(
  spec: LcmSpec,
  options: GenerationOptions = {},
): GenerationSettings {
  const d = spec.defaults;
  const settings: GenerationSettings = {
    model: options.model ?? "diffusion",
    seed: options.seed ?? 0,
    steps: options.steps ?? Math.min(d.steps, spec.trainSteps),
    guidance: options.guidance ?? d.guidance,
    guidanceRescale: options.guidanceRescale ?? d.guidanceRescale,
    initialNoise: options.initialNoise ?? d.initialNoise,
    epsilonScaling: options.epsilonScaling ?? d.epsilonScaling,
    eotThreshold: options.eotThreshold ?? d.eotThreshold,
    repeatThreshold: options.repeatThreshold ?? d.repeatThreshold,
  };
  if (settings.model !== "diffusion" && settings.model !== "base") {
    throw new UsageError(`model must be 'diffusion' or 'base', got '${String(settings.model)}'`);
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) {
    throw new UsageError(`seed must be a whole number in 0..4294967295, got ${settings.seed}`);
  }
  if (!Number.isInteger(settings.steps) || settings.steps < 1 || settings.steps > spec.trainSteps) {
    throw new UsageError(
      `steps must be a whole number in 1..${spec.trainSteps} (the model's training steps), got ${settings.steps}`,
    );
  }
  check("guidance", settings.guidance, 0, 100);
  check("guidance rescale", settings.guidanceRescale, 0, 1);
  checkPositive("initial noise", settings.initialNoise);
  checkPositive("epsilon scaling", settings.epsilonScaling);
  check("end-of-text threshold", settings.eotThreshold, -1, 1);
  check("repetition threshold", settings.repeatThreshold, -1, 1);
  return settings;
}

function check(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a number in [${min}, ${max}], got ${value}`);
  }
}

function checkPositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${name} must be a number > 0, got ${value}`);
}

/** Derived seeds for the several generation calls of one request (chunks, sections): seed + k mod 2^32. */
export function partSeed(seed: number, part: number): number {
  return (seed + part) >>> 0;
}
