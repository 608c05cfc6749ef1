/**
 * How central each source sentence is to its document, in concept space: the cosine of its concept
 * to the mean of the document's concepts (the model's normalized space, where unrelated sentences are
 * near 0). A concept-space analogue of the TF-IDF centroid extractor's score. Grounding adds it,
 * weighted, to a generated concept's cosine when it picks the source sentence to show, so that of the
 * sentences near what the LCM planned, a central one is preferred to a peripheral one.
 */
import { dot, unitVector } from "../util/vector-math.js";

export function centrality(concepts: readonly Float32Array[]): Float32Array {
  if (concepts.length === 0) return new Float32Array(0);
  const dim = concepts[0].length;
  const mean = new Float32Array(dim);
  for (const c of concepts) {
    const u = unitVector(c);
    for (let d = 0; d < dim; d++) mean[d] += u[d];
  }
  const centre = unitVector(mean);
  return Float32Array.from(concepts, (c) => dot(unitVector(c), centre));
}
