/**
 * Concepts -> text with the codec's decoder graph: incremental decoding with a key/value cache, beam
 * search (greedy is beam 1), batched over sentences.
 *
 * The graph takes new tokens plus the cache of everything before them (past_key/past_value
 * [L, rows, H, P, Dh]) and returns logits and the grown cache. The first call feeds the prefix
 * `[</s>, lang tag]` with an empty cache; each later call feeds one token per row. Every row is one
 * live hypothesis; all hypotheses of several sentences run together. When beams are reordered the
 * cache rows are gathered by parent with typed-array copies.
 *
 * Search follows fairseq2's beam search (SONAR's generator): per sentence, the 2k best continuations
 * of all live hypotheses by summed log-probability; an </s> among the first k finishes a hypothesis,
 * scored by sum / length (length counts the </s>) when length normalisation is on; the first k
 * others live on. A sentence is done when k hypotheses finished; at the length limit only </s> is
 * allowed. The first token may not be </s> (min length 1), and pad and <s> are never generated.
 *
 * `useCache: false` recomputes the whole sequence every step from an empty cache: the reference the
 * tests compare the cached path against, and the baseline of the speed benchmark.
 */

import type { CodecManifest } from "../models/manifest.js";
import {
  checkGraph,
  createSession,
  firstLine,
  floatTensor,
  type InferenceSession,
  int64Tensor,
  ModelFileError,
  type SessionOptions,
} from "../models/onnx-session.js";
import { CancelledError, UsageError } from "../util/errors.js";
import type { CodecTokenizer, ProgressOptions } from "./codec-types.js";

export interface DecodeOptions extends ProgressOptions {
  /** Beam width (default: the codec manifest's decoder.default_beam, else 5, SONAR's). */
  beam?: number;
  /** Greedy decoding: the same as beam 1. */
  greedy?: boolean;
  /** Generated tokens at most, </s> included (default 128). */
  maxNewTokens?: number;
  /** Rank finished hypotheses by mean log-probability per token (default true). */
  lengthNormalize?: boolean;
  /** Keep the key/value cache between steps (default true). */
  useCache?: boolean;
  /** Hypotheses run together at most (sentences x beam); default 64. */
  maxRows?: number;
}

export interface DecodedSentence {
  text: string;
  /** Generated ids, without the prefix and the final </s>. */
  tokens: number[];
  /** The score the hypothesis won with (normalised when lengthNormalize). */
  score: number;
}

export const DEFAULT_MAX_NEW_TOKENS = 128;
const DEFAULT_MAX_ROWS = 64;

interface Hypothesis {
  sentence: number;
  tokens: number[];
  /** Sum of log-probabilities so far. */
  score: number;
}

interface Finished {
  tokens: number[];
  score: number;
}

export class ConceptDecoder {
  readonly dim: number;
  private readonly layers: number;
  private readonly heads: number;
  private readonly headDim: number;
  private readonly vocabSize: number;
  private readonly special: CodecManifest["tokenizer"]["specialIds"];
  /** 1 for ids that are never generated: pad, <s> and language tags. */
  private readonly banned: Uint8Array;

  constructor(
    private readonly session: InferenceSession,
    private readonly manifest: CodecManifest,
    private readonly tokenizer: CodecTokenizer,
  ) {
    const d = manifest.decoder;
    this.dim = manifest.embeddingDim;
    this.layers = d.layers;
    this.heads = d.heads;
    this.headDim = d.headDim;
    this.vocabSize = d.vocabSize;
    this.special = manifest.tokenizer.specialIds;
    this.banned = new Uint8Array(this.vocabSize);
    for (const id of [this.special.pad, this.special.bos, ...(tokenizer.tagTokenIds ?? [])]) {
      if (id >= 0 && id < this.vocabSize) this.banned[id] = 1;
    }
  }

  static async load(
    manifest: CodecManifest,
    tokenizer: CodecTokenizer,
    options: SessionOptions & { displayDir?: string } = {},
  ): Promise<ConceptDecoder> {
    const shown = `${options.displayDir ?? manifest.dir}/${manifest.decoder.file}`;
    // Folding int8 weights to fp32 at load is right for a graph whose tied embedding is dequantised
    // whole on every step; an export that says int8_matmul is laid out for int8 kernels instead.
    const sessionOptions = {
      ...options,
      foldQuantizedWeights: options.foldQuantizedWeights ?? !manifest.decoder.int8Matmul,
    };
    const session = await createSession(`${manifest.dir}/${manifest.decoder.file}`, sessionOptions, shown);
    checkGraph(session, decoderExpectation(manifest), shown);
    const decoder = new ConceptDecoder(session, manifest, tokenizer);
    await decoder.probe(shown);
    return decoder;
  }

  /**
   * One tiny run to check what static shapes cannot: the vocabulary size (a symbolic axis in our
   * exports) and that the cache grows by the tokens fed.
   */
  private async probe(shown: string): Promise<void> {
    const eos = BigInt(this.special.eos);
    let out: Awaited<ReturnType<ConceptDecoder["step"]>>;
    try {
      out = await this.step(
        new BigInt64Array([eos, eos]),
        2,
        new Float32Array(this.dim),
        new Float32Array(0),
        new Float32Array(0),
        0,
      );
    } catch (error) {
      throw new ModelFileError(`${shown}: fails on a test input (${firstLine(error)})`);
    }
    const { logits, presentKey } = this.manifest.decoder.outputs;
    if (out.logits.length !== 2 * this.vocabSize) {
      throw new ModelFileError(
        `${shown}: output '${logits}' has ${out.logits.length / 2} entries per token, the manifest says ${this.vocabSize} (decoder.vocab_size)`,
      );
    }
    const cacheSize = this.layers * this.heads * 2 * this.headDim;
    if (out.presentKey.length !== cacheSize) {
      throw new ModelFileError(
        `${shown}: output '${presentKey}' has ${out.presentKey.length} values for 2 tokens, the manifest's layers x heads x head_dim give ${cacheSize}`,
      );
    }
  }

  /** Decodes every embedding to text in `lang`, in input order. */
  async decode(
    embeddings: readonly Float32Array[],
    lang: string,
    options: DecodeOptions = {},
  ): Promise<DecodedSentence[]> {
    // The decoder itself takes any beam (a beam as wide as a toy vocabulary is exhaustive search);
    // what a request may ask for is bounded where requests come in (src/requests/fields.ts).
    const beam = options.greedy ? 1 : (options.beam ?? this.manifest.decoder.defaultBeam);
    const maxNew = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    if (!Number.isInteger(beam) || beam < 1)
      throw new UsageError(`beam must be a positive integer, got ${beam}`);
    if (!Number.isInteger(maxNew) || maxNew < 1) {
      throw new UsageError(`max new tokens must be a positive integer, got ${maxNew}`);
    }
    embeddings.forEach((e, i) => {
      if (e.length !== this.dim) {
        throw new UsageError(`concept ${i + 1} has ${e.length} dimensions, the codec expects ${this.dim}`);
      }
    });
    const tagId = this.tokenizer.langTagId(lang);
    const perGroup = Math.max(1, Math.floor((options.maxRows ?? DEFAULT_MAX_ROWS) / beam));
    const results: DecodedSentence[] = [];
    for (let start = 0; start < embeddings.length; start += perGroup) {
      const group = embeddings.slice(start, start + perGroup);
      const search = new BeamSearch(this, group, tagId, {
        beam,
        maxNew,
        lengthNormalize: options.lengthNormalize ?? true,
        useCache: options.useCache ?? true,
        signal: options.signal,
      });
      for (const best of await search.run()) {
        results.push({ ...best, text: this.tokenizer.decode(best.tokens) });
      }
      options.onProgress?.(results.length, embeddings.length);
    }
    return results;
  }

  /** One graph run. Exposed to the search below; not part of the public surface. */
  async step(
    ids: BigInt64Array,
    newTokens: number,
    embedding: Float32Array,
    pastKey: Float32Array,
    pastValue: Float32Array,
    pastLength: number,
  ): Promise<{ logits: Float32Array; presentKey: Float32Array; presentValue: Float32Array }> {
    const rows = ids.length / newTokens;
    const cacheDims = [this.layers, rows, this.heads, pastLength, this.headDim];
    const { inputs, outputs } = this.manifest.decoder;
    const result = await this.session.run({
      [inputs.inputIds]: int64Tensor(ids, [rows, newTokens]),
      [inputs.embedding]: floatTensor(embedding, [rows, this.dim]),
      [inputs.pastKey]: floatTensor(pastKey, cacheDims),
      [inputs.pastValue]: floatTensor(pastValue, cacheDims),
    });
    return {
      logits: result[outputs.logits].data as Float32Array,
      presentKey: result[outputs.presentKey].data as Float32Array,
      presentValue: result[outputs.presentValue].data as Float32Array,
    };
  }

  get shape() {
    return {
      layers: this.layers,
      heads: this.heads,
      headDim: this.headDim,
      vocabSize: this.vocabSize,
      dim: this.dim,
      special: this.special,
      banned: this.banned,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

interface SearchSettings {
  beam: number;
  maxNew: number;
  lengthNormalize: boolean;
  useCache: boolean;
  signal?: AbortSignal;
}

/** Beam search over one group of sentences, all live hypotheses in one batch. */
class BeamSearch {
  private live: Hypothesis[];
  private readonly finished: Finished[][];
  private readonly done: boolean[];

  constructor(
    private readonly decoder: ConceptDecoder,
    private readonly embeddings: readonly Float32Array[],
    private readonly tagId: number,
    private readonly settings: SearchSettings,
  ) {
    this.live = embeddings.map((_, sentence) => ({ sentence, tokens: [], score: 0 }));
    this.finished = embeddings.map(() => []);
    this.done = embeddings.map(() => false);
  }

  async run(): Promise<Finished[]> {
    const { layers, heads, headDim, special } = this.decoder.shape;
    const { maxNew, useCache, signal } = this.settings;
    let pastKey: Float32Array = new Float32Array(0);
    let pastValue: Float32Array = new Float32Array(0);
    let pastLength = 0;
    for (let step = 0; step < maxNew && this.live.length > 0; step++) {
      if (signal?.aborted) throw new CancelledError();
      const rows = this.live.length;
      // Cached: the prefix on the first step, then one token per row. Uncached: everything, every step.
      const fed = useCache && step > 0 ? 1 : 2 + step;
      const ids = new BigInt64Array(rows * fed);
      this.live.forEach((h, r) => {
        const sequence = [special.eos, this.tagId, ...h.tokens];
        for (let t = 0; t < fed; t++) ids[r * fed + t] = BigInt(sequence[sequence.length - fed + t]);
      });
      if (!useCache) {
        pastKey = new Float32Array(0);
        pastValue = new Float32Array(0);
        pastLength = 0;
      }
      const out = await this.decoder.step(ids, fed, this.rowEmbeddings(), pastKey, pastValue, pastLength);
      const parents = this.advance(out.logits, fed, step);
      if (useCache && this.live.length > 0) {
        const total = pastLength + fed;
        const chunk = heads * total * headDim;
        pastKey = gatherRows(out.presentKey, layers, rows, chunk, parents);
        pastValue = gatherRows(out.presentValue, layers, rows, chunk, parents);
        pastLength = total;
      }
    }
    return this.finished.map((list) => best(list));
  }

  private rowEmbeddings(): Float32Array {
    const dim = this.decoder.dim;
    const out = new Float32Array(this.live.length * dim);
    this.live.forEach((h, r) => {
      out.set(this.embeddings[h.sentence], r * dim);
    });
    return out;
  }

  /**
   * Scores every continuation of every live hypothesis, finishes and keeps hypotheses per sentence,
   * and returns the parent row of each new live hypothesis (for the cache gather).
   */
  private advance(logits: Float32Array, fed: number, step: number): number[] {
    const { vocabSize, special, banned } = this.decoder.shape;
    const { beam, maxNew, lengthNormalize } = this.settings;
    const lastStep = step === maxNew - 1;
    const width = 2 * beam;
    // Candidates per sentence: a small array kept sorted best-first.
    const candidates = new Map<number, Candidate[]>();
    this.live.forEach((h, r) => {
      const base = (r * fed + fed - 1) * vocabSize;
      const row = logits.subarray(base, base + vocabSize);
      const lse = logSumExp(row);
      let list = candidates.get(h.sentence);
      if (!list) candidates.set(h.sentence, (list = []));
      if (lastStep) {
        insertCandidate(list, width, h.score + row[special.eos] - lse, r, special.eos);
        return;
      }
      const eos = step > 0 ? -1 : special.eos;
      for (let token = 0; token < vocabSize; token++) {
        const score = h.score + row[token] - lse;
        if (list.length === width && score <= list[width - 1].score) continue;
        if (banned[token] === 1 || token === eos) continue;
        insertCandidate(list, width, score, r, token);
      }
    });
    const next: Hypothesis[] = [];
    const parents: number[] = [];
    for (const [sentence, list] of candidates) {
      const finished = this.finished[sentence];
      let kept = 0;
      for (let j = 0; j < list.length; j++) {
        const c = list[j];
        const parent = this.live[c.row];
        if (c.token === special.eos) {
          if (j < beam) {
            const length = parent.tokens.length + 1;
            finished.push({ tokens: parent.tokens, score: lengthNormalize ? c.score / length : c.score });
          }
        } else if (kept < beam) {
          next.push({ sentence, tokens: [...parent.tokens, c.token], score: c.score });
          parents.push(c.row);
          kept++;
        }
      }
      if (finished.length >= beam || lastStep) this.done[sentence] = true;
    }
    const keep = next.map((h) => !this.done[h.sentence]);
    this.live = next.filter((_, i) => keep[i]);
    return parents.filter((_, i) => keep[i]);
  }
}

interface Candidate {
  score: number;
  row: number;
  token: number;
}

/** Inserts into a best-first list capped at `width`; ties keep the earlier (row, token). */
function insertCandidate(list: Candidate[], width: number, score: number, row: number, token: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1].score < score) i--;
  if (i >= width) return;
  list.splice(i, 0, { score, row, token });
  if (list.length > width) list.pop();
}

function logSumExp(row: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  // exp(-30) is 1e-13 of the largest term: skipping such terms changes nothing measurable and saves
  // most of the exp calls for a trained model, whose logits sit far below the top few.
  for (let i = 0; i < row.length; i++) {
    const d = row[i] - max;
    if (d > -30) sum += Math.exp(d);
  }
  return max + Math.log(sum);
}

function best(list: Finished[]): Finished {
  let winner = list[0];
  for (const f of list) if (f.score > winner.score) winner = f;
  return winner ?? { tokens: [], score: Number.NEGATIVE_INFINITY };
}

/**
 * Gathers cache rows: source [L, rows, chunk] -> [L, parents.length, chunk] where new row i is old row
 * parents[i]. When the rows stay as they are, the source is returned as is.
 */
export function gatherRows(
  source: Float32Array,
  layers: number,
  rows: number,
  chunk: number,
  parents: readonly number[],
): Float32Array {
  if (parents.length === rows && parents.every((p, i) => p === i)) return source;
  const out = new Float32Array(layers * parents.length * chunk);
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < parents.length; i++) {
      const from = (l * rows + parents[i]) * chunk;
      out.set(source.subarray(from, from + chunk), (l * parents.length + i) * chunk);
    }
  }
  return out;
}

export function decoderExpectation(manifest: CodecManifest) {
  const d = manifest.decoder;
  const cache = {
    type: "float32" as const,
    shape: [d.layers, null, d.heads, null, d.headDim],
    dimNames: ["decoder.layers", null, "decoder.heads", null, "decoder.head_dim"],
  };
  return {
    inputs: {
      [d.inputs.inputIds]: { type: "int64" as const, shape: [null, null] },
      [d.inputs.embedding]: {
        type: "float32" as const,
        shape: [null, manifest.embeddingDim],
        dimNames: [null, "embedding_dim"],
      },
      [d.inputs.pastKey]: cache,
      [d.inputs.pastValue]: cache,
    },
    outputs: {
      [d.outputs.logits]: {
        type: "float32" as const,
        shape: [null, null, d.vocabSize],
        dimNames: [null, null, "decoder.vocab_size"],
      },
      [d.outputs.presentKey]: cache,
      [d.outputs.presentValue]: cache,
    },
  };
}
