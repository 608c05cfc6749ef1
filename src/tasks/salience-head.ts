/**
 * A learned salience prior: how likely a source sentence is to belong in a summary of its document,
 * from the sentence's concept and its document's, all in the LCM's whitened salience space. A small
 * two-layer network (training/lcm/fit_salience_head.py) trained on the extractive-oracle sentences of
 * the train-split records of summarization corpora (the sentences that best reproduce each reference
 * summary), where the centroid prior (salience.ts) is a fixed rule: "close to the document's mean".
 *
 * It replaces centrality as the prior grounding adds to a generated concept's cosine (summarize.ts);
 * the LCM still plans which concepts, how many and in what order, and of the sentences near each
 * concept the prior prefers the ones a summary would keep.
 *
 * The inputs are computed here and nowhere else: the training data script (training/lcm/
 * salience_data.mjs) calls salienceHeadInputs, so training and inference cannot disagree.
 */
import { dot, unitVector } from "../util/vector-math.js";

/**
 * Scalars after the three D-wide blocks: centrality, log length ratio, position, first, log count,
 * centrality standardized within the document.
 */
export const SALIENCE_HEAD_SCALARS = 6;

export function salienceHeadInputSize(dim: number): number {
  return 3 * dim + SALIENCE_HEAD_SCALARS;
}

/** Where each candidate sits: its characters, and its sentence index over the document's sentences. */
export interface CandidatePlaces {
  lengths: readonly number[];
  /** Sentence index in the document, 0-based. */
  indices: readonly number[];
  /** How many sentences the document has (candidates or not). */
  sentences: number;
}

/**
 * One input row per candidate sentence, from its whitened concept z (salience.ts's views):
 * u = z/|z| scaled by sqrt(D) (unit-variance entries), u ⊙ c scaled by D (c: the unit mean of the
 * document's u; the entries sum to D x centrality, and the network may weigh the directions of
 * agreement unequally), c scaled by sqrt(D) (what the document is: news and dialogues keep different
 * sentences, and one head serves both), then centrality u·c, ln(characters / the document's mean), the
 * index over the document's length (0 first, 1 last), 1 for the first candidate, ln(candidate count),
 * and centrality standardized over the document's candidates ((u·c - mean) / (std + 0.001)).
 */
export function salienceHeadInputs(views: readonly Float32Array[], places: CandidatePlaces): Float32Array[] {
  const n = views.length;
  if (n === 0) return [];
  const dim = views[0].length;
  const units = views.map(unitVector);
  const sum = new Float32Array(dim);
  for (const u of units) for (let d = 0; d < dim; d++) sum[d] += u[d];
  const centre = unitVector(sum);
  const meanLength = places.lengths.reduce((a, b) => a + Math.max(b, 1), 0) / n;
  const last = Math.max(places.sentences - 1, 1);
  const rootDim = Math.sqrt(dim);
  const centralities = units.map((u) => dot(u, centre));
  const meanCentrality = centralities.reduce((a, b) => a + b, 0) / n;
  const spread = Math.sqrt(centralities.reduce((a, c) => a + (c - meanCentrality) ** 2, 0) / n) + 0.001;
  return units.map((u, i) => {
    const row = new Float32Array(salienceHeadInputSize(dim));
    for (let d = 0; d < dim; d++) {
      row[d] = u[d] * rootDim;
      row[dim + d] = u[d] * centre[d] * dim;
      row[2 * dim + d] = centre[d] * rootDim;
    }
    const at = 3 * dim;
    row[at] = centralities[i];
    row[at + 1] = Math.log(Math.max(places.lengths[i], 1) / meanLength);
    row[at + 2] = places.indices[i] / last;
    row[at + 3] = i === 0 ? 1 : 0;
    row[at + 4] = Math.log(n);
    row[at + 5] = (centralities[i] - meanCentrality) / spread;
    return row;
  });
}

/**
 * The network: sigmoid(w2 · relu(W1 x + b1) + b2 + v · x), W1 [hidden, inputs] row-major; v is a
 * linear path beside the hidden layer (what is simply "more central" needs no hidden unit).
 */
export class SalienceHead {
  constructor(
    readonly inputs: number,
    readonly hidden: number,
    private readonly w1: Float32Array,
    private readonly b1: Float32Array,
    private readonly w2: Float32Array,
    private readonly b2: number,
    private readonly skip: Float32Array,
  ) {
    if (
      w1.length !== inputs * hidden ||
      b1.length !== hidden ||
      w2.length !== hidden ||
      skip.length !== inputs
    ) {
      throw new RangeError(`salience head: weights do not fit ${inputs} inputs and ${hidden} hidden units`);
    }
  }

  /**
   * From the file's table: W1 (hidden x inputs), b1 (hidden), w2 (hidden), b2 (1), v (inputs), in that
   * order, as fit_salience_head.py writes them.
   */
  static fromTable(table: Float32Array, inputs: number, hidden: number): SalienceHead {
    const expected = hidden * inputs + 2 * hidden + 1 + inputs;
    if (table.length !== expected) {
      throw new RangeError(`salience head: ${table.length} numbers, ${inputs}x${hidden} needs ${expected}`);
    }
    let at = 0;
    const take = (count: number) => table.slice(at, (at += count));
    const w1 = take(hidden * inputs);
    const b1 = take(hidden);
    const w2 = take(hidden);
    const b2 = take(1)[0];
    return new SalienceHead(inputs, hidden, w1, b1, w2, b2, take(inputs));
  }

  /** The probability of each candidate being in a summary, from salienceHeadInputs rows. */
  scores(rows: readonly Float32Array[]): Float32Array {
    const { inputs, hidden, w1, b1, w2, skip } = this;
    return Float32Array.from(rows, (x) => {
      if (x.length !== inputs) throw new RangeError(`salience head: ${x.length} inputs, expected ${inputs}`);
      let out = this.b2 + dot(skip, x);
      for (let h = 0; h < hidden; h++) {
        let a = b1[h];
        const at = h * inputs;
        for (let i = 0; i < inputs; i++) a += w1[at + i] * x[i];
        if (a > 0) out += w2[h] * a;
      }
      return 1 / (1 + Math.exp(-out));
    });
  }
}
