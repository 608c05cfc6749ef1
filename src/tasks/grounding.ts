/**
 * Grounding: which source concepts a generated concept is nearest to (cosine in the raw codec space),
 * so editors can link generated text back to the source, and `--grounded` can render a generated
 * concept as the source sentence it restates.
 */
import { dot, unitVector } from "../util/vector-math.js";

/**
 * Default for `--grounding-threshold`: cosine in the model's normalized space. Measured with the
 * default codec on examples/problems-of-philosophy.md (227 sentences): a sentence's nearest *other*
 * sentence reaches 0.28 (median) / 0.54 (95th percentile); the sentence re-encoded from its own
 * decoding reaches 0.76 (median) / 0.62 (10th percentile). 0.6 sits between: a concept that close
 * restates that source sentence rather than a neighbour of it.
 */
export const DEFAULT_GROUNDING_THRESHOLD = 0.6;
export const GROUNDING_TOP_K = 3;

export interface GroundingMatch {
  /** Index into the source concepts. */
  index: number;
  /** Cosine similarity. */
  score: number;
}

/** Source concepts prepared once (unit vectors) for many nearest-neighbour queries. */
export class GroundingIndex {
  private readonly units: Float32Array[];
  /** Added to each source's cosine when ranking (salience.ts), times its weight; null: cosine alone. */
  private readonly bonus: Float32Array | null;

  constructor(sources: readonly Float32Array[], prior?: { values: ArrayLike<number>; weight: number }) {
    this.units = sources.map(unitVector);
    this.bonus =
      prior && prior.weight !== 0 ? Float32Array.from(prior.values, (v) => v * prior.weight) : null;
  }

  get size(): number {
    return this.units.length;
  }

  /**
   * The `k` best source concepts, best first (ties: lower index first): the nearest by cosine, or with
   * a prior, by cosine plus the weighted prior. `score` is the cosine either way.
   */
  nearest(vector: ArrayLike<number>, k = 3): GroundingMatch[] {
    const query = unitVector(vector);
    const best: (GroundingMatch & { rank: number })[] = [];
    const { bonus } = this;
    this.units.forEach((unit, index) => {
      const score = dot(query, unit);
      const rank = bonus ? score + bonus[index] : score;
      if (best.length === k && rank <= best[k - 1].rank) return;
      let at = best.length;
      while (at > 0 && best[at - 1].rank < rank) at--;
      best.splice(at, 0, { index, score, rank });
      if (best.length > k) best.pop();
    });
    return best.map(({ index, score }) => ({ index, score }));
  }
}

/**
 * The source sentence each generated concept is shown as (`--grounded`), for a whole output at once:
 * in output order, a concept takes its best match whose cosine clears the threshold and that no earlier concept took,
 * so a summary never shows the same source sentence twice (two generated concepts near one sentence
 * usually restate it and its neighbour). null: decode the concept.
 */
export function assignGroundedSources(
  groundings: readonly (readonly GroundingMatch[])[],
  threshold: number,
): (number | null)[] {
  return groundings.map(groundedPicker(threshold));
}

/**
 * assignGroundedSources one concept at a time, in output order (for generation that goes on from the
 * sentence shown, summarize.ts): each call takes the concept's matches and returns the source it shows.
 */
export function groundedPicker(threshold: number): (matches: readonly GroundingMatch[]) => number | null {
  const taken = new Set<number>();
  return (matches) => {
    const match = matches.find((m) => m.score >= threshold && !taken.has(m.index));
    if (!match) return null;
    taken.add(match.index);
    return match.index;
  };
}
