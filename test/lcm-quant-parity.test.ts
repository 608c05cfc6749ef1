/**
 * Quant-LCM parity with the Python reference sampler (training/lcm/reference_sampler.py): the same
 * Quant-LCM (the ONNX graphs and codebooks committed beside the fixture), prompt, seeds and settings
 * must draw the same unit from every codebook and give the same concepts to 1e-4, with and without
 * guidance, at several temperatures, top-p and top-k (and greedy, temperature 0). The reference runs the
 * whole tower over [prompt; running sum] per codebook; the runtime runs the prompt's keys/values once
 * per concept (prefix graph) and one step run per codebook.
 *
 * The fixture (test/fixtures/lcm-quant-parity/), from training/ with DATA = the smoke slice encoded by
 * the smoke codec (training/lcm/smoke.sh's first two steps):
 *   python3 -m lcm.rvq fit --data DATA --codebooks 4 --units 32 --out RUN/codebooks.npz
 *   python3 -m lcm.train --data DATA --out RUN --model quant --codebooks RUN/codebooks.npz --minutes 0.4 \
 *     --model-dim 16 --heads 2 --one-tower-layers 2 --batch 4 --warmup 5 --max-len 64
 *   python3 -m lcm.export_onnx --quant RUN/checkpoint.pt --codec-manifest CODEC/manifest.json \
 *     --out ../test/fixtures/lcm-quant-parity --name lcm-smoke-quant
 *   python3 -m lcm.reference_sampler --checkpoint RUN/checkpoint.pt --specials DATA/specials.f32 \
 *     --prompt-from DATA --out ../test/fixtures/lcm-quant-parity/parity.json --seeds 7,11,23 \
 *     --repeat-threshold 0.9999 --eot-threshold 0.999
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quantPredictor } from "../src/lcm/predictors.js";
import { QuantModel, sampleUnit } from "../src/lcm/quant.js";
import { SeededRandom } from "../src/lcm/rng.js";
import { lcmFamily, readLcmSpec, readQuantSpec } from "../src/lcm/spec.js";
import { type LcmManifest, readManifest } from "../src/models/manifest.js";
import { ModelFileError } from "../src/models/onnx-session.js";
import { expectParity } from "./helpers/lcm-parity.js";

const DIR = fileURLToPath(new URL("./fixtures/lcm-quant-parity/", import.meta.url));

interface QuantCase {
  options: {
    guidance: number;
    temperature: number;
    top_k: number;
    top_p: number;
    seed: number;
    max_concepts: number;
    eot_threshold: number;
    repeat_threshold: number;
  };
  expected: number[][];
  units: number[][];
  stop: string;
}

const fixture = JSON.parse(readFileSync(`${DIR}parity.json`, "utf8")) as {
  family: string;
  prompt: number[][];
  specials: { end_of_text: number[] };
  cases: QuantCase[];
};

let manifest: LcmManifest;
let model: QuantModel;

beforeAll(async () => {
  const m = await readManifest(DIR);
  if (m.kind !== "lcm") throw new Error(`${DIR} is not an LCM`);
  manifest = m;
  model = await QuantModel.load(readQuantSpec(manifest), { threads: 1 });
});

afterAll(async () => {
  await model?.release();
});

describe("the Quant-LCM manifest", () => {
  it("says its family, its graphs and its codebooks, and has no diffusion schedule", () => {
    expect(lcmFamily(manifest)).toBe("quant");
    const spec = readQuantSpec(manifest);
    expect(spec.files).toEqual({
      prefix: "quant_prefix.onnx",
      step: "quant_step.onnx",
      codebooks: "codebooks.f32",
    });
    expect([spec.codebooks, spec.units, spec.layers]).toEqual([4, 32, 2]);
    expect(spec.trainSteps).toBe(0);
    expect(model.codebooks.length).toBe(4 * 32 * spec.dim);
    expect(spec.defaults).toMatchObject({ guidance: 1, temperature: 1, topK: 3, topP: 1 });
  });

  it("names a missing codebooks file in one line", async () => {
    const copy = mkdtempSync(join(tmpdir(), "lcm-quant-"));
    try {
      cpSync(DIR, copy, { recursive: true });
      rmSync(join(copy, "codebooks.f32"));
      const m = await readManifest(copy);
      if (m.kind !== "lcm") throw new Error("not an LCM");
      const load = QuantModel.load(readQuantSpec(m), { threads: 1 });
      await expect(load).rejects.toBeInstanceOf(ModelFileError);
      await expect(load).rejects.toThrow(/codebooks\.f32: cannot read the Quant-LCM codebooks \(ENOENT\)/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("is refused by the Two-Tower reader with one line", () => {
    expect(() => readLcmSpec(manifest)).toThrow(/"family" is "quant": a Quant-LCM/);
  });
});

describe("sampleUnit (docs/lcm-contract.md, Quant-LCM)", () => {
  const logits = [0, 2, 1, 2, -1];
  it("greedy at temperature 0: the most likely unit, the lower index on a tie, one uniform drawn", () => {
    const rng = new SeededRandom(3);
    expect(sampleUnit(logits, rng, { temperature: 0, topP: 1, topK: 0 })).toBe(1);
    const fresh = new SeededRandom(3);
    fresh.uniform();
    expect(rng.uniform()).toBe(fresh.uniform());
  });

  it("top-k 1 and a tiny top-p are greedy too; top-k 2 draws only among the two best", () => {
    for (let seed = 0; seed < 20; seed++) {
      expect(sampleUnit(logits, new SeededRandom(seed), { temperature: 1, topP: 1, topK: 1 })).toBe(1);
      expect(sampleUnit(logits, new SeededRandom(seed), { temperature: 1, topP: 0.01, topK: 0 })).toBe(1);
      expect([1, 3]).toContain(
        sampleUnit(logits, new SeededRandom(seed), { temperature: 5, topP: 1, topK: 2 }),
      );
    }
  });
});

describe("Quant-LCM parity with training/lcm/reference_sampler.py", () => {
  it("covers several seeds, with and without guidance, temperature, top-p and top-k", () => {
    expect(fixture.family).toBe("quant");
    const o = fixture.cases.map((c) => c.options);
    expect(new Set(o.map((x) => x.seed)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(o.map((x) => x.guidance)).has(1)).toBe(true);
    expect(o.some((x) => x.guidance !== 1 && x.top_p < 1)).toBe(true);
    expect(o.some((x) => x.top_k > 0)).toBe(true);
    expect(o.some((x) => x.temperature === 0)).toBe(true);
  });

  for (const [k, c] of fixture.cases.entries()) {
    const o = c.options;
    it(`case ${k + 1} (seed ${o.seed}, guidance ${o.guidance}, temperature ${o.temperature}, top-p ${o.top_p}, top-k ${o.top_k}): same units, concepts to 1e-4`, async () => {
      const predictor = quantPredictor(model, {
        guidance: o.guidance,
        temperature: o.temperature,
        topP: o.top_p,
        topK: o.top_k,
      });
      const units: number[][] = [];
      const recording = {
        ...predictor,
        async next(prompt: readonly Float32Array[], rng: SeededRandom, signal?: AbortSignal) {
          const y = await predictor.next(prompt, rng, signal);
          units.push([...predictor.lastUnits]);
          return y;
        },
      };
      await expectParity(recording, fixture, c);
      expect(units).toEqual(c.units);
      // one prefix run per sampled concept, one step run per codebook
      expect(predictor.stats).toEqual({ contextRuns: units.length, denoiserRuns: units.length * 4 });
    });
  }
});
