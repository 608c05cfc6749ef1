/**
 * "What comes after this sequence of concepts": the diffusion LCM (sampled, seeded) and the Base-LCM
 * baseline (a deterministic regression), behind one interface so the generation loop, summarize and
 * extend do not care which model runs. Both take and return raw codec-space concepts and normalize
 * at the model boundary.
 */
import { type SamplerSettings, type SampleStats, sampleConcept } from "./diffusion-sampler.js";
import type { LcmModel } from "./model.js";
import { denormalize, normalizeRows } from "./normalizer.js";
import type { SeededRandom } from "./rng.js";

export type ModelKind = "diffusion" | "base";

export interface PredictorStats extends SampleStats {
  /** Contextualizer or Base-LCM runs (one per generated concept). */
  contextRuns: number;
}

export interface NextConceptPredictor {
  readonly kind: ModelKind;
  /** True when the same prompt always gives the same concept (retrying it is pointless). */
  readonly deterministic: boolean;
  readonly stats: PredictorStats;
  /** The next concept (raw space) after `prompt` (raw space). */
  next(prompt: readonly Float32Array[], rng: SeededRandom, signal?: AbortSignal): Promise<Float32Array>;
}

export function diffusionPredictor(model: LcmModel, settings: SamplerSettings): NextConceptPredictor {
  const { spec } = model;
  const stats: PredictorStats = { denoiserRuns: 0, contextRuns: 0 };
  const schedule = { trainSteps: spec.trainSteps, alphasCumprod: spec.alphasCumprod };
  return {
    kind: "diffusion",
    deterministic: false,
    stats,
    async next(prompt, rng, signal) {
      // The whole prompt is contextualized again for every concept: prompts are at most max_context
      // rows, and the graph has no cache input (docs/lcm-contract.md).
      const rows = prompt.length;
      const { context, width } = await model.contextualize(normalizeRows(prompt, spec), rows);
      stats.contextRuns++;
      const denoiser = await model.conditioned(context, rows, width);
      const x0 = await sampleConcept(denoiser, spec.dim, schedule, settings, rng, signal, stats);
      return denormalize(x0, spec);
    },
  };
}

export function basePredictor(model: LcmModel): NextConceptPredictor {
  const { spec } = model;
  const stats: PredictorStats = { denoiserRuns: 0, contextRuns: 0 };
  return {
    kind: "base",
    deterministic: true,
    stats,
    async next(prompt) {
      const predicted = await model.predictNext(normalizeRows(prompt, spec), prompt.length);
      stats.contextRuns++;
      return denormalize(predicted, spec);
    },
  };
}
