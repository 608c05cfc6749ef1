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
import {
  checkGraph,
  createSession,
  floatTensor,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  type SessionOptions,
  type Tensor,
} from "../models/onnx-session.js";
import type { ConceptDenoiser } from "./diffusion-sampler.js";
import type { OneTowerSpec } from "./spec.js";

export class OneTowerModel {
  private constructor(
    readonly spec: OneTowerSpec,
    private readonly prefixSession: InferenceSession,
    private readonly stepSession: InferenceSession,
  ) {}

  static async load(spec: OneTowerSpec, options: SessionOptions = {}): Promise<OneTowerModel> {
    await checkFileSizes(spec.manifest);
    const keysShape = {
      type: "float32" as const,
      shape: [spec.layers, null, null, spec.modelDim],
      dimNames: ["architecture.one_tower_layers", null, null, "architecture.model_dim"],
    };
    const concept = { type: "float32" as const, dimNames: [null, "codec.embedding_dim"] };
    const prefix = await open(spec, spec.files.prefix, options, {
      inputs: {
        concepts: {
          type: "float32",
          shape: [null, null, spec.dim],
          dimNames: [null, null, "codec.embedding_dim"],
        },
      },
      outputs: { prefix_keys: keysShape, prefix_values: keysShape },
    });
    const step = await open(spec, spec.files.step, options, {
      inputs: {
        noisy: { ...concept, shape: [null, spec.dim] },
        timestep: { type: "int64", shape: [null] },
        prefix_keys: keysShape,
        prefix_values: keysShape,
        context_mask: { type: "float32", shape: [null, null] },
      },
      outputs: { x0: { ...concept, shape: [null, spec.dim] } },
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
    const D = this.spec.dim;
    const prefix = await this.prefix(normalized, rows);
    const maskSingle = floatTensor(new Float32Array(rows).fill(1), [1, rows]);
    const maskPairData = new Float32Array(2 * rows);
    maskPairData.fill(1, 0, rows);
    const maskPair = floatTensor(maskPairData, [2, rows]);
    const step = this.stepSession;
    return {
      async predict(x: Float32Array, t: number, branches: 1 | 2): Promise<Float32Array> {
        let noisy: Tensor;
        if (branches === 1) noisy = floatTensor(x, [1, D]);
        else {
          const both = new Float32Array(2 * D);
          both.set(x, 0);
          both.set(x, D);
          noisy = floatTensor(both, [2, D]);
        }
        const out = await step.run({
          noisy,
          timestep: int64Tensor(new BigInt64Array(branches).fill(BigInt(t)), [branches]),
          ...prefix,
          context_mask: branches === 1 ? maskSingle : maskPair,
        });
        return out.x0.data as Float32Array;
      },
    };
  }

  /** The prompt's per-layer keys and values, [L, 1, N, d] each, as the step graph takes them. */
  private async prefix(normalized: Float32Array, rows: number): Promise<Record<string, Tensor>> {
    const out = await this.prefixSession.run({
      concepts: floatTensor(normalized, [1, rows, this.spec.dim]),
    });
    const keys = out.prefix_keys;
    const values = out.prefix_values;
    const [, batch, prefixRows] = keys.dims;
    if (batch !== 1 || prefixRows !== rows || values.dims.join() !== keys.dims.join()) {
      throw new ModelFileError(
        `${join(this.spec.manifest.dir, this.spec.files.prefix)}: keys/values of shape [${keys.dims}] / [${values.dims}] for ${rows} concepts`,
      );
    }
    return { prefix_keys: keys, prefix_values: values };
  }

  async release(): Promise<void> {
    await this.prefixSession.release();
    await this.stepSession.release();
  }
}

async function open(
  spec: OneTowerSpec,
  file: string,
  options: SessionOptions,
  expected: Parameters<typeof checkGraph>[1],
): Promise<InferenceSession> {
  const path = join(spec.manifest.dir, file);
  const session = await createSession(path, options, path);
  checkGraph(session, expected, path);
  return session;
}
