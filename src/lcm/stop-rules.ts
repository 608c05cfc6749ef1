/**
 * When generation ends (docs/lcm-contract.md, "Generation loop"; paper §2.3.1): a concept close to the
 * End-of-text concept, or close to the concept before it, ends the sequence and is dropped; the
 * length cap ends it after the concept is kept. Cosines are taken in the raw codec space.
 */
import { cosine } from "../util/vector-math.js";

export interface StopSettings {
  /** cos(y, C("End of text.")) at or above this ends generation (default 0.9). */
  eotThreshold: number;
  /** cos(y, previous concept) at or above this ends generation (default 0.9). */
  repeatThreshold: number;
}

export type StopReason = "end_of_text" | "repetition";

export interface StopCheck {
  /** Why y ends the sequence, or null to keep it. */
  reason: StopReason | null;
  eotCosine: number;
  /** Cosine to the concept generated before y (0 for the first of a call). */
  previousCosine: number;
}

export function checkStop(
  y: Float32Array,
  endOfText: Float32Array,
  previous: Float32Array | null,
  settings: StopSettings,
): StopCheck {
  const eotCosine = cosine(y, endOfText);
  const previousCosine = previous ? cosine(y, previous) : 0;
  let reason: StopReason | null = null;
  if (eotCosine >= settings.eotThreshold) reason = "end_of_text";
  else if (previous && previousCosine >= settings.repeatThreshold) reason = "repetition";
  return { reason, eotCosine, previousCosine };
}

/** How much a candidate looks like a stop: the larger of its two cosines, measured against their thresholds. */
export function stopLikeness(check: StopCheck, settings: StopSettings): number {
  return Math.max(check.eotCosine - settings.eotThreshold, check.previousCosine - settings.repeatThreshold);
}
