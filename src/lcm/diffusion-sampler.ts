/**
 * Sampling one concept with the Two-Tower diffusion LCM (docs/lcm-contract.md, "Sampling one
 * concept"): start from scaled Gaussian noise, walk the trailing grid from t = T-1 down, one DDIM step
 * each, and return the last x̂0. The denoiser is reached through `ConceptDenoiser`, which already holds
 * the prompt's context, so the same loop runs on the ONNX graph and on hand-made test functions.
 */
import { CancelledError } from "../util/errors.js";
import { ddimStep, type StepSettings } from "./ddim-step.js";
import type { SeededRandom } from "./rng.js";
import { alphaAt, previousTimestep, trailingTimesteps } from "./schedule.js";

/** The denoiser with the prompt's context bound in. */
export interface ConceptDenoiser {
  /**
   * x0 predictions (normalized space) for `x` at step t. branches 1: the conditional prediction only
   * ([D]); branches 2: conditional then unconditional ([2, D]) from ONE batched run.
   */
  predict(x: Float32Array, t: number, branches: 1 | 2): Promise<Float32Array>;
}

export interface SamplerSettings extends StepSettings {
  /** S, inference steps (1..T). */
  steps: number;
  /** σ: the initial noise is σ times a standard Gaussian. */
  initialNoise: number;
}

export interface Schedule {
  trainSteps: number;
  alphasCumprod: ArrayLike<number>;
}

export interface SampleStats {
  /** Denoiser runs made (a guided step is one batched run). */
  denoiserRuns: number;
}

/** One concept in normalized space (the last x̂0); the RNG supplies the D initial Gaussians. */
export async function sampleConcept(
  denoiser: ConceptDenoiser,
  dim: number,
  schedule: Schedule,
  settings: SamplerSettings,
  rng: SeededRandom,
  signal?: AbortSignal,
  stats?: SampleStats,
): Promise<Float32Array> {
  const grid = trailingTimesteps(schedule.trainSteps, settings.steps);
  const guided = settings.guidance !== 1;
  // x stays float64 between steps (as in the Python reference); the graph gets a float32 copy.
  let x = rng.gaussians(dim, settings.initialNoise);
  let x0: Float64Array | null = null;
  for (let k = 0; k < grid.length; k++) {
    if (signal?.aborted) throw new CancelledError();
    const t = grid[k];
    const a = alphaAt(schedule.alphasCumprod, t);
    const ap = alphaAt(schedule.alphasCumprod, previousTimestep(grid, k));
    // At t = T-1 (ᾱ = 0) guidance cannot change epsilon (= x): one conditional run suffices.
    const withGuidance = guided && t !== schedule.trainSteps - 1;
    const out = await denoiser.predict(Float32Array.from(x), t, withGuidance ? 2 : 1);
    if (stats) stats.denoiserRuns++;
    const cond = out.subarray(0, dim);
    const uncond = withGuidance ? out.subarray(dim, 2 * dim) : null;
    const step = ddimStep(x, cond, uncond, a, ap, settings);
    x0 = step.x0;
    x = step.next;
  }
  return Float32Array.from(x0!);
}
