/**
 * The generation loop and its stop rules (docs/lcm-contract.md, "Generation loop") with scripted
 * predictors: End-of-text and repetition end the sequence and are dropped, the cap keeps its concept,
 * the minimum length resamples, the context limit ends generation, and the prompt grows only by kept
 * concepts.
 */
import { describe, expect, it } from "vitest";
import { generateConcepts } from "../src/lcm/generate.js";
import type { NextConceptPredictor } from "../src/lcm/predictors.js";
import type { SeededRandom } from "../src/lcm/rng.js";
import { checkStop } from "../src/lcm/stop-rules.js";
import { CancelledError } from "../src/util/errors.js";

const v = (...xs: number[]) => Float32Array.from(xs);
const EOT = v(1, 0, 0, 0);
const PROMPT = [v(0, 0, 0, 1), v(0, 0, 1, 1)];
const STOP = { eotThreshold: 0.9, repeatThreshold: 0.9 };

/** Hands out `script` in order; records the prompt length and the RNG's first draw for each call. */
function scripted(script: Float32Array[], deterministic = false) {
  const seen: { promptLength: number; draw: number }[] = [];
  let k = 0;
  const predictor: NextConceptPredictor = {
    kind: "diffusion",
    deterministic,
    stats: { denoiserRuns: 0, contextRuns: 0 },
    async next(prompt: readonly Float32Array[], rng: SeededRandom) {
      seen.push({ promptLength: prompt.length, draw: rng.uniform() });
      if (k >= script.length) throw new Error("script exhausted");
      return script[k++];
    },
  };
  return { predictor, seen };
}

describe("checkStop", () => {
  it("names End-of-text first, then repetition, with both cosines", () => {
    const eotLike = checkStop(v(0.95, 0.1, 0, 0), EOT, v(0.95, 0.1, 0, 0), STOP);
    expect(eotLike.reason).toBe("end_of_text");
    expect(eotLike.previousCosine).toBeCloseTo(1, 6);
    expect(checkStop(v(0, 1, 0, 0), EOT, v(0, 1, 0.1, 0), STOP).reason).toBe("repetition");
    expect(checkStop(v(0, 1, 0, 0), EOT, v(0, 0, 1, 0), STOP).reason).toBeNull();
    expect(checkStop(v(0, 1, 0, 0), EOT, null, STOP).reason).toBeNull();
  });

  it("fires at the threshold itself (>=)", () => {
    const y = v(3, 4, 0, 0); // cosine to EOT exactly 0.6
    expect(checkStop(y, EOT, null, { ...STOP, eotThreshold: 0.6 }).reason).toBe("end_of_text");
    expect(checkStop(y, EOT, null, { ...STOP, eotThreshold: 0.61 }).reason).toBeNull();
  });
});

describe("generateConcepts", () => {
  it("drops the End-of-text concept and stops there", async () => {
    const { predictor, seen } = scripted([v(0, 1, 0, 0), v(0, 0, 1, 0), v(0.99, 0.1, 0, 0), v(0, 0, 0, 1)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, { maxConcepts: 10, ...STOP });
    expect(result.stop).toBe("end_of_text");
    expect(result.concepts.map((c) => Array.from(c))).toEqual([
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ]);
    // The prompt grows by each kept concept: 2, 3, 4.
    expect(seen.map((s) => s.promptLength)).toEqual([2, 3, 4]);
  });

  it("drops a concept that repeats the one before it and stops", async () => {
    const { predictor } = scripted([v(0, 1, 0, 0), v(0, 1, 0.05, 0), v(0, 0, 1, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, { maxConcepts: 10, ...STOP });
    expect(result.stop).toBe("repetition");
    expect(result.concepts.length).toBe(1);
  });

  it("keeps the concept that reaches the cap and stops with 'length'", async () => {
    const { predictor } = scripted([v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 1, 1, 0), v(0, 0, 0, 1)]);
    const events: number[] = [];
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 3,
      ...STOP,
      onConcept: (e) => events.push(e.index),
    });
    expect(result.stop).toBe("length");
    expect(result.concepts.length).toBe(3);
    expect(events).toEqual([0, 1, 2]);
  });

  it("resamples a first concept that hits a stop rule (minimum length 1), with fresh noise", async () => {
    const { predictor, seen } = scripted([v(0.99, 0.1, 0, 0), v(0, 1, 0, 0), v(0.99, 0, 0.1, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, { maxConcepts: 5, ...STOP });
    expect(result.concepts.map((c) => Array.from(c))).toEqual([[0, 1, 0, 0]]);
    expect(result.discarded).toBe(1);
    expect(result.stop).toBe("end_of_text");
    // The discarded candidate did not enter the prompt; the retry drew new random numbers.
    expect(seen.map((s) => s.promptLength)).toEqual([2, 2, 3]);
    expect(seen[1].draw).not.toBe(seen[0].draw);
  });

  it("keeps the least End-of-text-like candidate as the first concept: an output is never empty", async () => {
    const candidates = [v(0.99, 0.1, 0, 0), v(0.95, 0.3, 0, 0), v(0.999, 0.01, 0, 0), v(0.97, 0.2, 0, 0)];
    const { predictor } = scripted([...candidates, v(1, 0, 0, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, { maxConcepts: 5, maxRetries: 3, ...STOP });
    expect(Array.from(result.concepts[0])).toEqual(Array.from(candidates[1]));
    expect(result.discarded).toBe(3);
    expect(result.concepts.length).toBe(1);
  });

  it("past the first concept, after maxRetries of end-of-text candidates stops: the sentinel is never kept", async () => {
    const candidates = [v(0.99, 0.1, 0, 0), v(0.95, 0.3, 0, 0), v(0.999, 0.01, 0, 0), v(0.97, 0.2, 0, 0)];
    const { predictor, seen } = scripted([v(0, 1, 0, 0), ...candidates, v(0, 0, 1, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 5,
      minConcepts: 3,
      maxRetries: 3,
      ...STOP,
    });
    expect(result.concepts.length).toBe(1);
    expect(result.stop).toBe("end_of_text");
    expect(result.discarded).toBe(4);
    expect(seen.length).toBe(5);
  });

  it("with keepEndOfText (grounded summaries), keeps the least end-of-text-like candidate instead", async () => {
    const candidates = [v(0.99, 0.1, 0, 0), v(0.95, 0.3, 0, 0), v(0.999, 0.01, 0, 0), v(0.97, 0.2, 0, 0)];
    const { predictor } = scripted([v(0, 1, 0, 0), ...candidates, v(0, 0, 1, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 3,
      minConcepts: 3,
      maxRetries: 3,
      keepEndOfText: true,
      ...STOP,
    });
    expect(result.concepts.length).toBe(3);
    expect(Array.from(result.concepts[1])).toEqual(Array.from(candidates[1]));
    expect(result.checks[1].reason).toBe("end_of_text");
  });

  it("puts what the feedback gives into the context, and reports it, keeping the predictions", async () => {
    const script = [v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 1, 1, 0)];
    const prompts: Float32Array[][] = [];
    const predictor: NextConceptPredictor = {
      ...scripted(script).predictor,
      async next(prompt: readonly Float32Array[]) {
        prompts.push([...prompt]);
        return script[prompts.length - 1];
      },
    };
    const shown = (i: number) => v(0, 0, 0, i + 1);
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 3,
      ...STOP,
      feedback: async (_, i) => shown(i),
    });
    expect(result.concepts.map((c) => Array.from(c))).toEqual(script.map((c) => Array.from(c)));
    expect(result.context!.map((c) => Array.from(c))).toEqual([0, 1, 2].map((i) => Array.from(shown(i))));
    expect(prompts[2].slice(PROMPT.length).map((c) => Array.from(c))).toEqual([
      [0, 0, 0, 1],
      [0, 0, 0, 2],
    ]);
  });

  it("after maxRetries keeps the least stop-like candidate that is not end-of-text", async () => {
    const prev = v(0, 1, 0, 0);
    // After `prev`: two repeats of it (one closer than the other) and two end-of-text candidates.
    const candidates = [v(0.99, 0.1, 0, 0), v(0, 1, 0.1, 0), v(0.999, 0.01, 0, 0), v(0, 1, 0.3, 0)];
    const { predictor } = scripted([prev, ...candidates, v(1, 0, 0, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 5,
      minConcepts: 2,
      maxRetries: 3,
      ...STOP,
    });
    expect(Array.from(result.concepts[1])).toEqual(Array.from(candidates[3]));
    expect(result.concepts.length).toBe(2);
  });

  it("keeps a deterministic model's candidate at once (resampling would repeat it)", async () => {
    const { predictor, seen } = scripted([v(0.99, 0.1, 0, 0), v(1, 0, 0, 0)], true);
    const result = await generateConcepts(predictor, PROMPT, EOT, { maxConcepts: 5, ...STOP });
    expect(result.concepts.length).toBe(1);
    expect(seen.length).toBe(2);
  });

  it("honours minConcepts 0 (the contract's plain loop) and larger minimums", async () => {
    const zero = scripted([v(0.99, 0.1, 0, 0)]);
    const none = await generateConcepts(zero.predictor, PROMPT, EOT, {
      maxConcepts: 5,
      minConcepts: 0,
      ...STOP,
    });
    expect(none.concepts.length).toBe(0);
    expect(none.stop).toBe("end_of_text");
    const three = scripted([
      v(0, 1, 0, 0),
      v(0.99, 0.1, 0, 0),
      v(0, 0, 1, 0),
      v(0, 1, 0, 1),
      v(0.99, 0, 0, 0),
    ]);
    const r = await generateConcepts(three.predictor, PROMPT, EOT, {
      maxConcepts: 5,
      minConcepts: 3,
      ...STOP,
    });
    expect(r.concepts.length).toBe(3);
    expect(r.stop).toBe("end_of_text");
  });

  it("ends with 'context' when the prompt reaches the model's context", async () => {
    const { predictor } = scripted([v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 1, 1, 0)]);
    const result = await generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 10,
      maxContext: 4,
      ...STOP,
    });
    expect(result.stop).toBe("context");
    expect(result.concepts.length).toBe(2);
  });

  it("compares in the view it is given (e.g. the normalized space)", async () => {
    // Raw vectors share a large offset, so every raw cosine is near 1; centred they are orthogonal.
    const offset = (a: number, b: number) => v(10 + a, 10 + b, 10, 10);
    const eot = offset(1, 0);
    const script = [offset(0, 1), offset(0, -1), offset(1, 1)];
    const raw = await generateConcepts(scripted(script).predictor, PROMPT, eot, {
      maxConcepts: 3,
      minConcepts: 0,
      ...STOP,
    });
    expect(raw.concepts.length).toBe(0);
    expect(raw.stop).toBe("end_of_text");
    const centred = (x: Float32Array) => x.map((e) => e - 10);
    const viewed = await generateConcepts(scripted(script).predictor, PROMPT, eot, {
      maxConcepts: 3,
      minConcepts: 0,
      ...STOP,
      stopView: centred,
    });
    expect(viewed.concepts.length).toBe(3);
    expect(viewed.stop).toBe("length");
  });

  it("stops with a CancelledError when the signal is aborted", async () => {
    const controller = new AbortController();
    const { predictor } = scripted([v(0, 1, 0, 0), v(0, 0, 1, 0), v(0, 1, 1, 0)]);
    const result = generateConcepts(predictor, PROMPT, EOT, {
      maxConcepts: 3,
      ...STOP,
      signal: controller.signal,
      onConcept: () => controller.abort(),
    });
    await expect(result).rejects.toThrow(CancelledError);
  });
});
