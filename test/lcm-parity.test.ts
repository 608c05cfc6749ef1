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
import { LcmModel } from "../src/lcm/model.js";
import { diffusionPredictor } from "../src/lcm/predictors.js";
import { SeededRandom } from "../src/lcm/rng.js";
import { computeAlphasCumprod, trailingTimesteps } from "../src/lcm/schedule.js";
import { readLcmSpec } from "../src/lcm/spec.js";
import { readManifest } from "../src/models/manifest.js";
import { expectParity, type ParityFixture, samplerOptions } from "./helpers/lcm-parity.js";

const DIR = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));

const fixture = JSON.parse(readFileSync(`${DIR}parity.json`, "utf8")) as ParityFixture & {
  rng_first_gaussians: number[];
  grid_T100_S40: number[];
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
        const predictor = diffusionPredictor(form === "full" ? model : split, samplerOptions(c.options));
        await expectParity(predictor, fixture, c);
      });
    }
});
