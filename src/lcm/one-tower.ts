/**
 * The One-Tower diffusion LCM's ONNX graphs (docs/lcm-contract.md, "One-Tower"), opened through the one
 * session seam:
 *
 *   one_tower_prefix  concepts [B,N,D] (normalized) -> prefix_keys, prefix_values [L,B,N,d]
 *   one_tower_step    noisy [B,D], timestep int64 [B], prefix_keys/values [L,1 or B,N,d],
 *                     context_mask [B,N] -> x0 [B,D]
 *
 * One causal Transformer holds a clean and a noisy copy of every concept; the clean copies never attend
 * to a noisy one, so the prompt's keys and values are the same at every diffusion step of the concept
 * after it. They are computed once per generated concept (prefix), and each of the ~80 denoiser runs a
 * concept takes (40 steps, cond + uncond) runs only the one noisy copy against them (step).
 *
 * Same sampler as the Two-Tower: this module only moves tensors and hands diffusion-sampler.ts a
 * ConceptDenoiser; the DDIM step, guidance, RNG, normalizer and stop rules are shared.
 */
import { join } from "node:path";
import { checkFileSizes } from "../models/model-files.js";
import type { InferenceSession, SessionOptions, Tensor } from "../models/onnx-session.js";
import type { ConceptDenoiser } from "./diffusion-sampler.js";
import { openGraph, openPrefixGraph, prefixKeysShape, runPrefix, stepDenoiser, stepGraph } from "./graphs.js";
import type { OneTowerSpec } from "./spec.js";

export class OneTowerModel {
  private constructor(
    readonly spec: OneTowerSpec,
    private readonly prefixSession: InferenceSession,
    private readonly stepSession: InferenceSession,
  ) {}

  static async load(spec: OneTowerSpec, options: SessionOptions = {}): Promise<OneTowerModel> {
    await checkFileSizes(spec.manifest);
    const keysShape = prefixKeysShape(spec.layers, spec.modelDim);
    const prefix = await openPrefixGraph(spec.manifest.dir, spec.files.prefix, options, spec.dim, keysShape);
    const stepIO = stepGraph(spec.dim);
    const step = await openGraph(spec.manifest.dir, spec.files.step, options, {
      inputs: { ...stepIO.inputs, prefix_keys: keysShape, prefix_values: keysShape },
      outputs: stepIO.outputs,
    });
    return new OneTowerModel(spec, prefix, step);
  }

  /**
   * The denoiser bound to one prompt (N normalized concepts, [N, D] row-major): the prompt's keys and
   * values are computed here, once, and every step reuses them. The conditional branch sees the whole
   * prompt; the unconditional one (mask all 0) only the noisy copy itself. One prefix (batch 1) serves
   * both branches: the step graph broadcasts it over the batch.
   */
  async conditioned(normalized: Float32Array, rows: number): Promise<ConceptDenoiser> {
    const prefix = await this.prefix(normalized, rows);
    return stepDenoiser(this.stepSession, this.spec.dim, rows, { single: prefix, pair: prefix });
  }

  /** The prompt's per-layer keys and values, [L, 1, N, d] each, as the step graph takes them. */
  private async prefix(normalized: Float32Array, rows: number): Promise<Record<string, Tensor>> {
    const path = join(this.spec.manifest.dir, this.spec.files.prefix);
    return runPrefix(this.prefixSession, path, normalized, rows, this.spec.dim);
  }

  async release(): Promise<void> {
    await this.prefixSession.release();
    await this.stepSession.release();
  }
}
