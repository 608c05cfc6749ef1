/**
 * What the diffusion families' graph code shares (docs/lcm-contract.md, "Files" and "One-Tower"): a
 * graph of the model directory opened through the one session seam and checked against the contract,
 * the normalized-concepts input their first graph takes, and the ConceptDenoiser over a step graph.
 * model.ts (Two-Tower, Base-LCM) and one-tower.ts differ only in what the step graph is given besides
 * the noisy concept; the masks, the batched cond + uncond pair and the call itself are the same.
 */
import { join } from "node:path";
import {
  checkGraph,
  createSession,
  floatTensor,
  type GraphExpectation,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  type SessionOptions,
  type Tensor,
  type TensorExpectation,
} from "../models/onnx-session.js";
import type { ConceptDenoiser } from "./diffusion-sampler.js";

/** Opens `file` of the model directory `dir` and checks it against what the contract says it is. */
export async function openGraph(
  dir: string,
  file: string,
  options: SessionOptions,
  expected: GraphExpectation,
): Promise<InferenceSession> {
  const path = join(dir, file);
  const session = await createSession(path, options, path);
  checkGraph(session, expected, path);
  return session;
}

/** Normalized concepts [B, N, D]: what the contextualizer, the Base-LCM and the One-Tower prefix take. */
export function conceptsInput(dim: number): TensorExpectation {
  return { type: "float32", shape: [null, null, dim], dimNames: [null, null, "codec.embedding_dim"] };
}

/** The per-layer prompt keys or values a prefix graph gives and its step graph takes: [L, B, N, d]. */
export function prefixKeysShape(layers: number | null, modelDim: number | null): TensorExpectation {
  return {
    type: "float32",
    shape: [layers, null, null, modelDim],
    dimNames: ["architecture.one_tower_layers", null, null, "architecture.model_dim"],
  };
}

/** A prefix graph (One-Tower, Quant-LCM): the prompt's concepts -> every layer's keys and values. */
export function openPrefixGraph(
  dir: string,
  file: string,
  options: SessionOptions,
  dim: number,
  keys: TensorExpectation,
): Promise<InferenceSession> {
  return openGraph(dir, file, options, {
    inputs: { concepts: conceptsInput(dim) },
    outputs: { prefix_keys: keys, prefix_values: keys },
  });
}

/**
 * What every step graph takes and gives besides its prompt inputs: noisy [B, D], timestep int64 [B],
 * context_mask [B, M] -> x0 [B, D].
 */
export function stepGraph(dim: number): GraphExpectation {
  const concept = { type: "float32" as const, shape: [null, dim], dimNames: [null, "codec.embedding_dim"] };
  return {
    inputs: {
      noisy: concept,
      timestep: { type: "int64", shape: [null] },
      context_mask: { type: "float32", shape: [null, null] },
    },
    outputs: { x0: concept },
  };
}

/**
 * The denoiser over a step graph bound to a prompt of `rows` rows: `bound` holds the graph's
 * prompt-dependent inputs for batch 1 (the conditional branch alone) and for the batched pair. The
 * conditional branch sees every row; the unconditional one none (mask all 0).
 */
export function stepDenoiser(
  session: InferenceSession,
  dim: number,
  rows: number,
  bound: { single: Record<string, Tensor>; pair: Record<string, Tensor> },
): ConceptDenoiser {
  const maskSingle = floatTensor(new Float32Array(rows).fill(1), [1, rows]);
  const maskPairData = new Float32Array(2 * rows);
  maskPairData.fill(1, 0, rows);
  const maskPair = floatTensor(maskPairData, [2, rows]);
  return {
    async predict(x: Float32Array, t: number, branches: 1 | 2): Promise<Float32Array> {
      let noisy: Tensor;
      if (branches === 1) noisy = floatTensor(x, [1, dim]);
      else {
        const both = new Float32Array(2 * dim);
        both.set(x, 0);
        both.set(x, dim);
        noisy = floatTensor(both, [2, dim]);
      }
      const out = await session.run({
        noisy,
        timestep: int64Tensor(new BigInt64Array(branches).fill(BigInt(t)), [branches]),
        ...(branches === 1 ? bound.single : bound.pair),
        context_mask: branches === 1 ? maskSingle : maskPair,
      });
      return out.x0.data as Float32Array;
    },
  };
}

/**
 * A prefix graph (One-Tower, Quant-LCM) run over the prompt: every layer's keys and values, [L, 1, N, d]
 * each, named as the step graph takes them; a graph that answers another shape is a broken model file.
 */
export async function runPrefix(
  session: InferenceSession,
  path: string,
  normalized: Float32Array,
  rows: number,
  dim: number,
): Promise<Record<string, Tensor>> {
  const out = await session.run({ concepts: floatTensor(normalized, [1, rows, dim]) });
  const keys = out.prefix_keys;
  const values = out.prefix_values;
  const [, batch, prefixRows] = keys.dims;
  if (batch !== 1 || prefixRows !== rows || values.dims.join() !== keys.dims.join()) {
    throw new ModelFileError(
      `${path}: keys/values of shape [${keys.dims}] / [${values.dims}] for ${rows} concepts`,
    );
  }
  return { prefix_keys: keys, prefix_values: values };
}
