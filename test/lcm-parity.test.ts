/**
 * Parity with the Python reference sampler (training/lcm/reference_sampler.py): the same LCM (the
 * ONNX graphs committed beside the fixture), prompt, seed and options must give the same concepts to
 * 1e-4 and the same stop reason, with either denoiser form (the one graph, or the split memory + step
 * graphs the runtime prefers: they must compute the same thing). The fixture also pins the RNG's first Gaussians and the T=100, S=40
 * grid, so a drift in either shows up on its own line.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateConcepts } from "../src/lcm/generate.js";
import { LcmModel } from "../src/lcm/model.js";
import { diffusionPredictor } from "../src/lcm/predictors.js";
import { SeededRandom } from "../src/lcm/rng.js";
import { computeAlphasCumprod, trailingTimesteps } from "../src/lcm/schedule.js";
import { readLcmSpec } from "../src/lcm/spec.js";
import { readManifest } from "../src/models/manifest.js";

const DIR = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));

interface ParityCase {
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

const fixture = JSON.parse(readFileSync(`${DIR}parity.json`, "utf8")) as {
  prompt: number[][];
  specials: { end_of_text: number[]; model_turn: number[] };
  rng_first_gaussians: number[];
  grid_T100_S40: number[];
  cases: ParityCase[];
};

let model: LcmModel;
let split: LcmModel;

beforeAll(async () => {
  const manifest = await readManifest(DIR);
  if (manifest.kind !== "lcm") throw new Error("fixture is not an LCM");
  model = await LcmModel.load(readLcmSpec(manifest), { threads: 1, denoiser: "full" });
  split = await LcmModel.load(readLcmSpec(manifest), { threads: 1 });
});

afterAll(async () => {
  await model?.release();
  await split?.release();
});

describe("parity with training/lcm/reference_sampler.py", () => {
  it("draws the same first Gaussians from the seeded RNG", () => {
    const rng = new SeededRandom(7);
    for (const expected of fixture.rng_first_gaussians) expect(rng.gaussian()).toBeCloseTo(expected, 12);
  });

  it("uses the same trailing grid for T=100, S=40", () => {
    expect(trailingTimesteps(100, 40)).toEqual(fixture.grid_T100_S40);
  });

  it("ships the schedule the recipe computes", () => {
    const computed = computeAlphasCumprod(model.spec.trainSteps);
    let worst = 0;
    model.spec.alphasCumprod.forEach((a, t) => {
      worst = Math.max(worst, Math.abs(a - computed[t]));
    });
    expect(worst).toBeLessThan(1e-6);
  });

  it("prefers the split denoiser when the model has it", () => {
    expect(split.denoiserForm).toBe("split");
    expect(model.denoiserForm).toBe("full");
  });

  for (const [k, c] of fixture.cases.entries())
    for (const form of ["full", "split"] as const) {
      it(`case ${k + 1} (steps ${c.options.steps}, guidance ${c.options.guidance}, ${form} denoiser): same concepts to 1e-4 and same stop`, async () => {
        const o = c.options;
        const predictor = diffusionPredictor(form === "full" ? model : split, {
          steps: o.steps,
          guidance: o.guidance,
          guidanceRescale: o.guidance_rescale,
          initialNoise: o.initial_noise,
          epsilonScaling: o.epsilon_scaling,
        });
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
      });
    }
});
