/**
 * The generation loop (docs/lcm-contract.md, "Generation loop"): predict the next concept, append it
 * to the prompt, repeat until a stop rule fires or the cap is reached.
 *
 * Minimum length: a stop rule that fires before `minConcepts` concepts are kept does not end the
 * sequence. The candidate is discarded and the position sampled again with fresh noise (the RNG
 * moves on); after `maxRetries` discarded candidates the least stop-like of them is kept, unless every
 * one was an end-of-text concept past the first: then the sequence ends there, shorter than asked (the
 * model says the text is over; keeping its sentinel would show "End of text." as a sentence). A deterministic model (Base-LCM) would only repeat itself, so its
 * candidate is kept at once.
 */
import { CancelledError } from "../util/errors.js";
import type { NextConceptPredictor } from "./predictors.js";
import { SeededRandom } from "./rng.js";
import { checkStop, type StopCheck, type StopSettings, stopLikeness } from "./stop-rules.js";

export interface GenerateOptions extends StopSettings {
  /** Length cap: at most this many concepts are kept. */
  maxConcepts: number;
  /** Stop rules are not honoured before this many concepts are kept (default 1). */
  minConcepts?: number;
  /**
   * Resampling attempts per position while below minConcepts (default 12: with the bundled Two-Tower
   * 3 left the bundled book's summary at 1 of 10 concepts once end-of-text candidates are never kept;
   * 12 reaches all 10, discarding 21).
   */
  maxRetries?: number;
  /**
   * Below minConcepts, keep an end-of-text candidate past the first when no other is left (default
   * false: it would decode to the sentinel). For callers that show every concept as a source sentence
   * (grounded summaries), so the length asked for is kept.
   */
  keepEndOfText?: boolean;
  /**
   * What goes into the context for a kept concept, in place of the prediction itself (default: the
   * prediction): e.g. the source sentence a grounded summary shows for it, so the model goes on from
   * what the reader sees, a real sentence's concept rather than its own off-manifold prediction.
   */
  feedback?: (vector: Float32Array, index: number) => Float32Array | Promise<Float32Array>;
  /** Longest prompt the model takes; generation ends when the prompt would grow past it. */
  maxContext?: number;
  /**
   * The space the stop rules compare in: identity for the raw codec space (the contract's default),
   * or the normalizer for models whose manifest asks for "normalized" (see lcm-spec.ts).
   */
  stopView?: (vector: Float32Array) => Float32Array;
  /** Seeds the one RNG of this call (docs/lcm-contract.md, "RNG"); default 0. */
  seed?: number;
  signal?: AbortSignal;
  /** Called with every kept concept, as soon as it is kept. */
  onConcept?: (event: GeneratedConcept) => void;
}

export interface GeneratedConcept {
  /** 0-based position in this call's output. */
  index: number;
  /** Raw codec-space vector. */
  vector: Float32Array;
  check: StopCheck;
}

export type GenerationStop = "end_of_text" | "repetition" | "length" | "context";

export interface GenerationResult {
  concepts: Float32Array[];
  checks: StopCheck[];
  stop: GenerationStop;
  /** Candidates discarded to reach the minimum length. */
  discarded: number;
  /** What went into the context for each kept concept, when a feedback replaced them. */
  context?: Float32Array[];
}

export async function generateConcepts(
  predictor: NextConceptPredictor,
  prompt: readonly Float32Array[],
  endOfText: Float32Array,
  options: GenerateOptions,
): Promise<GenerationResult> {
  const minConcepts = options.minConcepts ?? 1;
  const maxRetries = options.maxRetries ?? 12;
  const maxContext = options.maxContext ?? Infinity;
  if (!Number.isInteger(options.maxConcepts) || options.maxConcepts < 0) {
    throw new RangeError(`maxConcepts must be a whole number >= 0, got ${options.maxConcepts}`);
  }
  if (prompt.length === 0) throw new RangeError("generation needs a prompt of at least one concept");
  const rng = new SeededRandom(options.seed ?? 0);
  const view = options.stopView ?? ((v: Float32Array) => v);
  const eotView = view(endOfText);
  const sequence = [...prompt];
  const concepts: Float32Array[] = [];
  const checks: StopCheck[] = [];
  let discarded = 0;
  let stop: GenerationStop = "length";

  while (concepts.length < options.maxConcepts) {
    if (sequence.length >= maxContext) {
      stop = "context";
      break;
    }
    // "Previous" is the concept this call generated last; the first one has none (the prompt's last
    // concept is the model turn, which no generated concept should be compared with).
    const previous = concepts.length > 0 ? concepts[concepts.length - 1] : null;
    const candidates: { y: Float32Array; check: StopCheck }[] = [];
    let kept: { y: Float32Array; check: StopCheck } | null = null;
    let stopped: GenerationStop | null = null;
    for (;;) {
      if (options.signal?.aborted) throw new CancelledError();
      const y = await predictor.next(sequence, rng, options.signal);
      const check = checkStop(view(y), eotView, previous && view(previous), options);
      if (check.reason === null) {
        kept = { y, check };
        discarded += candidates.length;
        break;
      }
      if (concepts.length >= minConcepts) {
        stopped = check.reason;
        break;
      }
      candidates.push({ y, check });
      if (predictor.deterministic || candidates.length > maxRetries) {
        // Past the first concept an end-of-text candidate is never kept, even below the minimum: it
        // decodes to the sentinel ("End of text."), which a reader would see as a sentence. The first
        // is always kept (an output is never empty); grounded rendering shows it as a source sentence,
        // and a decoded sentinel is dropped at render time (render.ts).
        const keepable =
          concepts.length === 0 || options.keepEndOfText
            ? candidates
            : candidates.filter((c) => c.check.reason !== "end_of_text");
        if (keepable.length === 0) {
          stopped = "end_of_text";
          discarded += candidates.length;
          break;
        }
        kept = keepable.reduce((best, c) =>
          stopLikeness(c.check, options) < stopLikeness(best.check, options) ? c : best,
        );
        discarded += candidates.length - 1;
        break;
      }
    }
    if (stopped) {
      stop = stopped;
      break;
    }
    const { y, check } = kept!;
    concepts.push(y);
    checks.push(check);
    sequence.push(options.feedback ? await options.feedback(y, concepts.length - 1) : y);
    options.onConcept?.({ index: concepts.length - 1, vector: y, check });
  }
  return {
    concepts,
    checks,
    stop,
    discarded,
    ...(options.feedback && { context: sequence.slice(prompt.length) }),
  };
}
