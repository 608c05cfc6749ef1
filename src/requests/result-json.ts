/**
 * The pieces every JSON result is made of, rounded the same way wherever it is written (the CLI's
 * summary and expansion JSON, batch files, the server's results): grounding scores to 4 decimals,
 * stage timings to 0.1 ms, and the sampler settings a result was generated with.
 */
import { locationJson } from "../inputs/source-locations.js";
import type { GenerationSettings } from "../lcm/settings.js";
import type { Coverage } from "../tasks/coverage.js";
import type { Grounding, TaskTimings } from "../tasks/task-types.js";

/** A value rounded to `digits` decimals. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Grounding as the CLI prints it in JSON: scores rounded to 4 decimals, where the sentence is. */
export function groundingJson(grounding: readonly Grounding[]) {
  return grounding.map((g) => ({
    index: g.index,
    score: roundTo(g.score, 4),
    span: g.span,
    ...(g.location && { location: locationJson(g.location) }),
  }));
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
    // the Quant-LCM's unit draws, where they ran (other models' JSON is as it always was)
    ...(settings.model === "quant" && {
      temperature: settings.temperature,
      top_p: settings.topP,
      top_k: settings.topK,
    }),
  };
}

/** Stage timings in ms, to 0.1 ms. */
export function timingsJson(timings: TaskTimings) {
  return {
    segment: roundTo(timings.segment, 1),
    encode: roundTo(timings.encode, 1),
    generate: roundTo(timings.generate, 1),
    decode: roundTo(timings.decode, 1),
    total: roundTo(timings.total, 1),
  };
}

/** A summary's coverage of the document's sections (CLI and server JSON alike: one-word keys; null: one section). */
export function coverageJson(coverage: Coverage | null) {
  if (!coverage) return null;
  return {
    by: coverage.by,
    total: coverage.sections.length,
    covered: coverage.covered,
    share: roundTo(coverage.share, 4),
    sections: coverage.sections.map((s) => ({
      title: s.title,
      start: s.start,
      end: s.end,
      span: s.span,
      ...(s.location && { location: locationJson(s.location) }),
      concepts: s.concepts,
    })),
  };
}

/** The coverage section each summary concept stands for (index into coverage.sections), or null. */
export function coversOf(coverage: Coverage | null, conceptCount: number): (number | null)[] {
  const covers: (number | null)[] = new Array(conceptCount).fill(null);
  coverage?.sections.forEach((s, k) => {
    for (const i of s.concepts) covers[i] = k;
  });
  return covers;
}
