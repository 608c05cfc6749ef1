/**
 * The seeded random source the sampler draws its initial noise from. It is specified bit for bit in
 * docs/lcm-contract.md so the Python reference sampler draws the very same numbers: mulberry32 over a
 * uint32 state for uniforms in [0, 1), and Box-Muller in pairs for standard Gaussians.
 */
export class SeededRandom {
  private state: number;
  /** The second Gaussian of the last Box-Muller pair, not yet handed out. */
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer in 0..4294967295, got ${seed}`);
    }
    this.state = seed >>> 0;
  }

  /** mulberry32: a uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A standard Gaussian: z0 of a fresh Box-Muller pair, then its z1. */
  gaussian(): number {
    if (this.spare !== null) {
      const z1 = this.spare;
      this.spare = null;
      return z1;
    }
    const u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(1 - u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** `count` Gaussians times `scale`, in draw order. */
  gaussians(count: number, scale = 1): Float64Array {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = scale * this.gaussian();
    return out;
  }
}
