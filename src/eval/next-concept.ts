/**
 * The LCM paper's pre-training metrics (arXiv 2412.08821, §2.4.1 and Table 3) on any documents: how
 * well an LCM predicts the next concept of real text, teacher-forced. `lcm eval next-concept` is its
 * shell; this module never prints.
 *
 * Each document is segmented and encoded exactly as `lcm summarize` does (tasks/source-concepts.ts),
 * and its first `maxPositions + 1` concepts x_0..x_K are kept. For every n in 1..K the model predicts
 * x̂_n from the concepts before it (at most the model's max_context of them: a sliding window),
 * sampled models (diffusion, Quant-LCM) with the model's default settings and a fixed seed (one RNG per
 * document, seed + document index, drawn in position order, so a document scores the same in any
 * company).
 * The metrics, in the paper's words and here:
 *
 * - l2 (paper ℓ2): "Euclidean distance in the SONAR space between the predicted embedding x̂_n and the
 *   ground-truth continuation x_n". Here: the codec's raw space (the space `lcm encode` writes, before
 *   the LCM's normalizer), which is SONAR's for an LCM trained on SONAR.
 * - l2_r (paper ℓ2-r, round-trip): "Euclidean distance ... between the re-encoded sentence generated from
 *   the generated embedding and the ground-truth continuation", ‖encode(decode(x̂_n)) − x_n‖: x̂_n is
 *   decoded with the codec (in x_n's language, the codec's beam) and the text encoded again.
 * - contrastive_accuracy (paper CA): "the ratio of embeddings in a batch that are further away (in
 *   terms of ℓ2) from the predicted embedding x̂_n than the ground-truth x_n (for each n, we exclude x_n
 *   and its historical context)". The batch here is every concept kept from every document of the run;
 *   for position n of a document, its x_0..x_n are left out. A position with no other concept in the
 *   batch (the last of a single document) has no CA and is not counted in it.
 * - paraphrase (paper PAR): "the maximum cosine similarity (CS) between the generated embedding x̂_n
 *   and the context embeddings x_<n, normalized by the score of the ground truth sentence":
 *   max_m CS(x̂_n, x_m) / max_m CS(x_n, x_m) over the context the model saw. Above 1: the model stays
 *   closer to (copies, paraphrases) its context than the real next sentence does. A position whose
 *   denominator is not positive has no ratio and is not counted.
 *
 * Means are over positions, pooled over documents. Two baselines get the same four numbers: copy the
 * previous concept (x̂_n = x_{n−1}) and the context mean (the mean of the concepts the model sees; the
 * whole document's mean would use concepts no model is shown). `codec_round_trip` is
 * ‖encode(decode(x_n)) − x_n‖ of the true next concepts: what decoding and re-encoding alone moves a
 * real concept, the l2_r a perfect prediction (x̂_n = x_n) would get.
 *
 * The decoder and encoder run once per language over every vector of the run (they batch internally);
 * the predictions run one position at a time (the predictors take one prompt).
 */
import type { ConceptCodec } from "../codec/codec.js";
import { canonicalModel, type OfferedModel } from "../lcm/model-kinds.js";
import type { NextConceptPredictor, PredictorKind } from "../lcm/predictors.js";
import { SeededRandom } from "../lcm/rng.js";
import {
  type GenerationOptions,
  type GenerationSettings,
  partSeed,
  resolveGenerationSettings,
} from "../lcm/settings.js";
import type { LcmFamily } from "../lcm/spec.js";
import type { DocumentFormat } from "../planner/outline.js";
import type { ConceptEngine } from "../tasks/engine.js";
import { encodeSentences, readSourceDocument } from "../tasks/source-concepts.js";
import { CancelledError, UsageError } from "../util/errors.js";
import { cosine, meanVector } from "../util/vector-math.js";

/** Positions scored per document when the caller names no number: about a minute for one document on
 * the bundled models (2 CPU cores). */
export const DEFAULT_MAX_POSITIONS = 32;

export interface NextConceptDocument {
  /** How the report names it (the path). */
  name: string;
  text: string;
  format: DocumentFormat;
}

export interface NextConceptOptions extends Omit<GenerationOptions, "eotThreshold" | "repeatThreshold"> {
  /** Positions scored per document, the first ones (default DEFAULT_MAX_POSITIONS). */
  maxPositions?: number;
  /** The documents' language (default: detected per section, as summarize does). */
  sourceLang?: string;
  /** The decoder's beam for l2_r (default: the codec's). */
  beam?: number;
}

export type NextConceptStage = "encode" | "predict" | "decode" | "re-encode";

export interface NextConceptProgress {
  stage: NextConceptStage;
  done: number;
  total: number;
  detail?: string;
}

export interface NextConceptCallbacks {
  onProgress?: (event: NextConceptProgress) => void;
  signal?: AbortSignal;
}

/** The four metrics of one predictor, and how many positions each is a mean over. */
export interface NextConceptScores {
  l2: number;
  l2_r: number;
  /** null when no position had another concept in the batch. */
  contrastive_accuracy: number | null;
  /** null when no position had a positive denominator. */
  paraphrase: number | null;
  positions: number;
  contrastive_positions: number;
  paraphrase_positions: number;
}

export interface NextConceptReport {
  lcm: { name: string; family: LcmFamily };
  codec: { name: string; dim: number };
  /** Where the distances are measured. */
  space: string;
  model: { name: OfferedModel; kind: PredictorKind } & NextConceptScores;
  baselines: { copy_previous: NextConceptScores; context_mean: NextConceptScores };
  codec_round_trip: { l2: number; positions: number };
  settings: {
    model: OfferedModel;
    seed: number;
    /** The sampler's settings: the diffusion models' or the Quant-LCM's; null for the Base-LCM. */
    sampler: Partial<
      Pick<
        GenerationSettings,
        | "steps"
        | "guidance"
        | "guidanceRescale"
        | "initialNoise"
        | "epsilonScaling"
        | "temperature"
        | "topP"
        | "topK"
      >
    > | null;
    beam: number;
    maxPositions: number;
    maxContext: number;
  };
  documents: { name: string; lang: string; sentences: number; positions: number }[];
  /** Documents with fewer than two sentences: nothing to predict. */
  skipped: { name: string; reason: string }[];
}

/** One document's concepts as the metrics see them: the first maxPositions + 1. */
interface PreparedDocument {
  name: string;
  lang: string;
  sentences: number;
  vectors: Float32Array[];
  langs: string[];
}

/** Position n of document `doc`: predict vectors[n] from vectors[start..n). */
interface Position {
  doc: number;
  n: number;
  start: number;
}

export async function evaluateNextConcept(
  engine: ConceptEngine,
  documents: readonly NextConceptDocument[],
  options: NextConceptOptions = {},
  callbacks: NextConceptCallbacks = {},
): Promise<NextConceptReport> {
  const maxPositions = options.maxPositions ?? DEFAULT_MAX_POSITIONS;
  if (!Number.isInteger(maxPositions) || maxPositions < 1) {
    throw new UsageError(`max positions must be a positive integer, got ${maxPositions}`);
  }
  if (documents.length === 0) throw new UsageError("no documents to evaluate");
  const settings = resolveGenerationSettings(engine.spec, options);
  const predictor = engine.predictor(settings);
  const beam = options.beam ?? engine.codec.manifest.decoder.defaultBeam;
  const { prepared, skipped } = await prepareDocuments(
    engine.codec,
    documents,
    maxPositions,
    options,
    callbacks,
  );
  if (prepared.length === 0) {
    throw new UsageError(
      `no document has two sentences to predict from (${skipped.map((s) => s.name).join(", ")})`,
    );
  }
  const positions = positionsOf(prepared, engine.spec.maxContext);
  const predicted = await predictAll(predictor, prepared, positions, settings.seed, callbacks);
  const means = positions.map((p) => meanVector(prepared[p.doc].vectors.slice(p.start, p.n)));
  const truths = positions.map((p) => prepared[p.doc].vectors[p.n]);
  const previous = positions.map((p) => prepared[p.doc].vectors[p.n - 1]);
  const langs = positions.map((p) => prepared[p.doc].langs[p.n]);
  // One decode + re-encode over everything: the model's predictions, the context means, and every kept
  // true concept (the copy baseline's predictions are true concepts, and so are the round trip's).
  const allTrue = prepared.flatMap((d) => d.vectors.map((v, i) => ({ vector: v, lang: d.langs[i] })));
  const reencoded = await roundTrip(
    engine.codec,
    [
      ...predicted.map((vector, i) => ({ vector, lang: langs[i] })),
      ...means.map((vector, i) => ({ vector, lang: langs[i] })),
      ...allTrue,
    ],
    beam,
    callbacks,
  );
  const P = positions.length;
  const trueStart = offsets(prepared);
  const reTrue = (p: Position, n: number) => reencoded[2 * P + trueStart[p.doc] + n];
  const batch = new ContrastBatch(prepared);
  const score = (guesses: readonly Float32Array[], reGuesses: readonly Float32Array[]) =>
    scoresOf(guesses, reGuesses, positions, prepared, batch);
  const roundTrips = positions.map((p, i) => l2(reTrue(p, p.n), truths[i]));
  return {
    lcm: { name: engine.spec.manifest.name, family: engine.spec.family },
    codec: { name: engine.codec.name, dim: engine.codec.dim },
    space: `raw codec space (${engine.codec.name}, ${engine.codec.dim}-d), before the LCM's normalizer`,
    model: {
      name: canonicalModel(settings.model),
      kind: predictor.kind,
      ...score(predicted, reencoded.slice(0, P)),
    },
    baselines: {
      copy_previous: score(
        previous,
        positions.map((p) => reTrue(p, p.n - 1)),
      ),
      context_mean: score(means, reencoded.slice(P, 2 * P)),
    },
    codec_round_trip: { l2: mean(roundTrips), positions: P },
    settings: reportSettings(settings, predictor.kind, beam, maxPositions, engine.spec.maxContext),
    documents: prepared.map((d) => ({
      name: d.name,
      lang: d.lang,
      sentences: d.sentences,
      positions: d.vectors.length - 1,
    })),
    skipped,
  };
}

function reportSettings(
  settings: GenerationSettings,
  kind: PredictorKind,
  beam: number,
  maxPositions: number,
  maxContext: number,
): NextConceptReport["settings"] {
  const { steps, guidance, guidanceRescale, initialNoise, epsilonScaling, temperature, topP, topK } =
    settings;
  const sampler = {
    diffusion: { steps, guidance, guidanceRescale, initialNoise, epsilonScaling },
    quant: { guidance, temperature, topP, topK },
    base: null,
  }[kind];
  return {
    model: canonicalModel(settings.model),
    seed: settings.seed,
    sampler,
    beam,
    maxPositions,
    maxContext,
  };
}

/** Segments and encodes each document's first maxPositions + 1 sentences. */
async function prepareDocuments(
  codec: ConceptCodec,
  documents: readonly NextConceptDocument[],
  maxPositions: number,
  options: NextConceptOptions,
  callbacks: NextConceptCallbacks,
): Promise<{ prepared: PreparedDocument[]; skipped: NextConceptReport["skipped"] }> {
  const prepared: PreparedDocument[] = [];
  const skipped: NextConceptReport["skipped"] = [];
  for (const [k, doc] of documents.entries()) {
    if (callbacks.signal?.aborted) throw new CancelledError();
    const source = readSourceDocument(doc.text, {
      format: doc.format,
      supported: codec.languages,
      sourceLang: options.sourceLang,
    });
    if (source.sentences.length < 2) {
      skipped.push({ name: doc.name, reason: `${source.sentences.length} sentence(s): nothing to predict` });
      continue;
    }
    const kept = source.sentences.slice(0, maxPositions + 1);
    const detail = `document ${k + 1}/${documents.length}`;
    const { vectors } = await encodeSentences(codec, kept, {
      signal: callbacks.signal,
      onProgress: (done, total) => callbacks.onProgress?.({ stage: "encode", done, total, detail }),
    });
    prepared.push({
      name: doc.name,
      lang: source.lang,
      sentences: source.sentences.length,
      vectors,
      langs: kept.map((s) => s.lang),
    });
  }
  return { prepared, skipped };
}

function positionsOf(docs: readonly PreparedDocument[], maxContext: number): Position[] {
  return docs.flatMap((d, doc) =>
    d.vectors.slice(1).map((_, i) => ({ doc, n: i + 1, start: Math.max(0, i + 1 - maxContext) })),
  );
}

/** x̂_n for every position, in order; one RNG per document (seed + document index). */
async function predictAll(
  predictor: NextConceptPredictor,
  docs: readonly PreparedDocument[],
  positions: readonly Position[],
  seed: number,
  callbacks: NextConceptCallbacks,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  let rng: SeededRandom | null = null;
  let current = -1;
  for (const [i, p] of positions.entries()) {
    if (callbacks.signal?.aborted) throw new CancelledError();
    if (p.doc !== current) {
      current = p.doc;
      rng = new SeededRandom(partSeed(seed, p.doc));
    }
    out.push(await predictor.next(docs[p.doc].vectors.slice(p.start, p.n), rng!, callbacks.signal));
    callbacks.onProgress?.({ stage: "predict", done: i + 1, total: positions.length });
  }
  return out;
}

/** encode(decode(v)) for every item, in order: one decode and one encode call per language. */
async function roundTrip(
  codec: ConceptCodec,
  items: readonly { vector: Float32Array; lang: string }[],
  beam: number,
  callbacks: NextConceptCallbacks,
): Promise<Float32Array[]> {
  const byLang = new Map<string, number[]>();
  items.forEach((item, i) => {
    const list = byLang.get(item.lang);
    if (list) list.push(i);
    else byLang.set(item.lang, [i]);
  });
  const texts: string[] = new Array(items.length);
  let done = 0;
  for (const [lang, indices] of byLang) {
    const decoded = await codec.decode(
      indices.map((i) => items[i].vector),
      lang,
      {
        beam,
        signal: callbacks.signal,
        onProgress: (d) =>
          callbacks.onProgress?.({ stage: "decode", done: done + d, total: items.length, detail: lang }),
      },
    );
    indices.forEach((i, k) => {
      texts[i] = decoded[k].text;
    });
    done += indices.length;
  }
  const out: Float32Array[] = new Array(items.length);
  done = 0;
  for (const [lang, indices] of byLang) {
    if (callbacks.signal?.aborted) throw new CancelledError();
    const encoded = await codec.encode(
      indices.map((i) => texts[i]),
      lang,
      {
        signal: callbacks.signal,
        onProgress: (d) =>
          callbacks.onProgress?.({ stage: "re-encode", done: done + d, total: items.length, detail: lang }),
      },
    );
    indices.forEach((i, k) => {
      out[i] = encoded.vectors[k];
    });
    done += indices.length;
  }
  return out;
}

function scoresOf(
  guesses: readonly Float32Array[],
  reGuesses: readonly Float32Array[],
  positions: readonly Position[],
  docs: readonly PreparedDocument[],
  batch: ContrastBatch,
): NextConceptScores {
  const l2s: number[] = [];
  const l2rs: number[] = [];
  const cas: number[] = [];
  const pars: number[] = [];
  positions.forEach((p, i) => {
    const vectors = docs[p.doc].vectors;
    const truth = vectors[p.n];
    l2s.push(l2(guesses[i], truth));
    l2rs.push(l2(reGuesses[i], truth));
    const ca = batch.accuracy(guesses[i], p.doc, p.n);
    if (ca !== null) cas.push(ca);
    const par = paraphraseRatio(guesses[i], truth, vectors.slice(p.start, p.n));
    if (par !== null) pars.push(par);
  });
  return {
    l2: mean(l2s),
    l2_r: mean(l2rs),
    contrastive_accuracy: cas.length > 0 ? mean(cas) : null,
    paraphrase: pars.length > 0 ? mean(pars) : null,
    positions: positions.length,
    contrastive_positions: cas.length,
    paraphrase_positions: pars.length,
  };
}

/**
 * The contrastive batch: every kept concept of every document. For a prediction of x_n of document d,
 * the share of the batch, less d's x_0..x_n, farther from the prediction than x_n is.
 */
export class ContrastBatch {
  private readonly vectors: Float32Array[];
  private readonly owner: Int32Array;
  private readonly index: Int32Array;
  private readonly truths: readonly (readonly Float32Array[])[];

  constructor(docs: readonly { vectors: readonly Float32Array[] }[]) {
    this.vectors = docs.flatMap((d) => [...d.vectors]);
    this.owner = Int32Array.from(docs.flatMap((d, k) => d.vectors.map(() => k)));
    this.index = Int32Array.from(docs.flatMap((d) => d.vectors.map((_, i) => i)));
    this.truths = docs.map((d) => d.vectors);
  }

  /** null when nothing is left to compare with. */
  accuracy(prediction: Float32Array, doc: number, n: number): number | null {
    const own = squaredDistance(prediction, this.truths[doc][n]);
    let farther = 0;
    let candidates = 0;
    for (let k = 0; k < this.vectors.length; k++) {
      if (this.owner[k] === doc && this.index[k] <= n) continue;
      candidates++;
      if (squaredDistance(prediction, this.vectors[k]) > own) farther++;
    }
    return candidates > 0 ? farther / candidates : null;
  }
}

/** PAR for one position: max cosine of the prediction to the context over the truth's; null if the
 * truth's is not positive. */
export function paraphraseRatio(
  prediction: Float32Array,
  truth: Float32Array,
  context: readonly Float32Array[],
): number | null {
  let predicted = -Infinity;
  let real = -Infinity;
  for (const c of context) {
    predicted = Math.max(predicted, cosine(prediction, c));
    real = Math.max(real, cosine(truth, c));
  }
  return real > 0 ? predicted / real : null;
}

export function l2(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(squaredDistance(a, b));
}

function squaredDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length > 0 ? sum / values.length : Number.NaN;
}

/** Where each document's concepts start in the flat list of all kept concepts. */
function offsets(docs: readonly PreparedDocument[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const d of docs) {
    out.push(at);
    at += d.vectors.length;
  }
  return out;
}
