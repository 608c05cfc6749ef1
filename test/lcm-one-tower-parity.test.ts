/**
 * One-Tower parity with the Python reference sampler (training/lcm/reference_sampler.py): the same
 * One-Tower LCM (the ONNX graphs committed beside the fixture), prompt, seeds and options must give the
 * same concepts to 1e-4 and the same stop reason, with and without guidance. The reference runs the
 * whole tower over [prompt; noisy copy] at every step; the runtime computes the prompt's keys/values
 * once per concept (prefix graph) and runs only the noisy copy per step (step graph), so this also
 * holds the cache to the uncached model.
 *
 * The fixture (test/fixtures/lcm-one-tower-parity/), from training/ with DATA = the smoke slice encoded
 * by the smoke codec (training/lcm/smoke.sh's first two steps):
 *   python3 -m lcm.train --data DATA --out RUN --model one_tower --minutes 0.4 --model-dim 16 --heads 2 \
 *     --one-tower-layers 2 --batch 4 --warmup 5 --max-len 64
 *   python3 -m lcm.export_onnx --one-tower RUN/checkpoint.pt --codec-manifest CODEC/manifest.json \
 *     --out ../test/fixtures/lcm-one-tower-parity --name lcm-smoke-one-tower
 *   python3 -m lcm.reference_sampler --checkpoint RUN/checkpoint.pt --specials DATA/specials.f32 \
 *     --prompt-from DATA --out ../test/fixtures/lcm-one-tower-parity/parity.json --seeds 7,11,23 \
 *     --repeat-threshold 0.97
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OneTowerModel } from "../src/lcm/one-tower.js";
import { oneTowerPredictor } from "../src/lcm/predictors.js";
import { lcmFamily, readLcmSpec, readOneTowerSpec } from "../src/lcm/spec.js";
import { type LcmManifest, readManifest } from "../src/models/manifest.js";
import { expectParity, type ParityFixture, samplerOptions } from "./helpers/lcm-parity.js";

const DIR = fileURLToPath(new URL("./fixtures/lcm-one-tower-parity/", import.meta.url));
const TWO_TOWER_DIR = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));

const fixture = JSON.parse(readFileSync(`${DIR}parity.json`, "utf8")) as ParityFixture & { family: string };

async function lcmManifest(dir: string): Promise<LcmManifest> {
  const manifest = await readManifest(dir);
  if (manifest.kind !== "lcm") throw new Error(`${dir} is not an LCM`);
  return manifest;
}

let manifest: LcmManifest;
let model: OneTowerModel;

beforeAll(async () => {
  manifest = await lcmManifest(DIR);
  model = await OneTowerModel.load(readOneTowerSpec(manifest), { threads: 1 });
});

afterAll(async () => {
  await model?.release();
});

describe("the One-Tower manifest", () => {
  it("says its family, its two graphs and its layers", () => {
    expect(lcmFamily(manifest)).toBe("one_tower");
    const spec = readOneTowerSpec(manifest);
    expect(spec.files).toEqual({ prefix: "one_tower_prefix.onnx", step: "one_tower_step.onnx" });
    expect(spec.layers).toBe(2);
    expect(spec.dim).toBe(fixture.prompt[0].length);
  });

  it("is refused by the Two-Tower reader with one line, and the reverse", async () => {
    expect(() => readLcmSpec(manifest)).toThrow(/"family" is "one_tower": a One-Tower LCM/);
    const twoTower = await lcmManifest(TWO_TOWER_DIR);
    expect(lcmFamily(twoTower)).toBe("two_tower"); // made before the field existed: absent means two_tower
    expect(() => readOneTowerSpec(twoTower)).toThrow(/"family" must be "one_tower"/);
  });

  it("rejects an unknown family", () => {
    const odd = { ...manifest, raw: { ...manifest.raw, family: "three_tower" } };
    expect(() => lcmFamily(odd)).toThrow(
      /"family" must be "two_tower", "one_tower" or "quant", found "three_tower"/,
    );
  });
});

describe("One-Tower parity with training/lcm/reference_sampler.py", () => {
  it("covers several seeds, with and without guidance", () => {
    expect(fixture.family).toBe("one_tower");
    expect(new Set(fixture.cases.map((c) => c.options.seed)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(fixture.cases.map((c) => c.options.guidance))).toEqual(new Set([1, 3]));
  });

  for (const [k, c] of fixture.cases.entries()) {
    const o = c.options;
    it(`case ${k + 1} (seed ${o.seed}, steps ${o.steps}, guidance ${o.guidance}): same concepts to 1e-4 and same stop`, async () => {
      const predictor = oneTowerPredictor(model, samplerOptions(o));
      await expectParity(predictor, fixture, c);
      // one prefix run per sampled concept (kept or stopped on), one step run per diffusion step
      const sampled = c.expected.length + (c.stop === "length" ? 0 : 1);
      expect(predictor.stats).toEqual({ contextRuns: sampled, denoiserRuns: sampled * o.steps });
    });
  }
});
