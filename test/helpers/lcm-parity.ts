/**
 * What the parity tests of both diffusion families (test/lcm-parity.test.ts, Two-Tower;
 * test/lcm-one-tower-parity.test.ts) share: the case format training/lcm/reference_sampler.py writes,
 * and one case run through the TypeScript generation loop and held to the reference (same stop, same
 * number of concepts, every value within 1e-4).
 */
import { expect } from "vitest";
import type { SamplerSettings } from "../../src/lcm/diffusion-sampler.js";
import { generateConcepts } from "../../src/lcm/generate.js";
import type { NextConceptPredictor } from "../../src/lcm/predictors.js";

export interface ParityCase {
  options: {
    steps: number;
    guidance: number;
    guidance_rescale: number;
    initial_noise: number;
    epsilon_scaling: number;
    seed: number;
    max_concepts: number;
    eot_threshold: number;
    repeat_threshold: number;
  };
  expected: number[][];
  stop: string;
}

export interface ParityFixture {
  prompt: number[][];
  specials: { end_of_text: number[]; model_turn: number[] };
  cases: ParityCase[];
}

/** A case's sampler options, as the predictors take them. */
export function samplerOptions(o: ParityCase["options"]): SamplerSettings {
  return {
    steps: o.steps,
    guidance: o.guidance,
    guidanceRescale: o.guidance_rescale,
    initialNoise: o.initial_noise,
    epsilonScaling: o.epsilon_scaling,
  };
}

/** What expectParity reads of a case (every family's fixture has it). */
export interface GenerationCase {
  options: Pick<ParityCase["options"], "max_concepts" | "seed" | "eot_threshold" | "repeat_threshold">;
  stop: string;
  expected: number[][];
}

/** Generates the case's concepts from the fixture's prompt and expects the reference's, to 1e-4. */
export async function expectParity(
  predictor: NextConceptPredictor,
  fixture: { prompt: number[][]; specials: { end_of_text: number[] } },
  c: GenerationCase,
): Promise<void> {
  const o = c.options;
  const result = await generateConcepts(
    predictor,
    fixture.prompt.map((row) => Float32Array.from(row)),
    Float32Array.from(fixture.specials.end_of_text),
    {
      maxConcepts: o.max_concepts,
      minConcepts: 0,
      seed: o.seed,
      eotThreshold: o.eot_threshold,
      repeatThreshold: o.repeat_threshold,
    },
  );
  expect(result.stop).toBe(c.stop);
  expect(result.concepts.length).toBe(c.expected.length);
  let worst = 0;
  result.concepts.forEach((vector, i) => {
    c.expected[i].forEach((value, d) => {
      worst = Math.max(worst, Math.abs(vector[d] - value));
    });
  });
  expect(worst).toBeLessThan(1e-4);
}
