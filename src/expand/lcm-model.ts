/**
 * The LCM's ONNX graphs (docs/lcm-contract.md, "Files"), opened through the one session seam:
 *
 *   contextualizer  concepts [B,N,D] (normalized) -> context [B,N,d]; causal
 *   denoiser        noisy [B,D], timestep int64 [B], context [B,M,d], context_mask [B,M] -> x0 [B,D]
 *   base (optional) concepts [B,N,D] -> predicted [B,N,D]; row i predicts concept i+1
 *
 * This module only moves tensors; the schedule, guidance, RNG and stop rules live beside it. The
 * base graph is opened on first use, so diffusion runs never pay for it.
 */
import { join } from "node:path";
import {
  checkGraph,
  createSession,
  floatTensor,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  type SessionOptions,
  type Tensor,
} from "../sonar/onnx-session.js";
import { UsageError } from "../util/errors.js";
import type { ConceptDenoiser } from "./diffusion-sampler.js";
import type { LcmSpec } from "./lcm-spec.js";

export class LcmModel {
  private baseLoad: Promise<InferenceSession> | null = null;

  private constructor(
    readonly spec: LcmSpec,
    private readonly contextualizer: InferenceSession,
    private readonly denoiser: InferenceSession,
    private readonly options: SessionOptions,
  ) {}

  static async load(spec: LcmSpec, options: SessionOptions = {}): Promise<LcmModel> {
    const contextualizer = await open(spec, spec.files.contextualizer, options, {
      inputs: {
        concepts: {
          type: "float32",
          shape: [null, null, spec.dim],
          dimNames: [null, null, "codec.embedding_dim"],
        },
      },
      outputs: {
        context: {
          type: "float32",
          shape: [null, null, spec.modelDim],
          dimNames: [null, null, "architecture.model_dim"],
        },
      },
    });
    const denoiser = await open(spec, spec.files.denoiser, options, {
      inputs: {
        noisy: { type: "float32", shape: [null, spec.dim], dimNames: [null, "codec.embedding_dim"] },
        timestep: { type: "int64", shape: [null] },
        context: {
          type: "float32",
          shape: [null, null, spec.modelDim],
          dimNames: [null, null, "architecture.model_dim"],
        },
        context_mask: { type: "float32", shape: [null, null] },
      },
      outputs: { x0: { type: "float32", shape: [null, spec.dim], dimNames: [null, "codec.embedding_dim"] } },
    });
    return new LcmModel(spec, contextualizer, denoiser, options);
  }

  get hasBase(): boolean {
    return this.spec.files.base !== null;
  }

  /** Context rows [N, d] for N normalized concepts ([N, D], row-major). */
  async contextualize(
    normalized: Float32Array,
    rows: number,
  ): Promise<{ context: Float32Array; width: number }> {
    const out = await this.contextualizer.run({
      concepts: floatTensor(normalized, [1, rows, this.spec.dim]),
    });
    const context = out.context;
    const width = context.dims[2];
    if (context.dims[1] !== rows) {
      throw new ModelFileError(
        `${this.display(this.spec.files.contextualizer)}: returned ${context.dims[1]} rows for ${rows}`,
      );
    }
    return { context: context.data as Float32Array, width };
  }

  /**
   * The denoiser bound to one prompt's context: the conditional branch sees every row, the
   * unconditional one only the zero vector the graph prepends (mask all 0). The context tensors are
   * built once per concept and reused by every step.
   */
  conditioned(context: Float32Array, rows: number, width: number): ConceptDenoiser {
    const D = this.spec.dim;
    const single = floatTensor(context, [1, rows, width]);
    const doubled = new Float32Array(2 * rows * width);
    doubled.set(context, 0);
    doubled.set(context, rows * width);
    const pair = floatTensor(doubled, [2, rows, width]);
    const maskSingle = floatTensor(new Float32Array(rows).fill(1), [1, rows]);
    const maskPairData = new Float32Array(2 * rows);
    maskPairData.fill(1, 0, rows);
    const maskPair = floatTensor(maskPairData, [2, rows]);
    const session = this.denoiser;
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
        const timestep = int64Tensor(new BigInt64Array(branches).fill(BigInt(t)), [branches]);
        const out = await session.run({
          noisy,
          timestep,
          context: branches === 1 ? single : pair,
          context_mask: branches === 1 ? maskSingle : maskPair,
        });
        return out.x0.data as Float32Array;
      },
    };
  }

  /** Base-LCM: the normalized prediction of the concept after the N given ones ([N, D] in). */
  async predictNext(normalized: Float32Array, rows: number): Promise<Float32Array> {
    const session = await this.base();
    const out = await session.run({ concepts: floatTensor(normalized, [1, rows, this.spec.dim]) });
    const D = this.spec.dim;
    const data = out.predicted.data as Float32Array;
    return data.slice((rows - 1) * D, rows * D);
  }

  private base(): Promise<InferenceSession> {
    const file = this.spec.files.base;
    if (file === null) {
      throw new UsageError(
        `the LCM '${this.spec.manifest.name}' has no Base-LCM graph ("files.base" in ${this.spec.manifest.path}); use --model diffusion`,
      );
    }
    this.baseLoad ??= open(this.spec, file, this.options, {
      inputs: {
        concepts: {
          type: "float32",
          shape: [null, null, this.spec.dim],
          dimNames: [null, null, "codec.embedding_dim"],
        },
      },
      outputs: {
        predicted: {
          type: "float32",
          shape: [null, null, this.spec.dim],
          dimNames: [null, null, "codec.embedding_dim"],
        },
      },
    });
    return this.baseLoad;
  }

  private display(file: string): string {
    return join(this.spec.manifest.dir, file);
  }

  async release(): Promise<void> {
    await this.contextualizer.release();
    await this.denoiser.release();
    if (this.baseLoad) await (await this.baseLoad).release();
  }
}

async function open(
  spec: LcmSpec,
  file: string,
  options: SessionOptions,
  expected: Parameters<typeof checkGraph>[1],
): Promise<InferenceSession> {
  const path = join(spec.manifest.dir, file);
  const session = await createSession(path, options, path);
  checkGraph(session, expected, path);
  return session;
}
