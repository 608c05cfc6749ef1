/**
 * Sentences -> concepts with the codec's encoder graph.
 *
 * Input per sentence: `[lang tag] pieces... </s>`, right-padded with the pad id and masked. Pieces
 * beyond the model's limit are cut (tag and </s> always kept) and the cut sentences are reported, never
 * silently shortened. Batches are built by length: sentences sorted by token count and packed under
 * a token budget (rows x longest row), so short sentences do not pay for long ones' padding. Outputs
 * go back to input order; padding is masked inside the graph, so a sentence's vector does not depend
 * on what it was batched with (beyond float rounding).
 */

import type { CodecManifest } from "../models/manifest.js";
import {
  checkGraph,
  createSession,
  firstLine,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  type SessionOptions,
} from "../models/onnx-session.js";
import { CancelledError } from "../util/errors.js";
import type { CodecTokenizer, ProgressOptions } from "./codec-types.js";

export interface EncoderBatching {
  /** Padded tokens per batch (rows x longest row). */
  tokenBudget: number;
  /** Rows per batch at most. */
  maxRows: number;
}

/**
 * The encoder is compute-bound (one sentence is already tens of GEMM rows), so batches only need to
 * amortise per-run overhead: measured on the d=512 6-layer default codec (bench/codec-speed.mjs,
 * 2 shared cores), ~512-token batches gave the most sentences per CPU-second (1.4x one sentence per
 * run on a mix of long and short sentences); bigger batches were slower (cache pressure).
 */
export const DEFAULT_ENCODER_BATCHING: EncoderBatching = { tokenBudget: 512, maxRows: 64 };

export interface EncodeResult {
  /** One row per input text, in input order (views into one buffer). */
  vectors: Float32Array[];
  dim: number;
  /** Indices of inputs cut at the model's max_tokens. */
  truncated: number[];
}

export class ConceptEncoder {
  readonly dim: number;
  readonly maxTokens: number;
  private readonly pad: number;
  private readonly eos: number;

  constructor(
    private readonly session: InferenceSession,
    private readonly manifest: CodecManifest,
    private readonly tokenizer: CodecTokenizer,
    private readonly batching: EncoderBatching = DEFAULT_ENCODER_BATCHING,
  ) {
    this.dim = manifest.embeddingDim;
    this.maxTokens = manifest.encoder.maxTokens;
    this.pad = manifest.tokenizer.specialIds.pad;
    this.eos = manifest.tokenizer.specialIds.eos;
  }

  static async load(
    manifest: CodecManifest,
    tokenizer: CodecTokenizer,
    options: SessionOptions & { batching?: Partial<EncoderBatching>; displayDir?: string } = {},
  ): Promise<ConceptEncoder> {
    const shown = `${options.displayDir ?? manifest.dir}/${manifest.encoder.file}`;
    // Unfolded int8 weights run as MatMulNBits here, faster than folded fp32 (see onnx-session.ts).
    const sessionOptions = { ...options, foldQuantizedWeights: options.foldQuantizedWeights ?? false };
    const session = await createSession(`${manifest.dir}/${manifest.encoder.file}`, sessionOptions, shown);
    checkGraph(session, encoderExpectation(manifest), shown);
    const encoder = new ConceptEncoder(session, manifest, tokenizer, {
      ...DEFAULT_ENCODER_BATCHING,
      ...options.batching,
    });
    await encoder.probe(shown);
    return encoder;
  }

  /**
   * One tiny run to check what static shapes cannot (a symbolic output dim, a graph that loads but
   * cannot run): a [1 x 2] input must give a [1 x embedding_dim] output.
   */
  private async probe(shown: string): Promise<void> {
    const eos = BigInt(this.eos);
    const { inputs, output } = this.manifest.encoder;
    let dims: readonly number[];
    try {
      const result = await this.session.run({
        [inputs.inputIds]: int64Tensor(new BigInt64Array([eos, eos]), [1, 2]),
        [inputs.attentionMask]: int64Tensor(new BigInt64Array([1n, 1n]), [1, 2]),
      });
      dims = result[output].dims;
    } catch (error) {
      throw new ModelFileError(`${shown}: fails on a test input (${firstLine(error)})`);
    }
    if (dims.length !== 2 || dims[1] !== this.dim) {
      throw new ModelFileError(
        `${shown}: output '${output}' has shape [${dims.join(", ")}], the manifest says [1, ${this.dim}] (embedding_dim)`,
      );
    }
  }

  /** Token ids the graph sees for one text (tag, pieces, </s>), and whether it was cut. */
  tokenize(text: string, tagId: number): { ids: number[]; truncated: boolean } {
    const pieces = this.tokenizer.encode(text);
    const room = this.maxTokens - 2;
    const truncated = pieces.length > room;
    const body = truncated ? pieces.slice(0, room) : pieces;
    return { ids: [tagId, ...body, this.eos], truncated };
  }

  async encode(texts: readonly string[], lang: string, options: ProgressOptions = {}): Promise<EncodeResult> {
    const tagId = this.tokenizer.langTagId(lang);
    const sequences = texts.map((text) => this.tokenize(text, tagId));
    const truncated = sequences.flatMap((s, i) => (s.truncated ? [i] : []));
    const out = new Float32Array(texts.length * this.dim);
    const batches = planBatches(
      sequences.map((s) => s.ids.length),
      this.batching,
    );
    let done = 0;
    for (const batch of batches) {
      if (options.signal?.aborted) throw new CancelledError();
      const rows = await this.runBatch(batch.map((i) => sequences[i].ids));
      batch.forEach((index, row) => {
        out.set(rows.subarray(row * this.dim, (row + 1) * this.dim), index * this.dim);
      });
      done += batch.length;
      options.onProgress?.(done, texts.length);
    }
    const vectors = texts.map((_, i) => out.subarray(i * this.dim, (i + 1) * this.dim));
    return { vectors, dim: this.dim, truncated };
  }

  /** One graph run over right-padded rows -> [rows x dim] embeddings. */
  private async runBatch(rows: number[][]): Promise<Float32Array> {
    const width = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width).fill(BigInt(this.pad));
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        ids[r * width + t] = BigInt(row[t]);
        mask[r * width + t] = 1n;
      }
    });
    const { inputs, output } = this.manifest.encoder;
    const result = await this.session.run({
      [inputs.inputIds]: int64Tensor(ids, [rows.length, width]),
      [inputs.attentionMask]: int64Tensor(mask, [rows.length, width]),
    });
    return result[output].data as Float32Array;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/**
 * Length bucketing: indices sorted by length (stable), then cut into batches whose padded size
 * (rows x longest) stays within the budget. A sentence longer than the budget goes alone.
 */
export function planBatches(lengths: readonly number[], batching: EncoderBatching): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const index of order) {
    // Sorted ascending, so the newest member is the longest.
    const width = lengths[index];
    if (
      current.length > 0 &&
      ((current.length + 1) * width > batching.tokenBudget || current.length >= batching.maxRows)
    ) {
      batches.push(current);
      current = [];
    }
    current.push(index);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export function encoderExpectation(manifest: CodecManifest) {
  const { inputs, output } = manifest.encoder;
  return {
    inputs: {
      [inputs.inputIds]: { type: "int64" as const, shape: [null, null] },
      [inputs.attentionMask]: { type: "int64" as const, shape: [null, null] },
    },
    outputs: {
      [output]: {
        type: "float32" as const,
        shape: [null, manifest.embeddingDim],
        dimNames: [null, "embedding_dim"],
      },
    },
  };
}
