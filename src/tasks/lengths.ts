/**
 * `--length short|medium|long`: how many concepts a summary may have, as a share of the source's
 * concepts within fixed bounds. medium is about 8% of the sentences: 3 for a 30-sentence news story
 * (CNN/DailyMail highlights have 3-4), 10 (the cap) for a 10,000-word document; short is about half
 * of that, long about double.
 */
import { UsageError } from "../util/errors.js";

export type LengthPreset = "short" | "medium" | "long";

export const LENGTH_PRESETS: Readonly<Record<LengthPreset, { share: number; min: number; max: number }>> = {
  short: { share: 0.04, min: 1, max: 5 },
  medium: { share: 0.08, min: 3, max: 10 },
  long: { share: 0.15, min: 5, max: 20 },
};

export function isLengthPreset(value: string): value is LengthPreset {
  return Object.hasOwn(LENGTH_PRESETS, value);
}

/** Concept budget for a preset and a source of `sourceConcepts` sentences. */
export function conceptsForLength(preset: LengthPreset, sourceConcepts: number): number {
  const p = LENGTH_PRESETS[preset];
  if (!p) throw new UsageError(`length must be short, medium or long, got '${String(preset)}'`);
  return Math.min(p.max, Math.max(p.min, Math.round(sourceConcepts * p.share)));
}
