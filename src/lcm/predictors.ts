/**
 * "What comes after this sequence of concepts": the diffusion LCMs (sampled, seeded; Two-Tower or
 * One-Tower, one sampler), the Quant-LCM (one seeded unit draw per codebook) and the Base-LCM baseline
 * (a deterministic regression), behind one interface
 * so the generation loop, summarize and extend do not care which model runs. All take and return raw
 * codec-space concepts and normalize at the model boundary.
 */
import {
  type ConceptDenoiser,
  type SamplerSettings,
  type SampleStats,
  sampleConcept,
} from "./diffusion-sampler.js";
import type { LcmModel } from "./model.js";
import { denormalize, normalizeRows } from "./normalizer.js";
import type { OneTowerModel } from "./one-tower.js";
import type { QuantModel, QuantSettings } from "./quant.js";
import type { SeededRandom } from "./rng.js";
import type { LcmSpecCommon } from "./spec.js";

/** What a predictor is: a sampled diffusion model (either family), the Quant-LCM or the Base-LCM. */
export type PredictorKind = "diffusion" | "quant" | "base";

export interface PredictorStats extends SampleStats {
  /** Contextualizer or Base-LCM runs (one per generated concept). */
  contextRuns: number;
}

export interface NextConceptPredictor {
  readonly kind: PredictorKind;
  /** True when the same prompt always gives the same concept (retrying it is pointless). */
  readonly deterministic: boolean;
  readonly stats: PredictorStats;
  /** The next concept (raw space) after `prompt` (raw space). */
  next(prompt: readonly Float32Array[], rng: SeededRandom, signal?: AbortSignal): Promise<Float32Array>;
}

/** The Two-Tower: the prompt through the contextualizer, then the denoiser against its rows. */
export function diffusionPredictor(model: LcmModel, settings: SamplerSettings): NextConceptPredictor {
  return sampledPredictor(model.spec, settings, async (normalized, rows) => {
    const { context, width } = await model.contextualize(normalized, rows);
    return model.conditioned(context, rows, width);
  });
}

/** The One-Tower: the prompt's keys/values (the prefix graph), then the step graph against them. */
export function oneTowerPredictor(model: OneTowerModel, settings: SamplerSettings): NextConceptPredictor {
  return sampledPredictor(model.spec, settings, (normalized, rows) => model.conditioned(normalized, rows));
}

/**
 * A diffusion predictor over `condition`, which runs the prompt's context graph (one "context run")
 * and returns the denoiser bound to it. The whole prompt goes through it again for every concept:
 * prompts are at most max_context rows, and the graphs take no cache of earlier concepts
 * (docs/lcm-contract.md).
 */
function sampledPredictor(
  spec: LcmSpecCommon,
  settings: SamplerSettings,
  condition: (normalized: Float32Array, rows: number) => Promise<ConceptDenoiser>,
): NextConceptPredictor {
  const stats: PredictorStats = { denoiserRuns: 0, contextRuns: 0 };
  const schedule = { trainSteps: spec.trainSteps, alphasCumprod: spec.alphasCumprod };
  return {
    kind: "diffusion",
    deterministic: false,
    stats,
    async next(prompt, rng, signal) {
      const denoiser = await condition(normalizeRows(prompt, spec), prompt.length);
      stats.contextRuns++;
      const x0 = await sampleConcept(denoiser, spec.dim, schedule, settings, rng, signal, stats);
      return denormalize(x0, spec);
    },
  };
}

/** The Quant-LCM's predictor: what it adds to the interface is the units of the last concept. */
export interface QuantPredictor extends NextConceptPredictor {
  readonly kind: "quant";
  /** The unit drawn from each codebook for the last concept `next` returned (empty before). */
  readonly lastUnits: readonly number[];
}

/**
 * The Quant-LCM: the prompt's keys/values (the prefix graph, one "context run"), then one step run per
 * codebook (counted as denoiser runs), a unit drawn from each, the centroids summed.
 */
export function quantPredictor(model: QuantModel, settings: QuantSettings): QuantPredictor {
  const { spec } = model;
  const stats: PredictorStats = { denoiserRuns: 0, contextRuns: 0 };
  let lastUnits: readonly number[] = [];
  return {
    kind: "quant",
    deterministic: settings.temperature === 0,
    stats,
    get lastUnits() {
      return lastUnits;
    },
    async next(prompt, rng, signal) {
      const prefix = await model.prefix(normalizeRows(prompt, spec), prompt.length);
      stats.contextRuns++;
      const { concept, units } = await model.sample(prefix, prompt.length, settings, rng, signal, () => {
        stats.denoiserRuns++;
      });
      lastUnits = units;
      return denormalize(concept, spec);
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
