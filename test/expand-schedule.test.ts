/**
 * The diffusion schedule: ᾱ from the recipe (cosine betas + zero-terminal-SNR rescale) against the
 * table in the reference notes (lcm.md §2.1) and the committed smoke model's manifest, and the
 * trailing timestep grid with numpy's round-half-even.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  alphaAt,
  computeAlphasCumprod,
  previousTimestep,
  roundHalfEven,
  trailingTimesteps,
} from "../src/lcm/schedule.js";

describe("computeAlphasCumprod", () => {
  const abar = computeAlphasCumprod(100);

  it("matches the reference table for T=100 (lcm.md §2.1)", () => {
    const table: [number, number][] = [
      [0, 0.99937],
      [1, 0.99825],
      [10, 0.9667],
      [25, 0.8355],
      [50, 0.4781],
      [75, 0.1333],
      [90, 0.01943],
      [95, 0.00382],
      [98, 0.000228],
    ];
    // The table gives 3-5 significant digits.
    for (const [t, expected] of table) expect(Math.abs(abar[t] - expected) / expected).toBeLessThan(1e-3);
    expect(abar[99]).toBe(0);
    const logSnr = (t: number) => Math.log(abar[t] / (1 - abar[t]));
    expect(logSnr(0)).toBeCloseTo(7.37, 2);
    expect(logSnr(50)).toBeCloseTo(-0.09, 2);
    expect(logSnr(98)).toBeCloseTo(-8.39, 2);
  });

  it("has zero terminal SNR, decreases strictly, and keeps ᾱ_0 of the plain cosine schedule", () => {
    expect(abar.length).toBe(100);
    for (let t = 1; t < 100; t++) expect(abar[t]).toBeLessThan(abar[t - 1]);
    const plain0 =
      1 -
      Math.min(
        1 -
          Math.cos(((1 / 100 + 0.008) / 1.008) * (Math.PI / 2)) ** 2 /
            Math.cos((0.008 / 1.008) * (Math.PI / 2)) ** 2,
        0.999,
      );
    expect(abar[0]).toBeCloseTo(plain0, 12);
  });

  it("equals the alphas_cumprod the trainer shipped in the smoke model's manifest", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("./fixtures/lcm-parity/manifest.json", import.meta.url), "utf8"),
    );
    const shipped: number[] = manifest.diffusion.alphas_cumprod;
    const computed = computeAlphasCumprod(manifest.diffusion.train_steps);
    expect(shipped.length).toBe(computed.length);
    // The manifest holds float32 values: equal to float32 precision.
    shipped.forEach((a, t) => {
      expect(Math.abs(a - computed[t])).toBeLessThan(1e-6);
    });
  });

  it("rejects a schedule of fewer than two steps", () => {
    expect(() => computeAlphasCumprod(1)).toThrow(RangeError);
  });
});

describe("trailing grid", () => {
  it("rounds half to even like numpy", () => {
    expect([0.5, 1.5, 2.5, 92.5, 97.5, 2.4, 2.6, -1.5].map(roundHalfEven)).toEqual([
      0, 2, 2, 92, 98, 2, 3, -2,
    ]);
  });

  it("gives 40 distinct descending steps for T=100, S=40, from 99 down to 1", () => {
    const grid = trailingTimesteps(100, 40);
    expect(grid.length).toBe(40);
    expect(grid.slice(0, 8)).toEqual([99, 97, 94, 91, 89, 87, 84, 81]);
    expect(grid[39]).toBe(1);
    for (let k = 1; k < 40; k++) expect(grid[k]).toBeLessThan(grid[k - 1]);
  });

  it("is every step for S=T and the last step alone for S=1", () => {
    expect(trailingTimesteps(100, 100)).toEqual(Array.from({ length: 100 }, (_, k) => 99 - k));
    expect(trailingTimesteps(100, 1)).toEqual([99]);
    expect(trailingTimesteps(100, 10)).toEqual([99, 89, 79, 69, 59, 49, 39, 29, 19, 9]);
  });

  it("takes the next grid element as the previous step, and ᾱ(-1) = 1 after the last", () => {
    const grid = trailingTimesteps(100, 40);
    expect(previousTimestep(grid, 0)).toBe(97);
    expect(previousTimestep(grid, 3)).toBe(89);
    expect(previousTimestep(grid, 39)).toBe(-1);
    expect(alphaAt([0.5, 0.25], -1)).toBe(1);
    expect(alphaAt([0.5, 0.25], 1)).toBe(0.25);
  });

  it("refuses more steps than the schedule has, and zero steps", () => {
    expect(() => trailingTimesteps(100, 101)).toThrow(RangeError);
    expect(() => trailingTimesteps(100, 0)).toThrow(RangeError);
  });
});
