/**
 * The request fields: every setting a caller may give a task (sampler, decoder, grounding, summary
 * length, outline), defined once with its type, bounds and help. The CLI builds its flags from this
 * table (cli/field-options.ts), the server reads params with it (server/params.ts `optionalField`), and the
 * library checks the requests it is given against it (lcm/settings.ts, tasks/summarize.ts and
 * tasks/expand-outline.ts; codec/decoder.ts itself is a primitive that takes any beam),
 * so a request is accepted or refused the same way everywhere, in the same words:
 *   CLI     lcm: --steps must be a whole number in 1..10000, got '0'
 *   server  Invalid params: params.steps must be a whole number in 1..10000, got 0
 *   library steps must be a whole number in 1..10000, got 0
 *
 * The bounds are the server protocol's (docs/protocol.md): wide enough for every sensible request,
 * narrow enough that a typo fails at once instead of running for an hour (10000 diffusion steps is
 * already past any model's training schedule; a beam wider than 16 only multiplies decoding time).
 * Model-dependent limits (steps up to the model's training steps, a summary that fits the context)
 * are checked where the model is known, after these.
 *
 * Pure data and checks (the only import is the error type), so every layer may use it.
 */
import { UsageError } from "../util/errors.js";

/** The paper's defaults the help text quotes (lcm/spec.ts PAPER_DEFAULTS has this shape). */
export interface HelpDefaults {
  steps: number;
  guidance: number;
  guidanceRescale: number;
  initialNoise: number;
  epsilonScaling: number;
}

interface FieldBase {
  /** The option's name in the library (GenerationOptions, DecodeOptions, SummarizeOptions, ...). */
  key: string;
  /** The server's param name (inside `params.decode` for the decoder fields). */
  param: string;
  /** How the library names it in a message ("guidance rescale must be ..."). */
  label: string;
  /** The CLI flag, as commander spells it ("--steps <n>"); absent: not a flag. */
  flag?: string;
  /** The flag's help line. */
  help?: string | ((defaults: HelpDefaults) => string);
  /**
   * The models (values of the `model` field) the setting applies to; absent: every model. Given for
   * another model, it is refused (checkFieldModel) rather than silently ignored.
   */
  models?: ModelGroup;
}

/** Models that share settings: their `model` names (aliases included) and how a message names them. */
export interface ModelGroup {
  readonly names: readonly string[];
  readonly label: string;
}

/** A whole number in min..max. */
export interface IntField extends FieldBase {
  kind: "int";
  min: number;
  max: number;
}

/** A finite number in [min, max] ((min, max] when `exclusiveMin`). */
export interface NumberField extends FieldBase {
  kind: "number";
  min: number;
  max: number;
  exclusiveMin?: boolean;
}

/** One of a few names. */
export interface EnumField<T extends string = string> extends FieldBase {
  kind: "enum";
  choices: readonly T[];
  /** The CLI's default, shown in --help. */
  flagDefault?: T;
}

/** true or false; the CLI has the flag and, when `negation` is set, its --no- form. */
export interface BooleanField extends FieldBase {
  kind: "boolean";
  negation?: { flag: string; help: string };
}

export type Field = IntField | NumberField | EnumField | BooleanField;

const MAX_SEED = 0xffffffff;

/**
 * The models a request may choose (`--model`, params.model, the TUI's form): one per LCM family
 * (lcm/spec.ts LcmFamily), `diffusion` kept as the Two-Tower's older name, and the Base-LCM baseline
 * a Two-Tower directory may carry beside it. lcm/model-kinds.ts maps them onto the families.
 */
export const MODEL_NAMES = ["two-tower", "diffusion", "one-tower", "quant", "base"] as const;

/** The diffusion samplers' settings (steps, rescale, noise) apply to these. */
const DIFFUSION_MODELS: ModelGroup = {
  names: ["two-tower", "diffusion", "one-tower"],
  label: "the diffusion models (two-tower, one-tower)",
};

/** Classifier-free guidance: on the diffusion models' noise and on the Quant-LCM's logits. */
const GUIDED_MODELS: ModelGroup = {
  names: ["two-tower", "diffusion", "one-tower", "quant"],
  label: "the diffusion models and the Quant-LCM (two-tower, one-tower, quant)",
};

/** The Quant-LCM's unit draws (temperature, top-p, top-k). */
const QUANT_MODELS: ModelGroup = { names: ["quant"], label: "the Quant-LCM (quant)" };

export const FIELDS = {
  // The sampler (lcm/settings.ts GenerationOptions).
  model: {
    kind: "enum",
    key: "model",
    param: "model",
    label: "model",
    choices: MODEL_NAMES,
    flag: "--model <kind>",
    help:
      "two-tower (also: diffusion): the Two-Tower diffusion LCM; one-tower: the One-Tower diffusion " +
      "LCM; quant: the Quant-LCM (residual codebook units); base: the Base-LCM baseline (default: the " +
      "LCM's own; 'lcm models list' shows what each has)",
  },
  seed: {
    kind: "int",
    key: "seed",
    param: "seed",
    label: "seed",
    min: 0,
    max: MAX_SEED,
    flag: "--seed <n>",
    help: "seed of the diffusion noise (default 0); same seed, same output",
  },
  steps: {
    kind: "int",
    key: "steps",
    param: "steps",
    label: "steps",
    min: 1,
    max: 10_000,
    flag: "--steps <n>",
    help: (d) => `diffusion steps (default: the model's, paper ${d.steps})`,
    models: DIFFUSION_MODELS,
  },
  guidance: {
    kind: "number",
    key: "guidance",
    param: "guidance",
    label: "guidance",
    min: 0,
    max: 100,
    flag: "--guidance <g>",
    help: (d) => `classifier-free guidance scale, 1 = off (default: the model's, paper ${d.guidance})`,
    models: GUIDED_MODELS,
  },
  guidanceRescale: {
    kind: "number",
    key: "guidanceRescale",
    param: "guidanceRescale",
    label: "guidance rescale",
    min: 0,
    max: 1,
    flag: "--guidance-rescale <r>",
    help: (d) => `guidance rescale in [0, 1] (default: the model's, paper ${d.guidanceRescale})`,
    models: DIFFUSION_MODELS,
  },
  initialNoise: {
    kind: "number",
    key: "initialNoise",
    param: "initialNoise",
    label: "initial noise",
    min: 0,
    max: 100,
    exclusiveMin: true,
    flag: "--initial-noise <s>",
    help: (d) => `scale of the starting noise (default: the model's, paper ${d.initialNoise})`,
    models: DIFFUSION_MODELS,
  },
  epsilonScaling: {
    kind: "number",
    key: "epsilonScaling",
    param: "epsilonScaling",
    label: "epsilon scaling",
    min: 0,
    max: 100,
    exclusiveMin: true,
    flag: "--epsilon-scaling <e>",
    help: (d) =>
      `divide the predicted noise by this each step (default: the model's, paper ${d.epsilonScaling})`,
    models: DIFFUSION_MODELS,
  },
  temperature: {
    kind: "number",
    key: "temperature",
    param: "temperature",
    label: "temperature",
    min: 0,
    max: 100,
    flag: "--temperature <t>",
    help: "quant: softmax temperature of each codebook's unit draw, 0 = the most likely unit (default: the model's)",
    models: QUANT_MODELS,
  },
  topP: {
    kind: "number",
    key: "topP",
    param: "topP",
    label: "top-p",
    min: 0,
    max: 1,
    exclusiveMin: true,
    flag: "--top-p <p>",
    help: "quant: draw from the fewest most likely units holding this share of the probability (default: the model's)",
    models: QUANT_MODELS,
  },
  topK: {
    kind: "int",
    key: "topK",
    param: "topK",
    label: "top-k",
    min: 0,
    max: 1_000_000,
    flag: "--top-k <k>",
    help: "quant: draw from the k most likely units, 0 = all (default: the model's)",
    models: QUANT_MODELS,
  },
  eotThreshold: {
    kind: "number",
    key: "eotThreshold",
    param: "eotThreshold",
    label: "end-of-text threshold",
    min: -1,
    max: 1,
  },
  repeatThreshold: {
    kind: "number",
    key: "repeatThreshold",
    param: "repeatThreshold",
    label: "repetition threshold",
    min: -1,
    max: 1,
  },
  // The text decoder (codec/decoder.ts DecodeOptions; the server's params.decode).
  beam: {
    kind: "int",
    key: "beam",
    param: "beam",
    label: "beam",
    min: 1,
    max: 16,
    flag: "--beam <k>",
    help: "beam width of the decoder (default: the codec's, 5 if it names none)",
  },
  maxTokens: {
    kind: "int",
    key: "maxNewTokens",
    param: "maxTokens",
    label: "max new tokens",
    min: 1,
    max: 1024,
    flag: "--max-tokens <n>",
    help: "longest output per concept, in tokens",
  },
  // Grounding (tasks/render.ts).
  grounded: {
    kind: "boolean",
    key: "grounded",
    param: "grounded",
    label: "grounded",
    flag: "--grounded",
    help:
      "the default: show each generated concept as the source sentence it restates (marked [sN]); " +
      "chosen by measurement: on held-out news and dialogues ROUGE-L 27.2 vs 14.3 for the decoder's own " +
      "renderings (models/default/README.md)",
    negation: {
      flag: "--no-grounded",
      help:
        "show the decoder's own rendering of every concept (abstractive, but with the bundled models " +
        "often off-topic); renderings far from their concept and from the source are withheld",
    },
  },
  groundingThreshold: {
    kind: "number",
    key: "groundingThreshold",
    param: "groundingThreshold",
    label: "the grounding threshold",
    min: -1,
    max: 1,
    flag: "--grounding-threshold <x>",
    help: "cosine a concept needs to its nearest source sentence to be shown as it (default: the model's, else 0.6)",
  },
  salience: {
    kind: "number",
    key: "salience",
    param: "salience",
    label: "the salience weight",
    min: 0,
    max: 10,
    flag: "--salience <w>",
    help:
      "grounded: weight of the salience prior added to each source sentence's cosine to the concept the " +
      "LCM generated when picking the sentence to show: the learned head's probability that the sentence " +
      "belongs in a summary (the bundled model's), or its centrality (cosine to the document's mean " +
      "concept) for a model without one (default: the model's; the bundled model's 3 was chosen on the " +
      "dev splits; 0: the nearest sentence to each concept)",
  },
  salienceLength: {
    kind: "number",
    key: "salienceLength",
    param: "salienceLength",
    label: "the salience length exponent",
    min: 0,
    max: 4,
    flag: "--salience-length <p>",
    help:
      "grounded: scale each source sentence's salience prior by (its length / the document's mean sentence " +
      "length)^p, so that of two equally salient sentences the one that says more is preferred; 0: off " +
      "(default: the model's; the bundled model's 0.5 was chosen on the dev splits)",
  },
  reencode: {
    kind: "boolean",
    key: "reencode",
    param: "reencode",
    label: "re-encoding",
    flag: "--reencode",
    help:
      "go on generating from what the reader is shown: grounded, the source sentence shown for each " +
      "concept; otherwise the decoder's text, encoded again (slower; no gain measured on the dev split)",
  },
  // A summary's length (tasks/summarize.ts).
  maxConcepts: {
    kind: "int",
    key: "maxConcepts",
    param: "maxConcepts",
    label: "the maximum number of concepts",
    min: 1,
    max: 10_000,
    flag: "-n, --max-concepts <n>",
    help: "summary length, in concepts (sentences)",
  },
  minConcepts: {
    kind: "int",
    key: "minConcepts",
    param: "minConcepts",
    label: "the minimum number of concepts",
    min: 1,
    max: 10_000,
    flag: "--min-concepts <n>",
    help: "let the stop rules end the summary after N concepts (default: none before the length asked for)",
  },
  length: {
    kind: "enum",
    key: "length",
    param: "length",
    label: "length",
    choices: ["short", "medium", "long"] as const,
    flag: "--length <preset>",
    help: "summary length relative to the document (default: medium)",
  },
  // The outline (planner/build-outline.ts).
  maxChars: {
    kind: "int",
    key: "maxChars",
    param: "maxChars",
    label: "max chars",
    min: 16,
    max: 100_000,
    flag: "--max-chars <n>",
    help: "longest concept in characters",
  },
} as const satisfies Record<string, Field>;

/** The sampler's fields, in the order the library checks them and the server reads them. */
export const SAMPLER_FIELDS = [
  FIELDS.model,
  FIELDS.seed,
  FIELDS.steps,
  FIELDS.guidance,
  FIELDS.guidanceRescale,
  FIELDS.initialNoise,
  FIELDS.epsilonScaling,
  FIELDS.temperature,
  FIELDS.topP,
  FIELDS.topK,
  FIELDS.eotThreshold,
  FIELDS.repeatThreshold,
] as const;

/** What a value must be, as every message says it: "a whole number in 1..16", "a number in (0, 100]". */
export function mustBe(field: Field): string {
  switch (field.kind) {
    case "int":
      return `a whole number in ${field.min}..${field.max}`;
    case "number":
      return `a number in ${field.exclusiveMin ? "(" : "["}${field.min}, ${field.max}]`;
    case "enum":
      return `one of ${field.choices.join(", ")}`;
    case "boolean":
      return "true or false";
  }
}

/** Whether a value (a JS value, already parsed) is one the field accepts. */
export function isValid(field: Field, value: unknown): boolean {
  switch (field.kind) {
    case "int":
      return typeof value === "number" && Number.isInteger(value) && value >= field.min && value <= field.max;
    case "number":
      return (
        typeof value === "number" &&
        Number.isFinite(value) &&
        (field.exclusiveMin ? value > field.min : value >= field.min) &&
        value <= field.max
      );
    case "enum":
      return typeof value === "string" && (field.choices as readonly string[]).includes(value);
    case "boolean":
      return typeof value === "boolean";
  }
}

/** The library's check: a UsageError naming the field by its label ("initial noise must be ..."). */
export function checkField(field: Field, value: unknown): void {
  if (!isValid(field, value)) throw new UsageError(`${field.label} must be ${mustBe(field)}, got ${value}`);
}

/**
 * The library's check that a setting given in a request applies to the model that runs: the diffusion
 * settings are refused for the Base-LCM ("guidance applies to the diffusion models (two-tower,
 * one-tower), not to model base"). Undefined (not given) passes.
 */
export function checkFieldModel(field: Field, value: unknown, model: string): void {
  if (value === undefined || field.models === undefined || field.models.names.includes(model)) return;
  throw new UsageError(`${field.label} applies to ${field.models.label}, not to model ${model}`);
}

/** checkField for an optional value: undefined passes. */
export function checkOptionalField(field: Field, value: unknown): void {
  if (value !== undefined) checkField(field, value);
}

/** The library's check of a request's decoder options (summarize's and expand's `decode`). */
export function checkDecodeFields(decode: { beam?: number; maxNewTokens?: number } | undefined): void {
  checkOptionalField(FIELDS.beam, decode?.beam);
  checkOptionalField(FIELDS.maxTokens, decode?.maxNewTokens);
}

/**
 * A command-line value as the field's type, or undefined when it is not one. Numbers are read as
 * JavaScript reads them ("1e3" is 1000); a blank whole number is not 0.
 */
export function parseFieldText(field: Field, text: string): unknown {
  switch (field.kind) {
    case "int": {
      const n = text.trim() === "" ? Number.NaN : Number(text);
      return isValid(field, n) ? n : undefined;
    }
    case "number": {
      const n = Number(text);
      return isValid(field, n) ? n : undefined;
    }
    case "enum":
      return isValid(field, text) ? text : undefined;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
  }
}

/** The JS type of a field's value. */
export type FieldValue<F extends Field> = F extends { kind: "int" | "number" }
  ? number
  : F extends { kind: "boolean" }
    ? boolean
    : F extends { choices: readonly (infer T)[] }
      ? T
      : never;
