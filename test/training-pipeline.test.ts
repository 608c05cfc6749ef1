/**
 * The Python training pipelines, end to end at tiny scale, so they cannot rot: the LCM pipeline
 * (encode documents with the smoke codec through the TypeScript planner and encoder, train a tiny
 * Two-Tower, One-Tower, Quant-LCM (on codebooks lcm.rvq fits) and Base-LCM, export ONNX) then `lcm summarize` on the result; the LCM trainer's
 * distributed (DDP) path on 2 CPU workers; the real-SONAR export's tests; and the DialogSum train
 * import (lcm.import_dialogsum). The codec pipeline
 * itself runs in test/global-setup.ts (training/smoke.sh).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";
import { generateConcepts } from "../src/lcm/generate.js";
import { OneTowerModel } from "../src/lcm/one-tower.js";
import { oneTowerPredictor, quantPredictor } from "../src/lcm/predictors.js";
import { QuantModel } from "../src/lcm/quant.js";
import { readLcmSpec, readOneTowerSpec, readQuantSpec } from "../src/lcm/spec.js";
import { readManifest } from "../src/models/manifest.js";
import { groundingCandidates } from "../src/tasks/grounding-candidates.js";
import { SalienceSpace } from "../src/tasks/salience.js";
import { readSourceDocument } from "../src/tasks/source-concepts.js";
import { floatTable } from "../src/util/half-float.js";
import { PY, runCaptured } from "./helpers/run-captured.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const ROOT = join(import.meta.dirname, "..");
const CLI = join(ROOT, "dist", "src", "cli.js");

function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; out: string }> {
  return runCaptured(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env });
}

describe("LCM training pipeline", () => {
  let work: string;
  let lcmDir: string;
  let oneTowerDir: string;
  let quantDir: string;
  let headDir: string;
  let smokeOutput = "";

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "lcm-pipeline-"));
    lcmDir = join(work, "models", "lcm");
    // outside models/: the CLI below must find the Two-Tower (it cannot run a One-Tower yet)
    oneTowerDir = join(work, "one-tower");
    quantDir = join(work, "quant");
    headDir = join(work, "salience-head");
    const r = await run("bash", [
      join(ROOT, "training", "lcm", "smoke.sh"),
      smokeCodecDir(),
      lcmDir,
      oneTowerDir,
      quantDir,
      headDir,
    ]);
    expect(r.code, r.out).toBe(0);
    smokeOutput = r.out;
  }, 600_000);

  it("the GPU path (token files encoded by PyTorch from the ONNX encoder's weights) gives the tool's concepts", () => {
    const m = smokeOutput.match(/gpu path: min cosine ([0-9.]+) over (\d+) concepts/);
    expect(m, smokeOutput).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(0.9999);
    expect(Number(m![2])).toBeGreaterThan(10);
  });

  it("trains the One-Tower with the same data flags and trainer", () => {
    const m = smokeOutput.match(/one-tower: trained (\d+) steps/);
    expect(m, smokeOutput).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
  });

  it("reads an export (fp32, or --fp16) back into checkpoints holding exactly the exported weights (lcm.import_onnx)", () => {
    for (const label of ["", " \\(fp16 export\\)"]) {
      const m = smokeOutput.match(
        new RegExp(`onnx import${label}: (\\d+) tensors, max difference ([0-9.e-]+)`),
      );
      expect(m, smokeOutput).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(20);
      expect(Number(m![2])).toBe(0);
    }
  });

  it("exports both graphs and a manifest paired with the codec it was trained on", () => {
    for (const f of ["contextualizer.onnx", "denoiser.onnx", "base_lcm.onnx", "manifest.json"]) {
      expect(existsSync(join(lcmDir, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(lcmDir, "manifest.json"), "utf8"));
    const codec = JSON.parse(readFileSync(join(smokeCodecDir(), "manifest.json"), "utf8"));
    expect(manifest.kind).toBe("lcm");
    expect(manifest.codec).toEqual({ name: codec.name, embedding_dim: codec.embedding_dim });
    expect(manifest.normalizer.center).toHaveLength(codec.embedding_dim);
    expect(manifest.diffusion.alphas_cumprod).toHaveLength(100);
    expect(manifest.diffusion.alphas_cumprod[99]).toBe(0);
  });

  it("adds a salience whitening the runtime reads (lcm.fit_salience_space); a cut file is one clear line", async () => {
    const manifest = await readManifest(lcmDir);
    if (manifest.kind !== "lcm") throw new Error("not an LCM");
    const spec = readLcmSpec(manifest);
    expect(spec.defaults.salience).toBe(2);
    expect(spec.defaults.salienceLength).toBe(0.5);
    const space = await SalienceSpace.load(spec);
    expect(space.name).toBe("whitened");
    // z = (x - mean) @ W, the file's table read row-major, for any number of concepts (5: a block of 4
    // and one more); the training mean is the origin
    const { mean, file: name } = spec.salienceSpace!;
    const table = floatTable(readFileSync(join(lcmDir, name)), "float16");
    const concepts = [0, 1, 2, 3, 4].map((k) =>
      spec.center.map((c, d) => c + spec.scale[d] * Math.sin(k + d)),
    );
    const views = space.views(concepts);
    concepts.forEach((x, k) => {
      for (let j = 0; j < spec.dim; j++) {
        let z = 0;
        for (let i = 0; i < spec.dim; i++) z += (x[i] - mean[i]) * table[i * spec.dim + j];
        expect(views[k][j]).toBeCloseTo(z, 3);
      }
    });
    expect(Math.max(...space.views([mean])[0].map(Math.abs))).toBeLessThan(1e-6);
    const cut = mkdtempSync(join(tmpdir(), "lcm-salience-"));
    cpSync(lcmDir, cut, { recursive: true });
    const file = join(cut, spec.salienceSpace!.file);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const broken = await readManifest(cut);
    if (broken.kind !== "lcm") throw new Error("not an LCM");
    await expect(SalienceSpace.load(readLcmSpec(broken))).rejects.toThrow(
      /holds 100 bytes, but a \d+x\d+ float16 whitening needs \d+/,
    );
  });

  it("trains a salience head whose probabilities the tool reproduces from its own inputs (lcm.fit_salience_head)", async () => {
    expect(smokeOutput).toMatch(/salience head: 6 records/);
    const manifest = await readManifest(headDir);
    if (manifest.kind !== "lcm") throw new Error("not an LCM");
    const spec = readLcmSpec(manifest);
    expect(spec.defaults.salience).toBe(3);
    const space = await SalienceSpace.load(spec);
    expect(space.name).toBe("learned");
    // The trainer's probabilities (float32 weights) for every candidate of the sample, in order; the
    // tool reads the float16 file and computes the inputs itself.
    const expected = floatTable(readFileSync(join(headDir, "reference_scores.f32")), "float32");
    const codec = await ConceptCodec.load(smokeCodecDir(), { cache: false });
    const records = readFileSync(join(ROOT, "test", "fixtures", "eval", "bbc_sample.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { document: string });
    let at = 0;
    for (const record of records) {
      const source = readSourceDocument(record.document, {
        format: "plain",
        supported: ["eng_Latn"],
        sourceLang: "eng_Latn",
      });
      const { vectors } = await codec.encode(
        source.sentences.map((s) => s.text),
        "eng_Latn",
      );
      const { candidates, places } = groundingCandidates(
        record.document,
        source.sentences,
        source.outline.maxChars,
      );
      for (const p of space.prior(
        candidates.map((i) => vectors[i]),
        places,
      )) {
        expect(p).toBeGreaterThan(0);
        expect(p).toBeLessThan(1);
        expect(Math.abs(p - expected[at++])).toBeLessThan(0.01);
      }
    }
    expect(at).toBe(expected.length);
    await codec.release();
  }, 120_000);

  it("fits residual codebooks and trains the Quant-LCM on them with the same data flags", () => {
    const fit = smokeOutput.match(/rvq: 4x16 held-out relative mse ([0-9.]+)/);
    expect(fit, smokeOutput).not.toBeNull();
    expect(Number(fit![1])).toBeLessThan(1);
    const m = smokeOutput.match(/quant: trained (\d+) steps/);
    expect(m, smokeOutput).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
  });

  it("exports the Quant-LCM's graphs and codebooks; the runtime samples concepts from them", async () => {
    const manifest = await readManifest(quantDir);
    if (manifest.kind !== "lcm") throw new Error("not an LCM");
    expect(manifest.raw.family).toBe("quant");
    const spec = readQuantSpec(manifest);
    expect([spec.codebooks, spec.units]).toEqual([4, 16]);
    const model = await QuantModel.load(spec, { threads: 1 });
    try {
      const predictor = quantPredictor(model, { guidance: 2, temperature: 1, topP: 0.9, topK: 0 });
      const prompt = [0, 1, 2].map((i) => spec.center.map((c, d) => c + spec.scale[d] * Math.sin(i + d)));
      const result = await generateConcepts(predictor, prompt, new Float32Array(spec.dim).fill(1), {
        maxConcepts: 2,
        seed: 1,
        eotThreshold: 2,
        repeatThreshold: 2,
      });
      expect(result.concepts).toHaveLength(2);
      for (const c of result.concepts) expect(c.every(Number.isFinite)).toBe(true);
      expect(predictor.stats).toEqual({ contextRuns: 2, denoiserRuns: 8 });
    } finally {
      await model.release();
    }
  });

  it("exports the One-Tower's prefix and step graphs with a manifest of family one_tower", () => {
    for (const f of ["one_tower_prefix.onnx", "one_tower_step.onnx", "manifest.json"]) {
      expect(existsSync(join(oneTowerDir, f)), f).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(oneTowerDir, "manifest.json"), "utf8"));
    expect(manifest.family).toBe("one_tower");
    expect(manifest.files).toEqual({
      one_tower_prefix: "one_tower_prefix.onnx",
      one_tower_step: "one_tower_step.onnx",
    });
    expect(manifest.architecture.type).toBe("one_tower_diffusion");
    // exported with --int8 (as the bundled One-Tower and Quant-LCM are): weight matrices stored as int8
    expect(manifest.weights).toMatch(/^int8/);
    const step = readFileSync(join(oneTowerDir, "one_tower_step.onnx"));
    expect(step.includes("DequantizeLinear")).toBe(true);
    expect(JSON.parse(readFileSync(join(lcmDir, "manifest.json"), "utf8")).family).toBe("two_tower");
  });

  it("the freshly trained One-Tower generates concepts with the runtime's sampler", async () => {
    const manifest = await readManifest(oneTowerDir);
    if (manifest.kind !== "lcm") throw new Error("not an LCM");
    const spec = readOneTowerSpec(manifest);
    const model = await OneTowerModel.load(spec, { threads: 1 });
    try {
      const predictor = oneTowerPredictor(model, {
        steps: 10,
        guidance: 3,
        guidanceRescale: 0.7,
        initialNoise: 0.6,
        epsilonScaling: 1,
      });
      const prompt = [0, 1, 2].map((i) => spec.center.map((c, d) => c + spec.scale[d] * Math.sin(i + d)));
      // cosines never reach 2: no stop rule fires, every concept is kept
      const result = await generateConcepts(predictor, prompt, new Float32Array(spec.dim).fill(1), {
        maxConcepts: 3,
        seed: 1,
        eotThreshold: 2,
        repeatThreshold: 2,
      });
      expect(result.concepts).toHaveLength(3);
      for (const c of result.concepts) expect(c.every(Number.isFinite)).toBe(true);
      // one prefix run per concept, one step run per diffusion step
      expect(predictor.stats).toEqual({ contextRuns: 3, denoiserRuns: 30 });
    } finally {
      await model.release();
    }
  });

  it("the freshly trained LCM summarizes a document through the CLI, with both models", async () => {
    cpSync(smokeCodecDir(), join(work, "models", "codec"), { recursive: true });
    const doc = join(work, "doc.txt");
    writeFileSync(
      doc,
      "The council met on Monday. It approved a new budget for the harbour. " +
        "Repairs to the sea wall will start in spring. The mayor said the work was overdue.\n",
    );
    const env = { ...process.env, XDG_CACHE_HOME: join(work, "cache"), XDG_DATA_HOME: join(work, "data") };
    for (const model of ["diffusion", "base"]) {
      const r = await run(
        "node",
        [
          CLI,
          "summarize",
          doc,
          "--models",
          join(work, "models"),
          "--model",
          model,
          "--format",
          "json",
          "-n",
          "3",
        ],
        { env },
      );
      expect(r.code, r.out).toBe(0);
      const result = JSON.parse(r.out.split("\n\n")[0] || r.out);
      expect(result.concepts.length).toBeGreaterThan(0);
      expect(result.concepts.length).toBeLessThanOrEqual(3);
    }
  }, 300_000);
});

describe("LCM trainer, distributed", () => {
  it("trains with 2 DDP workers over gloo and checkpoints once", async () => {
    const work = mkdtempSync(join(tmpdir(), "lcm-ddp-"));
    const data = join(work, "data");
    let r = await run("node", [
      join(ROOT, "training", "lcm", "encode_docs.mjs"),
      "--codec",
      smokeCodecDir(),
      "--out",
      data,
      "--name",
      "inaugural",
      "--input",
      join(ROOT, "test", "fixtures", "lcm-smoke", "docs.jsonl"),
    ]);
    expect(r.code, r.out).toBe(0);
    r = await run("node", [join(ROOT, "training", "lcm", "specials.mjs"), smokeCodecDir(), data]);
    expect(r.code, r.out).toBe(0);
    r = await run("bash", [join(ROOT, "training", "tests", "lcm_ddp_cpu.sh"), data, join(work, "run")]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("DDP (2 workers, gloo)");
  }, 300_000);
});

describe("real SONAR export", () => {
  it("passes its tiny-scale tests (random SONAR-layout checkpoints vs an independent reference)", async () => {
    const r = await run(PY, ["-m", "unittest", "tests.test_export_sonar"], { cwd: join(ROOT, "training") });
    expect(r.code, r.out).toBe(0);
  }, 600_000);
});

describe("summarize pairs from DialogSum's train split", () => {
  it("keeps new dialogues, drops near-duplicates of our dev dialogues, never reads the test split", async () => {
    const r = await run(PY, ["-m", "unittest", "tests.test_import_dialogsum"], {
      cwd: join(ROOT, "training"),
    });
    expect(r.code, r.out).toBe(0);
  }, 60_000);
});
