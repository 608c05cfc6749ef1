/**
 * xSIM, LASER's cross-lingual similarity search error (facebookresearch/LASER, source/xsim.py): for every
 * source row, find the most similar target row; the error is the share of source rows whose pick is not
 * the aligned row (same index), or, when `targetTexts` is given, whose pick has a different text (LASER's
 * `eval_text` mode, which forgives duplicate sentences).
 *
 * Similarity is cosine ("absolute" margin: plain nearest neighbour). LASER's own default is the "ratio"
 * margin, which divides each candidate's cosine by the mean of the two sides' k nearest-neighbour
 * cosines (k = 4), penalising hub vectors that are close to everything; "distance" subtracts it instead.
 * Both are available. Differences from LASER: cosines are computed in float64 rather than FAISS's
 * float32, and exact ties go to the lower index; neither changes a result away from exact ties.
 */

export type XsimMargin = "absolute" | "ratio" | "distance";

export interface XsimOptions {
  margin?: XsimMargin;
  /** Neighbourhood size for the margins (LASER: 4). */
  k?: number;
  /** When given, a pick counts as right if its text equals the aligned row's text. */
  targetTexts?: readonly string[];
}

export interface XsimResult {
  errors: number;
  total: number;
  /** errors / total, in [0, 1]. */
  errorRate: number;
  /** For each source row, the target row it retrieved. */
  nearest: Int32Array;
}

function normalizedRows(rows: readonly Float32Array[], dim: number): Float64Array[] {
  return rows.map((row, i) => {
    if (row.length !== dim) throw new Error(`xsim: row ${i} has ${row.length} dimensions, expected ${dim}`);
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += row[d] * row[d];
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const out = new Float64Array(dim);
    for (let d = 0; d < dim; d++) out[d] = row[d] * scale;
    return out;
  });
}

/** Cosine matrix, row-major: cos[i * m + j] = cos(source i, target j). */
function cosineMatrix(source: Float64Array[], target: Float64Array[], dim: number): Float64Array {
  const m = target.length;
  const cos = new Float64Array(source.length * m);
  for (let i = 0; i < source.length; i++) {
    const a = source[i];
    for (let j = 0; j < m; j++) {
      const b = target[j];
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += a[d] * b[d];
      cos[i * m + j] = dot;
    }
  }
  return cos;
}

/** Indices of the k largest values of `values(i)` for i < count, best first, lower index on ties. */
function topK(count: number, k: number, value: (i: number) => number): number[] {
  const best: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (best.length === k && v <= value(best[k - 1])) continue;
    let at = best.length;
    while (at > 0 && value(best[at - 1]) < v) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

export function xsimError(
  source: readonly Float32Array[],
  target: readonly Float32Array[],
  options: XsimOptions = {},
): XsimResult {
  const n = source.length;
  if (n !== target.length) throw new Error(`xsim: ${n} source rows but ${target.length} target rows`);
  if (options.targetTexts && options.targetTexts.length !== n) {
    throw new Error(`xsim: ${n} rows but ${options.targetTexts.length} target texts`);
  }
  const nearest = new Int32Array(n);
  if (n === 0) return { errors: 0, total: 0, errorRate: 0, nearest };
  const dim = source[0].length;
  const cos = cosineMatrix(normalizedRows(source, dim), normalizedRows(target, dim), dim);
  const margin = options.margin ?? "absolute";

  if (margin === "absolute") {
    for (let i = 0; i < n; i++) nearest[i] = topK(n, 1, (j) => cos[i * n + j])[0];
  } else {
    const k = Math.min(options.k ?? 4, n);
    const sourceNeighbours = Array.from({ length: n }, (_, i) => topK(n, k, (j) => cos[i * n + j]));
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    const sourceAverage = sourceNeighbours.map((js, i) => mean(js.map((j) => cos[i * n + j])));
    const targetAverage = Array.from({ length: n }, (_, j) =>
      mean(topK(n, k, (i) => cos[i * n + j]).map((i) => cos[i * n + j])),
    );
    for (let i = 0; i < n; i++) {
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const j of sourceNeighbours[i]) {
        const a = cos[i * n + j];
        const b = (sourceAverage[i] + targetAverage[j]) / 2;
        const score = margin === "ratio" ? a / b : a - b;
        if (score > bestScore) {
          bestScore = score;
          nearest[i] = j;
        }
      }
    }
  }

  let errors = 0;
  for (let i = 0; i < n; i++) {
    const right = options.targetTexts
      ? options.targetTexts[nearest[i]] === options.targetTexts[i]
      : nearest[i] === i;
    if (!right) errors++;
  }
  return { errors, total: n, errorRate: errors / n, nearest };
}
