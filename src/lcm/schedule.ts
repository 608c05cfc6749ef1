/**
 * The diffusion schedule: ᾱ_t for the T training steps, and the "trailing" grid of S inference steps.
 *
 * The runtime takes ᾱ from the manifest (the trainer wrote exactly what it trained with);
 * computeAlphasCumprod rebuilds it from the recipe (cosine "squaredcos_cap_v2" betas, rescaled to
 * zero terminal SNR, Lin et al. 2024, Algorithm 1) so tests can check a manifest against the recipe.
 */

/** ᾱ(t) of the cosine schedule at continuous time t in [0, 1]. */
function cosineAlphaBar(t: number): number {
  return Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
}

/** ᾱ_t, t = 0..T-1: cosine betas (capped at 0.999), then the zero-terminal-SNR rescale. */
export function computeAlphasCumprod(trainSteps: number): Float64Array {
  const T = trainSteps;
  if (!Number.isInteger(T) || T < 2) throw new RangeError(`train steps must be an integer >= 2, got ${T}`);
  // Cosine betas, then ᾱ = cumprod(1 - β).
  const alphaBar = new Float64Array(T);
  let product = 1;
  for (let i = 0; i < T; i++) {
    const beta = Math.min(1 - cosineAlphaBar((i + 1) / T) / cosineAlphaBar(i / T), 0.999);
    product *= 1 - beta;
    alphaBar[i] = product;
  }
  // Zero terminal SNR: shift √ᾱ so the last is 0, scale so the first is unchanged.
  const first = Math.sqrt(alphaBar[0]);
  const last = Math.sqrt(alphaBar[T - 1]);
  const out = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const s = ((Math.sqrt(alphaBar[i]) - last) * first) / (first - last);
    out[i] = s * s;
  }
  return out;
}

/** Round half to even, as numpy's round and torch.round do (97.5 -> 98, 92.5 -> 92). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The trailing grid with float spacing: t_k = roundHalfEven(T - k*T/S) - 1 for k = 0..S-1, descending
 * (T=100, S=40: 99, 97, 94, 92, 89, ...). S <= T keeps the steps distinct.
 */
export function trailingTimesteps(trainSteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps) {
    throw new RangeError(`inference steps must be an integer in 1..${trainSteps}, got ${steps}`);
  }
  const grid: number[] = [];
  for (let k = 0; k < steps; k++) grid.push(roundHalfEven(trainSteps - (k * trainSteps) / steps) - 1);
  return grid;
}

/** The step after grid[k]: the next grid element, or -1 after the last. */
export function previousTimestep(grid: readonly number[], k: number): number {
  return k + 1 < grid.length ? grid[k + 1] : -1;
}

/** ᾱ at step t, with ᾱ(-1) = 1 (the clean end of the chain). */
export function alphaAt(alphasCumprod: ArrayLike<number>, t: number): number {
  return t < 0 ? 1 : alphasCumprod[t];
}
