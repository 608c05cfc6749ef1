/**
 * The one place that creates ONNX Runtime sessions. Every graph the tool runs (codec encoder and
 * decoder, later the LCM) is opened here, so thread count, execution provider, graph optimisation and
 * the int8 weight folding are decided once, and every load failure becomes one clear line that names
 * the file.
 *
 * int8 weights: our exports store large matrices as int8 behind DequantizeLinear nodes. Two ways to
 * run them, chosen per graph by the caller (measured in bench/codec-speed.mjs, onnxruntime 1.30):
 *  - folded (`disable_quant_qdq`): the nodes are plain arithmetic on constants, folded to fp32 at
 *    load; every kernel is the ordinary fp32 one. Right for a decoder exported with a tied embedding
 *    (Gather + Gemm, which onnxruntime does not fuse): unfolded, it would be dequantised every step.
 *  - unfolded: onnxruntime fuses DequantizeLinear -> MatMul into MatMulNBits (int8 weights, kept
 *    int8 in memory). Best for the encoder (~1.3x more sentences per CPU-second, a quarter the
 *    memory) and for a decoder exported for it ("decoder.int8_matmul", training/codec/int8_graph.py):
 *    a decoding step is bound by reading weights, so int8 weights make it ~1.5x faster.
 * An encoder exported with "encoder.int8_activations" has no DequantizeLinear -> MatMul pairs left to
 * fuse: its matmuls are DynamicQuantizeMatMul nodes (activations quantized per call, int8 x int8
 * kernels): ~3x faster encoding than MatMulNBits on a CPU with VNNI (bench/summarize-speed.mjs --baseline).
 */
import { readFile, stat } from "node:fs/promises";
import * as ort from "onnxruntime-node";
import { disableOnnxTelemetry, threadsFromEnv } from "../util/env.js";
import { UsageError } from "../util/errors.js";

export type { InferenceSession, Tensor } from "onnxruntime-node";
export { ort };

// onnxruntime otherwise writes a telemetry device id under $XDG_CACHE_HOME/Microsoft on first use.
// Read when the first session is created, so setting it here (before any) is enough (util/env.ts).
disableOnnxTelemetry();

export interface SessionOptions {
  /** Intra-op threads; default from LCM_THREADS, else onnxruntime's own choice (one per core). */
  threads?: number;
  /** Fold int8 DequantizeLinear weights to fp32 at load (default true; see the file comment). */
  foldQuantizedWeights?: boolean;
  /** Graph optimisation level (default "all"). */
  optimization?: "disabled" | "basic" | "extended" | "all";
}

/** A model file problem: one line naming the file. The model directory is user input, hence exit 2. */
export class ModelFileError extends UsageError {}

/** A model's data file (not a graph: language maps, a salience whitening), or one line naming it. */
export async function readModelFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new ModelFileError(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** Threads from options, else LCM_THREADS, else undefined (onnxruntime decides). */
export function resolveThreads(threads?: number): number | undefined {
  if (threads !== undefined) return threads;
  return threadsFromEnv();
}

export function sessionOptions(options: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const threads = resolveThreads(options.threads);
  const result: ort.InferenceSession.SessionOptions = {
    executionProviders: ["cpu"],
    graphOptimizationLevel: options.optimization ?? "all",
    executionMode: "sequential",
    // Warnings about unused initializers and the like are not the user's business.
    logSeverityLevel: 3,
  };
  if (threads !== undefined) {
    result.intraOpNumThreads = threads;
    result.interOpNumThreads = 1;
  }
  if (options.foldQuantizedWeights ?? true) result.extra = { session: { disable_quant_qdq: "1" } };
  return result;
}

/** Opens `path` (shown as `displayPath` in errors) as an inference session. */
export async function createSession(
  path: string,
  options: SessionOptions = {},
  displayPath = path,
): Promise<ort.InferenceSession> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelFileError(`${displayPath}: not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ModelFileError(`${displayPath}: missing (the manifest names it)`);
    throw new ModelFileError(`${displayPath}: cannot read (${code ?? "unknown error"})`);
  }
  if (size === 0) throw new ModelFileError(`${displayPath}: empty file, not a valid ONNX model`);
  try {
    return await ort.InferenceSession.create(path, sessionOptions(options));
  } catch (error) {
    throw new ModelFileError(`${displayPath}: ${describeLoadFailure(error)}`);
  }
}

/** onnxruntime's load errors are long and technical; keep the gist. */
function describeLoadFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/protobuf|parsing failed|Load model .* failed|ModelProto|INVALID_PROTOBUF/i.test(message)) {
    return "not a valid ONNX file (truncated or corrupt)";
  }
  return `onnxruntime cannot load it: ${firstLine(error)}`;
}

/** What a graph must look like: names in order-free sets, and static dims where we know them. */
export interface GraphExpectation {
  inputs: Record<string, TensorExpectation>;
  outputs: Record<string, TensorExpectation>;
}

export interface TensorExpectation {
  type: ort.Tensor.Type;
  /** One entry per axis: a number is a required static size, null any size (symbolic or not). */
  shape: readonly (number | null)[];
  /** What each fixed dimension means, for the message ("embedding_dim", "vocab_size"...). */
  dimNames?: readonly (string | null)[];
}

/**
 * Checks a loaded session against what the manifest promises. Throws a ModelFileError naming the file
 * and the first difference ("…/decoder.onnx: expected output 'logits', found 'out', 'present_key'").
 */
export function checkGraph(
  session: ort.InferenceSession,
  expected: GraphExpectation,
  displayPath: string,
): void {
  checkSide("input", session.inputNames, session.inputMetadata, expected.inputs, displayPath);
  checkSide("output", session.outputNames, session.outputMetadata, expected.outputs, displayPath);
}

function checkSide(
  side: "input" | "output",
  names: readonly string[],
  metadata: readonly ort.InferenceSession.ValueMetadata[],
  expected: Record<string, TensorExpectation>,
  displayPath: string,
): void {
  for (const [name, want] of Object.entries(expected)) {
    if (!names.includes(name)) {
      const found = names.map((n) => `'${n}'`).join(", ") || "none";
      throw new ModelFileError(`${displayPath}: expected ${side} '${name}', found ${found}`);
    }
    const meta = metadata.find((m) => m.name === name);
    if (!meta?.isTensor) continue;
    if (meta.type !== want.type) {
      throw new ModelFileError(`${displayPath}: ${side} '${name}' is ${meta.type}, expected ${want.type}`);
    }
    // An empty shape means onnxruntime does not know it; nothing to compare.
    if (meta.shape.length === 0) continue;
    if (meta.shape.length !== want.shape.length) {
      throw new ModelFileError(
        `${displayPath}: ${side} '${name}' has ${meta.shape.length} dimensions [${meta.shape.join(", ")}], expected ${want.shape.length}`,
      );
    }
    want.shape.forEach((size, axis) => {
      const actual = meta.shape[axis];
      if (size === null || typeof actual !== "number" || actual < 0) return;
      if (actual !== size) {
        const what = want.dimNames?.[axis] ? ` (${want.dimNames[axis]} in manifest.json)` : "";
        throw new ModelFileError(
          `${displayPath}: ${side} '${name}' dimension ${axis} is ${actual}, the manifest says ${size}${what}`,
        );
      }
    });
  }
}

/** The first line of an error's message (onnxruntime's are long), without its "[ONNXRuntimeError]" prefix. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .split("\n")[0]
    .replace(/^\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/, "")
    .slice(0, 300);
}

/** A zero-filled or given float32 tensor. */
export function floatTensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor("float32", data, dims);
}

/** An int64 tensor from JS numbers (token ids, masks). */
export function int64Tensor(data: BigInt64Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor("int64", data, dims);
}
