/** The LCM half of manifest.json: the committed smoke model reads, broken fields give one clear line. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { denormalize, normalize } from "../src/lcm/normalizer.js";
import { readLcmSpec } from "../src/lcm/spec.js";
import { type LcmManifest, parseManifest } from "../src/models/manifest.js";

// biome-ignore lint/suspicious/noExplicitAny: the tests edit free-form manifest JSON
type Json = Record<string, any>;

const PATH = new URL("./fixtures/lcm-parity/manifest.json", import.meta.url);
const json = () => JSON.parse(readFileSync(PATH, "utf8"));
const spec = (edit?: (m: Json) => void) => {
  const m = json();
  edit?.(m);
  return readLcmSpec(parseManifest(m, "/models/lcm", "/models/lcm/manifest.json") as LcmManifest);
};

const SALIENCE = {
  space: "whitened",
  file: "salience_whitening.f16",
  dtype: "float16",
  mean: new Array(64).fill(0),
};

describe("readLcmSpec", () => {
  it("reads the smoke model's files, normalizer, schedule, special texts and defaults", () => {
    const s = spec();
    expect(s.dim).toBe(64);
    expect(s.modelDim).toBe(32);
    expect(s.files).toEqual({
      contextualizer: "contextualizer.onnx",
      denoiser: "denoiser.onnx",
      denoiserMemory: "denoiser_memory.onnx",
      denoiserStep: "denoiser_step.onnx",
      base: "base_lcm.onnx",
    });
    expect(s.center.length).toBe(64);
    expect(s.trainSteps).toBe(100);
    expect(s.alphasCumprod[99]).toBe(0);
    expect(s.specialTexts).toEqual({ endOfText: "End of text.", modelTurn: "[MODEL]:", lang: "eng_Latn" });
    expect(s.maxContext).toBe(64);
    expect(s.defaults).toMatchObject({
      steps: 40,
      guidance: 3,
      guidanceRescale: 0.7,
      initialNoise: 0.6,
      epsilonScaling: 1.00045,
    });
    expect(s.defaults.stopCosineSpace).toBe("raw");
  });

  it("normalizes and denormalizes with the manifest's center and scale", () => {
    const s = spec();
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i));
    const y = normalize(x, s);
    expect((x[3] - s.center[3]) / s.scale[3]).toBeCloseTo(y[3], 5);
    denormalize(y, s).forEach((v, i) => {
      expect(v).toBeCloseTo(x[i], 5);
    });
    expect(() => normalize(new Float32Array(3), s)).toThrow(RangeError);
  });

  it("falls back on the paper's defaults and takes the stop cosine space", () => {
    const s = spec((m) => {
      delete m.defaults;
    });
    expect(s.defaults.guidance).toBe(3);
    expect(s.defaults.maxConcepts).toBe(32);
    expect(spec((m) => (m.defaults.stop_cosine_space = "normalized")).defaults.stopCosineSpace).toBe(
      "normalized",
    );
    expect(s.defaults.groundingThreshold).toBe(0.6);
    expect(spec((m) => (m.defaults.grounding_threshold = 0.25)).defaults.groundingThreshold).toBe(0.25);
    // the salience length prior is off unless a manifest that measured it sets it
    expect(s.defaults.salienceLength).toBe(0);
    expect(spec((m) => (m.defaults.salience_length = 0.5)).defaults.salienceLength).toBe(0.5);
  });

  it("reads the salience whitening when there is one (none: the normalized space)", () => {
    expect(spec().salienceSpace).toBeNull();
    const s = spec((m) => (m.salience = SALIENCE));
    expect(s.salienceSpace?.file).toBe("salience_whitening.f16");
    expect(s.salienceSpace?.dtype).toBe("float16");
    expect(s.salienceSpace?.mean.length).toBe(64);
    expect(s.salienceSpace?.head).toBeNull();
  });

  it("reads a learned salience head inside the whitening, and names what is wrong with one", () => {
    const head = { file: "salience_head.f16", dtype: "float16", hidden: 32 };
    const s = spec((m) => (m.salience = { ...SALIENCE, head }));
    expect(s.salienceSpace?.head).toEqual(head);
    expect(() => spec((m) => (m.salience = { ...SALIENCE, head: { ...head, dtype: "int8" } }))).toThrow(
      /"salience.head.dtype" must be "float32" or "float16"/,
    );
    expect(() => spec((m) => (m.salience = { ...SALIENCE, head: { ...head, hidden: 0 } }))).toThrow(
      /salience.head.hidden/,
    );
    expect(() => spec((m) => (m.salience = { ...SALIENCE, head: { ...head, file: "../x" } }))).toThrow(
      /salience.head.file/,
    );
  });

  it("names the field that is wrong", () => {
    const cases: [string, (m: Json) => void][] = [
      [
        '"normalizer.center" has 3 values, the codec\'s embedding_dim is 64',
        (m) => (m.normalizer.center = [1, 2, 3]),
      ],
      ['"normalizer.scale[5]" must be > 0', (m) => (m.normalizer.scale[5] = 0)],
      [
        '"diffusion.alphas_cumprod" has 99 values, train_steps is 100',
        (m) => m.diffusion.alphas_cumprod.pop(),
      ],
      ['"diffusion.alphas_cumprod" must not increase (at 4)', (m) => (m.diffusion.alphas_cumprod[4] = 1)],
      ['"diffusion.prediction" must be "sample"', (m) => (m.diffusion.prediction = "epsilon")],
      [
        '"files.denoiser" is missing (or the pair "files.denoiser_memory" + "files.denoiser_step")',
        (m) => {
          delete m.files.denoiser;
          delete m.files.denoiser_memory;
          delete m.files.denoiser_step;
        },
      ],
      ['"files.denoiser_memory" and "files.denoiser_step" go together', (m) => delete m.files.denoiser_step],
      [
        '"files.contextualizer" must name a file inside the model directory',
        (m) => (m.files.contextualizer = "../x.onnx"),
      ],
      ['"special_texts.end_of_text" must be a non-empty string', (m) => (m.special_texts.end_of_text = "")],
      ['"max_context" must be an integer >= 2', (m) => (m.max_context = 1)],
      ['"defaults.guidance_rescale" must be a number in [0, 1]', (m) => (m.defaults.guidance_rescale = 2)],
      ['"defaults.salience_length" must be a number in [0, 4]', (m) => (m.defaults.salience_length = -1)],
      [
        '"defaults.grounding_threshold" must be a number in [-1, 1]',
        (m) => (m.defaults.grounding_threshold = 1.5),
      ],
      [
        '"defaults.stop_cosine_space" must be "raw" or "normalized"',
        (m) => (m.defaults.stop_cosine_space = "cosine"),
      ],
      ['"salience.space" must be "whitened"', (m) => (m.salience = { ...SALIENCE, space: "pca" })],
      [
        '"salience.dtype" must be "float32" or "float16"',
        (m) => (m.salience = { ...SALIENCE, dtype: "int8" }),
      ],
      [
        '"salience.mean" has 3 values, the codec\'s embedding_dim is 64',
        (m) => (m.salience = { ...SALIENCE, mean: [1, 2, 3] }),
      ],
      [
        '"salience.file" must name a file inside the model directory',
        (m) => (m.salience = { ...SALIENCE, file: "/etc/passwd" }),
      ],
    ];
    for (const [message, edit] of cases) {
      expect(() => spec(edit)).toThrow(`/models/lcm/manifest.json: ${message}`);
    }
  });
});
