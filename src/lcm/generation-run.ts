/**
 * One request's generation calls (chunks, sections), run in order against one engine: each call gets
 * its own RNG seeded with the request's seed + call number (so a plain summary is exactly one call with
 * the user's seed, as the Python reference runs it), shares the stop settings and context limit, and
 * adds to one set of counters and one progress bar.
 */

import type { ConceptEngine, SpecialConcepts } from "../tasks/engine.js";
import type { GenerationCounts, TaskCallbacks } from "../tasks/task-types.js";
import { CancelledError } from "../util/errors.js";
import { type GeneratedConcept, type GenerationResult, generateConcepts } from "./generate.js";
import type { NextConceptPredictor } from "./predictors.js";
import { type GenerationSettings, partSeed } from "./settings.js";

export class GenerationRun {
  readonly counts: GenerationCounts = {
    calls: 0,
    generated: 0,
    denoiserRuns: 0,
    contextRuns: 0,
    discarded: 0,
  };
  private readonly predictor: NextConceptPredictor;
  /** Concepts budgeted so far (for the progress total) and produced. */
  private budget = 0;
  private done = 0;

  constructor(
    private readonly engine: ConceptEngine,
    readonly settings: GenerationSettings,
    readonly specials: SpecialConcepts,
    private readonly callbacks: TaskCallbacks,
  ) {
    this.predictor = engine.predictor(settings);
  }

  /** Announces concepts still to come, so the progress total is right before they are generated. */
  plan(concepts: number): void {
    this.budget += concepts;
    this.report();
  }

  async generate(
    prompt: readonly Float32Array[],
    limits: {
      maxConcepts: number;
      minConcepts?: number;
      detail?: string;
      keepEndOfText?: boolean;
      feedback?: (vector: Float32Array, index: number) => Float32Array | Promise<Float32Array>;
    },
    onConcept?: (event: GeneratedConcept) => void,
  ): Promise<GenerationResult> {
    if (this.callbacks.signal?.aborted) throw new CancelledError();
    const seed = partSeed(this.settings.seed, this.counts.calls);
    this.counts.calls++;
    const result = await generateConcepts(this.predictor, prompt, this.specials.endOfText, {
      maxConcepts: limits.maxConcepts,
      minConcepts: limits.minConcepts ?? 1,
      keepEndOfText: limits.keepEndOfText,
      feedback: limits.feedback,
      maxContext: this.engine.spec.maxContext,
      eotThreshold: this.settings.eotThreshold,
      repeatThreshold: this.settings.repeatThreshold,
      stopView: this.engine.stopView(),
      seed,
      signal: this.callbacks.signal,
      onConcept: (event) => {
        this.done++;
        this.report(limits.detail);
        onConcept?.(event);
      },
    });
    // A call that stopped early frees the rest of its budget.
    this.budget -= limits.maxConcepts - result.concepts.length;
    this.counts.generated += result.concepts.length;
    this.counts.discarded += result.discarded;
    this.counts.denoiserRuns = this.predictor.stats.denoiserRuns;
    this.counts.contextRuns = this.predictor.stats.contextRuns;
    this.report(limits.detail);
    return result;
  }

  private report(detail?: string): void {
    this.callbacks.onProgress?.({
      stage: "generate",
      done: this.done,
      total: Math.max(this.budget, this.done),
      detail,
    });
  }
}

export function now(): number {
  return performance.now();
}
