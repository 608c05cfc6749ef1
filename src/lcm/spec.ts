/**
 * The LCM-specific half of an LCM's manifest.json (docs/lcm-contract.md): family, graph files,
 * normalizer, diffusion schedule, special texts, context length and decoding defaults.
 * src/models/manifest.ts reads the fields every model shares (kind, name, the codec it belongs to); this
 * module reads the rest from the same JSON and checks each field the sampler relies on, so a half-copied
 * or hand-edited model gives one line naming the field instead of NaNs deep in a diffusion loop.
 *
 * Two families share everything but their graphs: the Two-Tower ("family" absent or "two_tower":
 * contextualizer + denoiser, readLcmSpec) and the One-Tower ("one_tower": prefix + step graphs,
 * readOneTowerSpec). The Quant-LCM ("quant": prefix + step graphs and residual codebooks, readQuantSpec)
 * has no diffusion schedule.
 */

import type { LcmManifest } from "../models/manifest.js";
import { ManifestError } from "../models/manifest.js";
import { DEFAULT_GROUNDING_THRESHOLD } from "../tasks/grounding.js";

export interface LcmDefaults {
  steps: number;
  guidance: number;
  guidanceRescale: number;
  initialNoise: number;
  epsilonScaling: number;
  eotThreshold: number;
  repeatThreshold: number;
  maxConcepts: number;
  /**
   * Where the stop rules measure cosines: "raw" codec space (the contract and the reference code) or
   * the model's "normalized" space. Raw cosines of an anisotropic codec (all concepts sharing a large
   * mean direction) sit near 1 for unrelated sentences, so such a codec needs "normalized".
   */
  stopCosineSpace: "raw" | "normalized";
  /**
   * Default `--grounding-threshold` (cosine in the normalized space): how close a generated concept
   * must be to a source sentence to be shown as it. It depends on the codec's space and the model, so
   * a model's manifest may set it (tuned on a dev split); 0.6 otherwise (see grounding.ts).
   */
  groundingThreshold: number;
  /**
   * Default `--salience` for grounded summaries (tasks/salience.ts): weight of a source sentence's
   * centrality added to its cosine to the generated concept; 0 (nearest alone) unless a manifest
   * that measured it says otherwise.
   */
  salience: number;
  /**
   * Default `--salience-length`: the exponent p of the length factor (a sentence's characters over
   * the document's mean)^p that scales its centrality (tasks/salience.ts); 0 (off) unless a manifest
   * that measured it says otherwise.
   */
  salienceLength: number;
  /**
   * Decode, re-encode, compare (render.ts): a decoded concept that re-encodes within sentinelCosine of
   * the end-of-text concept is a stop; one farther than faithfulCosine from its concept and from every
   * source sentence is withheld. Cosines in the normalized space, calibrated per codec and model, so
   * only a manifest that measured them turns the checks on (null: off).
   */
  sentinelCosine: number | null;
  faithfulCosine: number | null;
  /** Quant-LCM unit draws (docs/lcm-contract.md, "Quant-LCM"): temperature (0: the most likely unit), */
  temperature: number;
  /** the share of probability the kept units hold (1: all), */
  topP: number;
  /** and how many of the most likely units are kept (0: all). */
  topK: number;
}

/** The LCM families (the manifest's "family"; absent means "two_tower"). */
export type LcmFamily = "two_tower" | "one_tower" | "quant";

/** What every family's manifest holds: all but the graph files. */
export interface LcmSpecCommon {
  manifest: LcmManifest;
  family: LcmFamily;
  /** Concept dimension D (the codec's embedding_dim). */
  dim: number;
  /** The models' hidden size d (context rows are d wide); null when the manifest does not say. */
  modelDim: number | null;
  center: Float32Array;
  scale: Float32Array;
  /** T, the number of training diffusion steps (0 for the Quant-LCM, which has no schedule). */
  trainSteps: number;
  /** ᾱ_t for t = 0..T-1 (float64, as written). */
  alphasCumprod: Float64Array;
  specialTexts: { endOfText: string; modelTurn: string; lang: string };
  /** Longest prompt (in concepts) the model was trained on. */
  maxContext: number;
  defaults: LcmDefaults;
  /** Where grounded summaries measure centrality (manifest "salience"); null: the normalized space. */
  salienceSpace: SalienceSpaceSpec | null;
}

/**
 * A whitening of the concept space for salience (tasks/salience.ts): z = (x - mean) @ W, W a [D, D]
 * row-major table in `file` (little-endian `dtype`), fitted on the model's training concepts.
 */
export interface SalienceSpaceSpec {
  file: string;
  dtype: "float32" | "float16";
  mean: Float32Array;
  /** A learned prior in that space (tasks/salience-head.ts), or null: centrality. */
  head: SalienceHeadSpec | null;
}

/** The salience head's weights: W1, b1, w2, b2, v in `file` (little-endian `dtype`), `hidden` units. */
export interface SalienceHeadSpec {
  file: string;
  dtype: "float32" | "float16";
  hidden: number;
}

/** A Two-Tower diffusion LCM (and the optional Base-LCM beside it). */
export interface LcmSpec extends LcmSpecCommon {
  family: "two_tower";
  /**
   * The denoiser comes as one graph (`denoiser`), or split for speed (`denoiserMemory`: the context's
   * cross-attention keys/values once per concept; `denoiserStep`: one run per diffusion step), or both.
   * At least one form is present.
   */
  files: {
    contextualizer: string;
    denoiser: string | null;
    denoiserMemory: string | null;
    denoiserStep: string | null;
    base: string | null;
  };
}

/** A One-Tower diffusion LCM (docs/lcm-contract.md, "One-Tower"). */
export interface OneTowerSpec extends LcmSpecCommon {
  family: "one_tower";
  /** `prefix`: the clean prompt's keys/values, once per concept; `step`: one run per diffusion step. */
  files: { prefix: string; step: string };
  /** Transformer layers L (the keys/values' first axis); null when the manifest does not say. */
  layers: number | null;
}

/** A discrete Quant-LCM (docs/lcm-contract.md, "Quant-LCM"). */
export interface QuantSpec extends LcmSpecCommon {
  family: "quant";
  /** `prefix`: the clean prompt's keys/values; `step`: one codebook's unit logits; `codebooks`: its table. */
  files: { prefix: string; step: string; codebooks: string };
  /** How the codebooks file stores its numbers (little-endian). */
  codebooksDtype: "float32" | "float16";
  /** K codebooks of V units each (the codebooks file is [K, V, D], normalized space). */
  codebooks: number;
  units: number;
  layers: number | null;
}

/** The paper's decoding settings (§2.4), used for any default a manifest leaves out. */
export const PAPER_DEFAULTS: LcmDefaults = {
  steps: 40,
  guidance: 3,
  guidanceRescale: 0.7,
  initialNoise: 0.6,
  epsilonScaling: 1.00045,
  eotThreshold: 0.9,
  repeatThreshold: 0.9,
  maxConcepts: 32,
  stopCosineSpace: "raw",
  groundingThreshold: DEFAULT_GROUNDING_THRESHOLD,
  salience: 0,
  salienceLength: 0,
  sentinelCosine: null,
  faithfulCosine: null,
  // the paper's multi-sentence Quant-LCM-d settings
  temperature: 1,
  topP: 1,
  topK: 3,
};

/** The manifest's "family" (absent: "two_tower", every model made before the One-Tower). */
export function lcmFamily(manifest: LcmManifest): LcmFamily {
  const family = manifest.raw.family;
  if (family === undefined || family === "two_tower") return "two_tower";
  if (family === "one_tower") return "one_tower";
  if (family === "quant") return "quant";
  return new Fields(manifest.path).fail(
    `"family" must be "two_tower", "one_tower" or "quant", found ${JSON.stringify(family)}`,
  );
}

/** A Two-Tower LCM's spec; a One-Tower manifest is refused with one line saying so. */
export function readLcmSpec(manifest: LcmManifest): LcmSpec {
  const f = new Fields(manifest.path);
  const family = lcmFamily(manifest);
  if (family !== "two_tower") {
    const what = family === "quant" ? "a Quant-LCM" : "a One-Tower LCM";
    f.fail(`"family" is "${family}": ${what}, and this runs Two-Tower LCMs only`);
  }
  const files = f.object(manifest.raw.files, "files");
  return {
    ...readCommon(manifest, f),
    family: "two_tower",
    files: {
      contextualizer: f.fileName(files.contextualizer, "files.contextualizer"),
      ...denoiserFiles(files, f),
      base: optionalFile(files.base, "files.base", f),
    },
  };
}

/** A One-Tower LCM's spec: its prefix and step graphs, and what every family shares. */
export function readOneTowerSpec(manifest: LcmManifest): OneTowerSpec {
  const f = new Fields(manifest.path);
  if (lcmFamily(manifest) !== "one_tower") {
    f.fail(
      `"family" must be "one_tower" for a One-Tower LCM, found ${JSON.stringify(manifest.raw.family ?? null)}`,
    );
  }
  const files = f.object(manifest.raw.files, "files");
  const architecture = f.architecture(manifest.raw.architecture);
  return {
    ...readCommon(manifest, f),
    family: "one_tower",
    files: {
      prefix: f.fileName(files.one_tower_prefix, "files.one_tower_prefix"),
      step: f.fileName(files.one_tower_step, "files.one_tower_step"),
    },
    layers:
      architecture.one_tower_layers === undefined
        ? null
        : f.integer(architecture.one_tower_layers, "architecture.one_tower_layers", 1),
  };
}

/** A Quant-LCM's spec: its prefix and step graphs, its codebooks, and what every family shares. */
export function readQuantSpec(manifest: LcmManifest): QuantSpec {
  const f = new Fields(manifest.path);
  if (lcmFamily(manifest) !== "quant") {
    f.fail(`"family" must be "quant" for a Quant-LCM, found ${JSON.stringify(manifest.raw.family ?? null)}`);
  }
  const files = f.object(manifest.raw.files, "files");
  const quantizer = f.object(manifest.raw.quantizer, "quantizer");
  if (quantizer.space !== undefined && quantizer.space !== "normalized") {
    f.fail(`"quantizer.space" must be "normalized", found ${JSON.stringify(quantizer.space)}`);
  }
  if (quantizer.dtype !== undefined && quantizer.dtype !== "float32" && quantizer.dtype !== "float16") {
    f.fail(`"quantizer.dtype" must be "float32" or "float16", found ${JSON.stringify(quantizer.dtype)}`);
  }
  const architecture = f.architecture(manifest.raw.architecture);
  return {
    ...readCommon(manifest, f, false),
    family: "quant",
    files: {
      prefix: f.fileName(files.quant_prefix, "files.quant_prefix"),
      step: f.fileName(files.quant_step, "files.quant_step"),
      codebooks: f.fileName(files.codebooks, "files.codebooks"),
    },
    codebooks: f.integer(quantizer.codebooks, "quantizer.codebooks", 1),
    codebooksDtype: quantizer.dtype === "float16" ? "float16" : "float32",
    units: f.integer(quantizer.units, "quantizer.units", 1),
    layers:
      architecture.one_tower_layers === undefined
        ? null
        : f.integer(architecture.one_tower_layers, "architecture.one_tower_layers", 1),
  };
}

function readCommon(manifest: LcmManifest, f: Fields, diffuses = true): Omit<LcmSpecCommon, "family"> {
  const raw = manifest.raw;
  const dim = manifest.codec.embeddingDim;

  const normalizer = f.object(raw.normalizer, "normalizer");
  const center = Float32Array.from(f.numbers(normalizer.center, "normalizer.center", dim));
  const scale = Float32Array.from(f.numbers(normalizer.scale, "normalizer.scale", dim));
  scale.forEach((s, i) => {
    if (!(s > 0)) f.fail(`"normalizer.scale[${i}]" must be > 0, found ${s}`);
  });

  const { trainSteps, alphasCumprod } = diffuses
    ? readDiffusion(raw, f)
    : { trainSteps: 0, alphasCumprod: new Float64Array(0) };

  const special = f.object(raw.special_texts, "special_texts");
  const specialTexts = {
    endOfText: f.string(special.end_of_text, "special_texts.end_of_text"),
    modelTurn: f.string(special.model_turn, "special_texts.model_turn"),
    lang: f.string(special.lang, "special_texts.lang"),
  };

  const rawDefaults = raw.defaults === undefined ? {} : f.object(raw.defaults, "defaults");
  const num = (key: string, fallback: number, min: number, max = Infinity) => {
    const value = rawDefaults[key];
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value >= min && value <= max))
      f.fail(`"defaults.${key}" must be a number in [${min}, ${max}], found ${JSON.stringify(value)}`);
    return value as number;
  };
  const defaults: LcmDefaults = {
    steps: diffuses ? Math.round(num("steps", Math.min(PAPER_DEFAULTS.steps, trainSteps), 1, trainSteps)) : 0,
    guidance: num("guidance", PAPER_DEFAULTS.guidance, 0),
    guidanceRescale: num("guidance_rescale", PAPER_DEFAULTS.guidanceRescale, 0, 1),
    initialNoise: num("initial_noise", PAPER_DEFAULTS.initialNoise, Number.MIN_VALUE),
    epsilonScaling: num("epsilon_scaling", PAPER_DEFAULTS.epsilonScaling, Number.MIN_VALUE),
    eotThreshold: num("eot_threshold", PAPER_DEFAULTS.eotThreshold, -1, 1),
    repeatThreshold: num("repeat_threshold", PAPER_DEFAULTS.repeatThreshold, -1, 1),
    maxConcepts: Math.round(num("max_concepts", PAPER_DEFAULTS.maxConcepts, 1)),
    stopCosineSpace: cosineSpace(rawDefaults.stop_cosine_space, f),
    groundingThreshold: num("grounding_threshold", DEFAULT_GROUNDING_THRESHOLD, -1, 1),
    salience: num("salience", PAPER_DEFAULTS.salience, 0, 10),
    salienceLength: num("salience_length", PAPER_DEFAULTS.salienceLength, 0, 4),
    sentinelCosine: rawDefaults.sentinel_cosine === undefined ? null : num("sentinel_cosine", 0, -1, 1),
    faithfulCosine: rawDefaults.faithful_cosine === undefined ? null : num("faithful_cosine", 0, -1, 1),
    temperature: num("temperature", PAPER_DEFAULTS.temperature, 0, 100),
    topP: num("top_p", PAPER_DEFAULTS.topP, Number.MIN_VALUE, 1),
    topK: Math.round(num("top_k", PAPER_DEFAULTS.topK, 0)),
  };

  const architecture = f.architecture(raw.architecture);
  const modelDim =
    architecture.model_dim === undefined
      ? null
      : f.integer(architecture.model_dim, "architecture.model_dim", 1);

  return {
    manifest,
    dim,
    modelDim,
    center,
    scale,
    trainSteps,
    alphasCumprod,
    specialTexts,
    maxContext: f.integer(raw.max_context, "max_context", 2),
    defaults,
    salienceSpace: readSalienceSpace(raw.salience, dim, f),
  };
}

function readSalienceSpace(value: unknown, dim: number, f: Fields): SalienceSpaceSpec | null {
  if (value === undefined) return null;
  const salience = f.object(value, "salience");
  if (salience.space !== "whitened") {
    f.fail(`"salience.space" must be "whitened", found ${JSON.stringify(salience.space)}`);
  }
  if (salience.dtype !== "float32" && salience.dtype !== "float16") {
    f.fail(`"salience.dtype" must be "float32" or "float16", found ${JSON.stringify(salience.dtype)}`);
  }
  return {
    file: f.fileName(salience.file, "salience.file"),
    dtype: salience.dtype,
    mean: Float32Array.from(f.numbers(salience.mean, "salience.mean", dim)),
    head: readSalienceHead(salience.head, f),
  };
}

function readSalienceHead(value: unknown, f: Fields): SalienceHeadSpec | null {
  if (value === undefined) return null;
  const head = f.object(value, "salience.head");
  if (head.dtype !== "float32" && head.dtype !== "float16") {
    f.fail(`"salience.head.dtype" must be "float32" or "float16", found ${JSON.stringify(head.dtype)}`);
  }
  return {
    file: f.fileName(head.file, "salience.head.file"),
    dtype: head.dtype,
    hidden: f.integer(head.hidden, "salience.head.hidden", 1),
  };
}

/** The diffusion families' schedule: T and ᾱ_t, checked. */
function readDiffusion(raw: Record<string, unknown>, f: Fields) {
  const diffusion = f.object(raw.diffusion, "diffusion");
  const trainSteps = f.integer(diffusion.train_steps, "diffusion.train_steps", 2);
  const prediction = diffusion.prediction ?? "sample";
  if (prediction !== "sample") {
    f.fail(`"diffusion.prediction" must be "sample" (x0 prediction), found ${JSON.stringify(prediction)}`);
  }
  const alphasCumprod = Float64Array.from(f.numbers(diffusion.alphas_cumprod, "diffusion.alphas_cumprod"));
  if (alphasCumprod.length !== trainSteps) {
    f.fail(`"diffusion.alphas_cumprod" has ${alphasCumprod.length} values, train_steps is ${trainSteps}`);
  }
  alphasCumprod.forEach((a, t) => {
    if (!(a >= 0 && a <= 1)) f.fail(`"diffusion.alphas_cumprod[${t}]" must be in [0, 1], found ${a}`);
    if (t > 0 && a > alphasCumprod[t - 1]) f.fail(`"diffusion.alphas_cumprod" must not increase (at ${t})`);
  });
  if (alphasCumprod[0] === 0) f.fail(`"diffusion.alphas_cumprod[0]" is 0: the schedule is all noise`);
  return { trainSteps, alphasCumprod };
}

function cosineSpace(value: unknown, f: Fields): "raw" | "normalized" {
  if (value === undefined) return PAPER_DEFAULTS.stopCosineSpace;
  if (value === "raw" || value === "normalized") return value;
  return f.fail(`"defaults.stop_cosine_space" must be "raw" or "normalized", found ${JSON.stringify(value)}`);
}

function optionalFile(value: unknown, field: string, f: Fields): string | null {
  return value === undefined || value === null ? null : f.fileName(value, field);
}

function denoiserFiles(files: Record<string, unknown>, f: Fields) {
  const denoiser = optionalFile(files.denoiser, "files.denoiser", f);
  const denoiserMemory = optionalFile(files.denoiser_memory, "files.denoiser_memory", f);
  const denoiserStep = optionalFile(files.denoiser_step, "files.denoiser_step", f);
  if ((denoiserMemory === null) !== (denoiserStep === null)) {
    f.fail(`"files.denoiser_memory" and "files.denoiser_step" go together; found only one of them`);
  }
  if (denoiser === null && denoiserStep === null) {
    f.fail(`"files.denoiser" is missing (or the pair "files.denoiser_memory" + "files.denoiser_step")`);
  }
  return { denoiser, denoiserMemory, denoiserStep };
}

class Fields {
  constructor(private readonly path: string) {}

  fail(message: string): never {
    throw new ManifestError(`${this.path}: ${message}`);
  }

  /** The optional "architecture" object ({} when absent). */
  architecture(value: unknown): Record<string, unknown> {
    return value === undefined ? {} : this.object(value, "architecture");
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === undefined || value === null) this.fail(`"${field}" is missing`);
    if (typeof value !== "object" || Array.isArray(value)) this.fail(`"${field}" must be an object`);
    return value as Record<string, unknown>;
  }

  string(value: unknown, field: string): string {
    if (value === undefined || value === null) this.fail(`"${field}" is missing`);
    if (typeof value !== "string" || value.trim() === "") this.fail(`"${field}" must be a non-empty string`);
    return value;
  }

  fileName(value: unknown, field: string): string {
    const name = this.string(value, field);
    if (name.startsWith("/") || name.split(/[\\/]/).includes("..")) {
      this.fail(`"${field}" must name a file inside the model directory, found "${name}"`);
    }
    return name;
  }

  integer(value: unknown, field: string, min: number): number {
    if (value === undefined || value === null) this.fail(`"${field}" is missing`);
    if (typeof value !== "number" || !Number.isInteger(value) || value < min)
      this.fail(`"${field}" must be an integer >= ${min}, found ${JSON.stringify(value)}`);
    return value;
  }

  numbers(value: unknown, field: string, length?: number): number[] {
    if (value === undefined || value === null) this.fail(`"${field}" is missing`);
    if (!Array.isArray(value)) this.fail(`"${field}" must be an array of numbers`);
    if (length !== undefined && value.length !== length)
      this.fail(`"${field}" has ${value.length} values, the codec's embedding_dim is ${length}`);
    value.forEach((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v)) this.fail(`"${field}[${i}]" must be a finite number`);
    });
    return value as number[];
  }
}
