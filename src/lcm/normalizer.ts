/**
 * The LCM's fixed per-dimension affine map between the codec's raw concept space and the normalized
 * space the model works in: normalize(x) = (x - center) / scale, denormalize(y) = y * scale + center.
 * center and scale come from the manifest (a robust scaler fitted offline, see docs/lcm-contract.md).
 */
export interface Normalizer {
  readonly center: Float32Array;
  readonly scale: Float32Array;
}

export function normalize(x: Float32Array, n: Normalizer): Float32Array {
  checkDim(x, n);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - n.center[i]) / n.scale[i];
  return out;
}

export function denormalize(y: ArrayLike<number>, n: Normalizer): Float32Array {
  checkDim(y, n);
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] * n.scale[i] + n.center[i];
  return out;
}

/** Rows normalized into one [rows, D] matrix (the contextualizer's input). */
export function normalizeRows(rows: readonly Float32Array[], n: Normalizer): Float32Array {
  const dim = n.center.length;
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, r) => {
    checkDim(row, n);
    const base = r * dim;
    for (let i = 0; i < dim; i++) out[base + i] = (row[i] - n.center[i]) / n.scale[i];
  });
  return out;
}

function checkDim(x: ArrayLike<number>, n: Normalizer): void {
  if (x.length !== n.center.length) {
    throw new RangeError(`concept has ${x.length} dimensions, the normalizer ${n.center.length}`);
  }
}
