/**
 * One DDIM (eta = 0) step of the x0-predicting LCM, with classifier-free guidance on epsilon, guidance
 * rescale and epsilon scaling: step 4 of "Sampling one concept" in docs/lcm-contract.md. Pure
 * arithmetic on plain arrays (float64 inside) so it can be checked on hand-made numbers.
 */
export interface StepSettings {
  /** g; 1 means no guidance (the unconditional prediction is then never needed). */
  guidance: number;
  /** r in [0, 1]; 0 turns the rescale off. */
  guidanceRescale: number;
  /** λ: the predicted noise is divided by it before the step (1 = off). */
  epsilonScaling: number;
}

export interface StepResult {
  /** x̂0 of this step (normalized space). */
  x0: Float64Array;
  /** The next noisy sample x_{prev(t)}. */
  next: Float64Array;
}

/**
 * From the denoiser's conditional (and, with guidance, unconditional) x0 predictions at ᾱ_t = `a`, the
 * x̂0 and the sample at ᾱ_prev = `ap`. `x0Uncond` null means no guidance at this step: the t = T-1
 * step (ᾱ = 0, where epsilon = x whatever the model says) and every step when g = 1.
 */
export function ddimStep(
  x: ArrayLike<number>,
  x0Cond: ArrayLike<number>,
  x0Uncond: ArrayLike<number> | null,
  a: number,
  ap: number,
  settings: StepSettings,
): StepResult {
  const n = x.length;
  const sqrtA = Math.sqrt(a);
  const sqrt1mA = Math.sqrt(1 - a);
  const x0 = new Float64Array(n);
  const eps = new Float64Array(n);
  if (x0Uncond === null) {
    for (let i = 0; i < n; i++) {
      x0[i] = x0Cond[i];
      eps[i] = (x[i] - sqrtA * x0Cond[i]) / sqrt1mA;
    }
  } else {
    const ec = new Float64Array(n);
    const g = settings.guidance;
    for (let i = 0; i < n; i++) {
      ec[i] = (x[i] - sqrtA * x0Cond[i]) / sqrt1mA;
      const eu = (x[i] - sqrtA * x0Uncond[i]) / sqrt1mA;
      eps[i] = eu + g * (ec[i] - eu);
    }
    const r = settings.guidanceRescale;
    if (r > 0) {
      // Pull the guided noise's spread back towards the conditional one's (overexposure fix).
      const stdGuided = standardDeviation(eps);
      const factor = stdGuided > 0 ? (r * standardDeviation(ec)) / stdGuided + (1 - r) : 1;
      for (let i = 0; i < n; i++) eps[i] *= factor;
    }
    // The epsilon-parameterised x̂0, as diffusers computes it from a guided epsilon.
    for (let i = 0; i < n; i++) x0[i] = (x[i] - sqrt1mA * eps[i]) / sqrtA;
  }
  const sqrtAp = Math.sqrt(ap);
  const sqrt1mAp = Math.sqrt(1 - ap);
  const lambda = settings.epsilonScaling;
  const next = new Float64Array(n);
  for (let i = 0; i < n; i++) next[i] = sqrtAp * x0[i] + sqrt1mAp * (eps[i] / lambda);
  return { x0, next };
}

/** Unbiased (n - 1) standard deviation, as torch.std. */
export function standardDeviation(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (values[i] - mean) ** 2;
  return Math.sqrt(sum / (n - 1));
}
