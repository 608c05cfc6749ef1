/** Small vector helpers shared by the stop rules and grounding (raw concept space). */

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosine of ${a.length}- and ${b.length}-d vectors`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** A copy scaled to unit length (zero stays zero), for many cosines against the same vectors. */
export function unitVector(v: ArrayLike<number>): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (norm === 0) return out;
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * inv;
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** The element-wise mean of equal-length vectors (accumulated in float64). */
export function meanVector(vectors: readonly ArrayLike<number>[]): Float32Array {
  const acc = new Float64Array(vectors[0]?.length ?? 0);
  for (const v of vectors) for (let i = 0; i < acc.length; i++) acc[i] += v[i];
  return Float32Array.from(acc, (x) => x / vectors.length);
}
