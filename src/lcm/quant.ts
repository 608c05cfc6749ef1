/**
 * The discrete Quant-LCM (docs/lcm-contract.md, "Quant-LCM"): its ONNX graphs and codebooks, opened
 * through the one session seam, and the sampler that builds a concept one codebook at a time:
 *
 *   quant_prefix  concepts [B,N,D] (normalized) -> prefix_keys, prefix_values [L,B,N,d]
 *   quant_step    partial [B,D], level int64 [B], prefix_keys/values [L,1 or B,N,d], context_mask [B,N]
 *                 -> logits [B,V]
 *   codebooks     float32 [K,V,D] little-endian, normalized space
 *
 * The prompt's keys and values are computed once per concept (prefix); then for each codebook k the
 * step graph gives the logits of its V units after the running sum of the centroids chosen so far,
 * guidance mixes the conditional and unconditional logits (u + g (c - u); one batch-2 run), one unit is
 * drawn (sampleUnit: temperature, top-k, top-p, one uniform from the seeded RNG) and its centroid added.
 * The concept is the sum, denormalized.
 */

import { join } from "node:path";
import { checkFileSizes } from "../models/model-files.js";
import {
  floatTensor,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  readModelFile,
  type SessionOptions,
  type Tensor,
} from "../models/onnx-session.js";
import { floatTable } from "../util/half-float.js";
import { openGraph, openPrefixGraph, prefixKeysShape, runPrefix } from "./graphs.js";
import type { SeededRandom } from "./rng.js";
import type { QuantSpec } from "./spec.js";

/** How units are drawn (docs/lcm-contract.md, "Quant-LCM"). */
export interface UnitSampling {
  /** Softmax temperature; 0: the most likely unit. */
  temperature: number;
  /** Keep the shortest run of most likely units holding this share of the probability, in (0, 1]. */
  topP: number;
  /** Keep the k most likely units; 0: all. */
  topK: number;
}

export interface QuantSettings extends UnitSampling {
  /** Classifier-free guidance on the logits; 1: conditional only (one run per codebook). */
  guidance: number;
}

/**
 * One unit from the logits: exactly one uniform drawn, always. The units in order of decreasing logit
 * (ties: lower index first); temperature 0 takes the first. Otherwise the first topK of them (0: all),
 * weights exp((l - l_max) / temperature) summed in that order (float64); topP < 1 keeps the shortest
 * prefix whose sum reaches topP times the whole; the unit is the first whose running sum exceeds u
 * times the kept sum (the last kept if none does, by rounding).
 */
export function sampleUnit(logits: ArrayLike<number>, rng: SeededRandom, s: UnitSampling): number {
  const u = rng.uniform();
  const order = Array.from({ length: logits.length }, (_, i) => i).sort(
    (a, b) => logits[b] - logits[a] || a - b,
  );
  if (s.temperature === 0) return order[0];
  const kept = s.topK > 0 ? order.slice(0, s.topK) : order;
  const top = logits[kept[0]];
  const cum = new Float64Array(kept.length);
  let total = 0;
  kept.forEach((unit, j) => {
    total += Math.exp((logits[unit] - top) / s.temperature);
    cum[j] = total;
  });
  let n = kept.length;
  if (s.topP < 1) {
    const j = cum.findIndex((c) => c >= s.topP * total);
    if (j >= 0) n = j + 1;
  }
  const target = u * cum[n - 1];
  for (let j = 0; j < n; j++) if (target < cum[j]) return kept[j];
  return kept[n - 1];
}

export class QuantModel {
  private constructor(
    readonly spec: QuantSpec,
    private readonly prefixSession: InferenceSession,
    private readonly stepSession: InferenceSession,
    /** [K, V, D] float32, normalized space. */
    readonly codebooks: Float32Array,
  ) {}

  static async load(spec: QuantSpec, options: SessionOptions = {}): Promise<QuantModel> {
    await checkFileSizes(spec.manifest);
    const path = join(spec.manifest.dir, spec.files.codebooks);
    const bytes = await readModelFile(path, "Quant-LCM codebooks");
    const width = spec.codebooksDtype === "float16" ? 2 : 4;
    const expected = spec.codebooks * spec.units * spec.dim * width;
    if (bytes.byteLength !== expected) {
      throw new ModelFileError(
        `${path}: ${bytes.byteLength} bytes, the manifest's quantizer (${spec.codebooks} x ${spec.units} x ${spec.dim} ${spec.codebooksDtype}) needs ${expected}`,
      );
    }
    const codebooks = floatTable(bytes, spec.codebooksDtype);
    const keysShape = prefixKeysShape(spec.layers, spec.modelDim);
    const prefix = await openPrefixGraph(spec.manifest.dir, spec.files.prefix, options, spec.dim, keysShape);
    const concept = {
      type: "float32" as const,
      shape: [null, spec.dim],
      dimNames: [null, "codec.embedding_dim"],
    };
    const step = await openGraph(spec.manifest.dir, spec.files.step, options, {
      inputs: {
        partial: concept,
        level: { type: "int64", shape: [null] },
        prefix_keys: keysShape,
        prefix_values: keysShape,
        context_mask: { type: "float32", shape: [null, null] },
      },
      outputs: {
        logits: { type: "float32", shape: [null, spec.units], dimNames: [null, "quantizer.units"] },
      },
    });
    return new QuantModel(spec, prefix, step, codebooks);
  }

  /** The prompt's per-layer keys and values, [L, 1, N, d] each, as the step graph takes them. */
  async prefix(normalized: Float32Array, rows: number): Promise<Record<string, Tensor>> {
    const path = join(this.spec.manifest.dir, this.spec.files.prefix);
    return runPrefix(this.prefixSession, path, normalized, rows, this.spec.dim);
  }

  /**
   * One concept (normalized, float64 sum of centroids) and its units after the prompt whose prefix is
   * given; `onStep` counts step-graph runs.
   */
  async sample(
    prefix: Record<string, Tensor>,
    rows: number,
    settings: QuantSettings,
    rng: SeededRandom,
    signal?: AbortSignal,
    onStep?: () => void,
  ): Promise<{ concept: Float64Array; units: number[] }> {
    const { dim, units: V, codebooks: K } = this.spec;
    const guided = settings.guidance !== 1;
    const branches = guided ? 2 : 1;
    const mask = new Float32Array(branches * rows);
    mask.fill(1, 0, rows); // cond sees the prompt; uncond (row 2) only its own running sum
    const maskTensor = floatTensor(mask, [branches, rows]);
    const partial = new Float64Array(dim);
    const units: number[] = [];
    const logits = new Float64Array(V);
    for (let k = 0; k < K; k++) {
      signal?.throwIfAborted();
      const input = new Float32Array(branches * dim);
      for (let b = 0; b < branches; b++) input.set(partial, b * dim);
      const out = await this.stepSession.run({
        partial: floatTensor(input, [branches, dim]),
        level: int64Tensor(new BigInt64Array(branches).fill(BigInt(k)), [branches]),
        ...prefix,
        context_mask: maskTensor,
      });
      onStep?.();
      const l = out.logits.data as Float32Array;
      for (let v = 0; v < V; v++) {
        logits[v] = guided ? l[V + v] + settings.guidance * (l[v] - l[V + v]) : l[v];
      }
      const unit = sampleUnit(logits, rng, settings);
      units.push(unit);
      const off = (k * V + unit) * dim;
      for (let d = 0; d < dim; d++) partial[d] += this.codebooks[off + d];
    }
    return { concept: partial, units };
  }

  async release(): Promise<void> {
    await this.prefixSession.release();
    await this.stepSession.release();
  }
}
