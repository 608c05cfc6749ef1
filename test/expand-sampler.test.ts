/**
 * The DDIM + classifier-free guidance step on hand-made numbers, and the sampling loop around it with
 * hand-made denoisers: which steps are guided, batching of cond + uncond, the initial noise, the output.
 */
import { describe, expect, it } from "vitest";
import { ddimStep, standardDeviation } from "../src/lcm/ddim-step.js";
import { type ConceptDenoiser, sampleConcept } from "../src/lcm/diffusion-sampler.js";
import { SeededRandom } from "../src/lcm/rng.js";
import { computeAlphasCumprod, trailingTimesteps } from "../src/lcm/schedule.js";
import { CancelledError } from "../src/util/errors.js";

const x = [1.2, -0.4, 2.0, 0.3, -1.1];
const x0c = [0.5, 0.1, -1.0, 0.2, 0.7];
const x0u = [0.0, 1.0, 0.0, -0.5, 0.4];
const off = { guidance: 3, guidanceRescale: 0, epsilonScaling: 1 };

describe("ddimStep", () => {
  it("at t = T-1 (ᾱ = 0) takes epsilon = x and x̂0 = the conditional prediction", () => {
    const { x0, next } = ddimStep(x, x0c, null, 0, 0.81, off);
    expect(Array.from(x0)).toEqual(x0c);
    x.forEach((xi, i) => {
      expect(next[i]).toBeCloseTo(0.9 * x0c[i] + Math.sqrt(0.19) * xi, 12);
    });
  });

  it("with guidance 1 equals the unguided step (with or without rescale)", () => {
    const plain = ddimStep(x, x0c, null, 0.64, 0.81, off);
    for (const rescale of [0, 0.7, 1]) {
      const guided = ddimStep(x, x0c, x0u, 0.64, 0.81, {
        guidance: 1,
        guidanceRescale: rescale,
        epsilonScaling: 1,
      });
      plain.x0.forEach((v, i) => {
        expect(guided.x0[i]).toBeCloseTo(v, 12);
        expect(guided.next[i]).toBeCloseTo(plain.next[i], 12);
      });
    }
  });

  it("without rescale, guidance on epsilon is guidance on x0: x̂0 = x0u + g (x0c - x0u)", () => {
    const { x0 } = ddimStep(x, x0c, x0u, 0.64, 0.81, off);
    x0.forEach((v, i) => {
      expect(v).toBeCloseTo(x0u[i] + 3 * (x0c[i] - x0u[i]), 12);
    });
  });

  it("rescale 1 gives the guided epsilon the conditional epsilon's spread", () => {
    const a = 0.64;
    const { x0, next } = ddimStep(x, x0c, x0u, a, 1, { guidance: 3, guidanceRescale: 1, epsilonScaling: 1 });
    // Recover the epsilon used from x̂0, and the conditional one from the inputs.
    const eps = x.map((xi, i) => (xi - Math.sqrt(a) * x0[i]) / Math.sqrt(1 - a));
    const ec = x.map((xi, i) => (xi - Math.sqrt(a) * x0c[i]) / Math.sqrt(1 - a));
    expect(standardDeviation(eps)).toBeCloseTo(standardDeviation(ec), 12);
    // ᾱ_prev = 1 (after the last step): the sample is x̂0 itself.
    expect(Array.from(next)).toEqual(Array.from(x0));
  });

  it("epsilon scaling divides only the noise direction, not x̂0", () => {
    const a = 0.64;
    const ap = 0.81;
    const one = ddimStep(x, x0c, x0u, a, ap, { guidance: 3, guidanceRescale: 0.7, epsilonScaling: 1 });
    const scaled = ddimStep(x, x0c, x0u, a, ap, { guidance: 3, guidanceRescale: 0.7, epsilonScaling: 1.25 });
    expect(Array.from(scaled.x0)).toEqual(Array.from(one.x0));
    one.next.forEach((v, i) => {
      const noise = v - Math.sqrt(ap) * one.x0[i];
      expect(scaled.next[i] - Math.sqrt(ap) * scaled.x0[i]).toBeCloseTo(noise / 1.25, 12);
    });
  });

  it("uses the unbiased standard deviation (as torch.std)", () => {
    expect(standardDeviation([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(standardDeviation([7])).toBe(0);
  });
});

/** A denoiser that records its calls and predicts fixed vectors per branch. */
function recordingDenoiser(cond: number[], uncond: number[]) {
  const calls: { t: number; branches: number; x: Float32Array }[] = [];
  const denoiser: ConceptDenoiser = {
    async predict(xIn, t, branches) {
      calls.push({ t, branches, x: Float32Array.from(xIn) });
      return Float32Array.from(branches === 1 ? cond : [...cond, ...uncond]);
    },
  };
  return { denoiser, calls };
}

const schedule = { trainSteps: 100, alphasCumprod: computeAlphasCumprod(100) };
const paper = { steps: 40, guidance: 3, guidanceRescale: 0, initialNoise: 0.6, epsilonScaling: 1.00045 };

describe("sampleConcept", () => {
  it("runs one denoiser call per grid step: the t = T-1 one unguided, the others cond + uncond in one batch", async () => {
    const { denoiser, calls } = recordingDenoiser([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]);
    const stats = { denoiserRuns: 0 };
    await sampleConcept(denoiser, 5, schedule, paper, new SeededRandom(0), undefined, stats);
    expect(calls.map((c) => c.t)).toEqual(trailingTimesteps(100, 40));
    expect(calls[0].branches).toBe(1);
    expect(calls.slice(1).every((c) => c.branches === 2)).toBe(true);
    expect(stats.denoiserRuns).toBe(40);
  });

  it("never asks for the unconditional branch when guidance is 1", async () => {
    const { denoiser, calls } = recordingDenoiser([1, 2, 3, 4, 5], [9, 9, 9, 9, 9]);
    const y = await sampleConcept(denoiser, 5, schedule, { ...paper, guidance: 1 }, new SeededRandom(0));
    expect(calls.every((c) => c.branches === 1)).toBe(true);
    // The output is the last x̂0: the conditional prediction itself.
    expect(Array.from(y)).toEqual([1, 2, 3, 4, 5]);
  });

  it("returns the guided last x̂0 (no rescale: x0u + g (x0c - x0u))", async () => {
    const { denoiser } = recordingDenoiser([1, 2, 3, 4, 5], [1, 1, 1, 1, 1]);
    const y = await sampleConcept(denoiser, 5, schedule, paper, new SeededRandom(0));
    [1, 4, 7, 10, 13].forEach((v, i) => {
      expect(y[i]).toBeCloseTo(v, 5);
    });
  });

  it("starts from σ times the RNG's first D Gaussians", async () => {
    const { denoiser, calls } = recordingDenoiser([0, 0, 0, 0, 0], [0, 0, 0, 0, 0]);
    await sampleConcept(denoiser, 5, schedule, paper, new SeededRandom(11));
    const expected = new SeededRandom(11).gaussians(5, 0.6);
    calls[0].x.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 6);
    });
  });

  it("is deterministic for a seed and differs between seeds", async () => {
    // A denoiser whose prediction depends on its input, so the noise matters.
    const denoiser: ConceptDenoiser = {
      async predict(xIn, _t, branches) {
        const one = Array.from(xIn, (v) => Math.tanh(v));
        return Float32Array.from(branches === 1 ? one : [...one, ...one.map((v) => v / 2)]);
      },
    };
    const run = (seed: number) =>
      sampleConcept(denoiser, 8, schedule, { ...paper, guidanceRescale: 0.7 }, new SeededRandom(seed));
    expect(Array.from(await run(3))).toEqual(Array.from(await run(3)));
    expect(Array.from(await run(3))).not.toEqual(Array.from(await run(4)));
  });

  it("stops with a CancelledError when the signal is aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    const denoiser: ConceptDenoiser = {
      async predict(_x, _t, branches) {
        if (++calls === 5) controller.abort();
        return new Float32Array(branches * 4);
      },
    };
    await expect(
      sampleConcept(denoiser, 4, schedule, paper, new SeededRandom(0), controller.signal),
    ).rejects.toThrow(CancelledError);
    expect(calls).toBe(5);
  });
});
