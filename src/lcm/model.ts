/**
 * The LCM's ONNX graphs (docs/lcm-contract.md, "Files"), opened through the one session seam:
 *
 *   contextualizer  concepts [B,N,D] (normalized) -> context [B,N,d]; causal
 *   denoiser        noisy [B,D], timestep int64 [B], context [B,M,d], context_mask [B,M] -> x0 [B,D]
 *   denoiser_memory context [B,M,d] -> memory_keys, memory_values [L,B,M+1,d]
 *   denoiser_step   noisy [B,D], timestep, memory_keys/values [L,1 or B,M+1,d], context_mask -> x0
 *   base (optional) concepts [B,N,D] -> predicted [B,N,D]; row i predicts concept i+1
 *
 * The split denoiser (memory + step) computes what the one-graph denoiser computes, but projects the
 * context into cross-attention keys/values once per generated concept instead of at every one of the
 * ~80 denoiser runs a concept takes (40 steps, cond + uncond); it is used whenever the model has it.
 *
 * This module only moves tensors; the schedule, guidance, RNG and stop rules live beside it. The
 * base graph is opened on first use, so diffusion runs never pay for it.
 */
import { join } from "node:path";
import { checkFileSizes } from "../models/model-files.js";
import {
  floatTensor,
  type GraphExpectation,
  type InferenceSession,
  ModelFileError,
  type SessionOptions,
  type Tensor,
} from "../models/onnx-session.js";
import { UsageError } from "../util/errors.js";
import type { ConceptDenoiser } from "./diffusion-sampler.js";
import { conceptsInput, openGraph, stepDenoiser, stepGraph } from "./graphs.js";
import type { LcmSpec } from "./spec.js";

export interface LcmLoadOptions extends SessionOptions {
  /** Which denoiser form to run: auto (the split one when present), or force one (tests, benchmarks). */
  denoiser?: "auto" | "full" | "split";
}

type DenoiserSessions =
  | { form: "full"; session: InferenceSession }
  | { form: "split"; memory: InferenceSession; step: InferenceSession };

export class LcmModel {
  private baseLoad: Promise<InferenceSession> | null = null;

  private constructor(
    readonly spec: LcmSpec,
    private readonly contextualizer: InferenceSession,
    private readonly denoiser: DenoiserSessions,
    private readonly options: SessionOptions,
  ) {}

  static async load(spec: LcmSpec, options: LcmLoadOptions = {}): Promise<LcmModel> {
    const { denoiser: form = "auto", ...sessionOptions } = options;
    await checkFileSizes(spec.manifest);
    const contextualizer = await open(spec, spec.files.contextualizer, sessionOptions, {
      inputs: { concepts: conceptsInput(spec.dim) },
      outputs: {
        context: {
          type: "float32",
          shape: [null, null, spec.modelDim],
          dimNames: [null, null, "architecture.model_dim"],
        },
      },
    });
    const denoiser = await openDenoiser(spec, sessionOptions, form);
    return new LcmModel(spec, contextualizer, denoiser, sessionOptions);
  }

  /** Which denoiser form this model runs. */
  get denoiserForm(): "full" | "split" {
    return this.denoiser.form;
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
   * unconditional one only the zero vector the graph prepends (mask all 0). Everything that depends
   * on the context alone (its tensors, or with the split denoiser its keys/values) is built once per
   * concept and reused by every step.
   */
  async conditioned(context: Float32Array, rows: number, width: number): Promise<ConceptDenoiser> {
    const inputs = await this.contextInputs(context, rows, width);
    const session = this.denoiser.form === "full" ? this.denoiser.session : this.denoiser.step;
    return stepDenoiser(session, this.spec.dim, rows, inputs);
  }

  /** The context-dependent denoiser inputs for batch 1 and for the batched cond + uncond pair. */
  private async contextInputs(
    context: Float32Array,
    rows: number,
    width: number,
  ): Promise<{ single: Record<string, Tensor>; pair: Record<string, Tensor> }> {
    if (this.denoiser.form === "full") {
      return {
        single: { context: floatTensor(context, [1, rows, width]) },
        pair: { context: floatTensor(doubled(context), [2, rows, width]) },
      };
    }
    const out = await this.denoiser.memory.run({ context: floatTensor(context, [1, rows, width]) });
    const keys = out.memory_keys;
    const values = out.memory_values;
    const [layers, batch, memoryRows, memoryWidth] = keys.dims;
    if (
      batch !== 1 ||
      memoryRows !== rows + 1 ||
      memoryWidth !== width ||
      values.dims.join() !== keys.dims.join()
    ) {
      throw new ModelFileError(
        `${this.display(this.spec.files.denoiserMemory!)}: memory of shape [${keys.dims}] / [${values.dims}] for ${rows} context rows of width ${width}`,
      );
    }
    // One memory (batch 1) serves both branches: the step graph broadcasts it over the batch.
    const memory = {
      memory_keys: floatTensor(keys.data as Float32Array, [layers, 1, memoryRows, memoryWidth]),
      memory_values: floatTensor(values.data as Float32Array, [layers, 1, memoryRows, memoryWidth]),
    };
    return { single: memory, pair: memory };
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
      inputs: { concepts: conceptsInput(this.spec.dim) },
      outputs: { predicted: conceptsInput(this.spec.dim) },
    });
    return this.baseLoad;
  }

  private display(file: string): string {
    return join(this.spec.manifest.dir, file);
  }

  async release(): Promise<void> {
    await this.contextualizer.release();
    if (this.denoiser.form === "full") await this.denoiser.session.release();
    else {
      await this.denoiser.memory.release();
      await this.denoiser.step.release();
    }
    if (this.baseLoad) await (await this.baseLoad).release();
  }
}

function open(
  spec: LcmSpec,
  file: string,
  options: SessionOptions,
  expected: GraphExpectation,
): Promise<InferenceSession> {
  return openGraph(spec.manifest.dir, file, options, expected);
}

/** [1, ...] -> [2, ...]: the cond and uncond branches share the context; only their masks differ. */
function doubled(data: Float32Array): Float32Array {
  const out = new Float32Array(2 * data.length);
  out.set(data, 0);
  out.set(data, data.length);
  return out;
}

async function openDenoiser(
  spec: LcmSpec,
  options: SessionOptions,
  form: "auto" | "full" | "split",
): Promise<DenoiserSessions> {
  const { denoiser, denoiserMemory, denoiserStep } = spec.files;
  const split = denoiserMemory !== null && denoiserStep !== null;
  const where = spec.manifest.path;
  if (form === "split" && !split) {
    throw new UsageError(
      `the LCM '${spec.manifest.name}' has no split denoiser ("files.denoiser_step" in ${where})`,
    );
  }
  if (form === "full" && denoiser === null) {
    throw new UsageError(
      `the LCM '${spec.manifest.name}' has no one-graph denoiser ("files.denoiser" in ${where})`,
    );
  }
  const context = {
    type: "float32" as const,
    shape: [null, null, spec.modelDim],
    dimNames: [null, null, "architecture.model_dim"],
  };
  const stepIO = stepGraph(spec.dim);
  if (form !== "full" && split) {
    const memoryShape = {
      type: "float32" as const,
      shape: [null, null, null, spec.modelDim],
      dimNames: [null, null, null, "architecture.model_dim"],
    };
    const memory = await open(spec, denoiserMemory, options, {
      inputs: { context },
      outputs: { memory_keys: memoryShape, memory_values: memoryShape },
    });
    const step = await open(spec, denoiserStep, options, {
      inputs: { ...stepIO.inputs, memory_keys: memoryShape, memory_values: memoryShape },
      outputs: stepIO.outputs,
    });
    return { form: "split", memory, step };
  }
  const session = await open(spec, denoiser!, options, {
    inputs: { ...stepIO.inputs, context },
    outputs: stepIO.outputs,
  });
  return { form: "full", session };
}
