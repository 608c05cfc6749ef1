/**
 * Steps summarize() and expandOutline() take the same way: the decode-re-encode checks their
 * renderings go through, stage progress for a sub-step, and cutting each section at a concept that
 * decoded to the end-of-text sentinel (a stop: it and what follows it in the section go).
 */
import type { ConceptEngine, SpecialConcepts } from "./engine.js";
import type { RenderOptions } from "./render.js";
import type { ProgressEvent, Stage } from "./task-types.js";

/** The render checks of the engine's manifest (render.ts RenderOptions.checks). */
export function renderChecks(engine: ConceptEngine, specials: SpecialConcepts): RenderOptions["checks"] {
  return {
    endOfText: specials.endOfText,
    view: (v: Float32Array) => engine.groundingView(v),
    sentinelCosine: engine.spec.defaults.sentinelCosine,
    faithfulCosine: engine.spec.defaults.faithfulCosine,
  };
}

/** `(done, total)` progress of one stage as task progress events; undefined when nobody listens. */
export function stageProgress(
  onProgress: ((event: ProgressEvent) => void) | undefined,
  stage: Stage,
): ((done: number, total: number) => void) | undefined {
  return onProgress && ((done, total) => onProgress({ stage, done, total }));
}

/**
 * Drops the concepts `keep` says go and renumbers each section's concept indices to the kept ones.
 * Returns the kept items, in order.
 */
export function keepAndRenumber<T>(
  items: readonly T[],
  keep: readonly boolean[],
  sections: readonly { concepts: number[] }[],
): T[] {
  const renumber = new Map<number, number>();
  items.forEach((_, i) => {
    if (keep[i]) renumber.set(i, renumber.size);
  });
  for (const section of sections) {
    section.concepts = section.concepts.filter((i) => keep[i]).map((i) => renumber.get(i)!);
  }
  return items.filter((_, i) => keep[i]);
}
