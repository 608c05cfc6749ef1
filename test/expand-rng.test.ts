/** The seeded RNG the sampler draws its noise from (docs/lcm-contract.md, "RNG"). */
import { describe, expect, it } from "vitest";
import { SeededRandom } from "../src/lcm/rng.js";

describe("SeededRandom", () => {
  it("is mulberry32: the published first outputs for seed 0 and seed 1", () => {
    // The first uint32 outputs for seed 0 of the published mulberry32 (bryc's JavaScript, run once)
    // and of an independent Python port with explicit mod-2^32 arithmetic: both 1144304738, 1416247.
    const zero = new SeededRandom(0);
    expect(zero.uniform() * 2 ** 32).toBe(1144304738);
    expect(zero.uniform() * 2 ** 32).toBe(1416247);
    const one = new SeededRandom(1);
    expect(one.uniform()).not.toBe(new SeededRandom(0).uniform());
  });

  it("gives the same stream for the same seed, and another for another seed", () => {
    const a = new SeededRandom(42).gaussians(1000);
    const b = new SeededRandom(42).gaussians(1000);
    const c = new SeededRandom(43).gaussians(1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it("draws Gaussians in Box-Muller pairs: z0 = r cos(2πu2), then z1 = r sin(2πu2)", () => {
    const uniforms = new SeededRandom(9);
    const u1 = uniforms.uniform();
    const u2 = uniforms.uniform();
    const r = Math.sqrt(-2 * Math.log(1 - u1));
    const gauss = new SeededRandom(9);
    expect(gauss.gaussian()).toBe(r * Math.cos(2 * Math.PI * u2));
    expect(gauss.gaussian()).toBe(r * Math.sin(2 * Math.PI * u2));
  });

  it("has uniforms in [0, 1) and standard normal moments", () => {
    const rng = new SeededRandom(2024);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const z = new SeededRandom(2024).gaussians(100_000);
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it("scales Gaussians by the given factor, and refuses seeds outside uint32", () => {
    const plain = new SeededRandom(5).gaussians(4);
    const scaled = new SeededRandom(5).gaussians(4, 0.6);
    plain.forEach((z, i) => {
      expect(scaled[i]).toBeCloseTo(0.6 * z, 15);
    });
    expect(() => new SeededRandom(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(2 ** 32)).toThrow(RangeError);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
  });
});
