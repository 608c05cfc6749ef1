/**
 * manifest.json: what a model directory holds and promises. Two kinds share the file name:
 *
 *   codec  the concept encoder/decoder (training/codec/export_onnx.py writes it; see docs/architecture.md, Models)
 *   lcm    a Large Concept Model, which declares the codec (name + embedding dim) it was trained on
 *
 * Parsing checks every field the runtime relies on and says which one is wrong, with the file's path,
 * so a hand-edited or half-copied model gives one clear line instead of a failure deep in inference.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../util/errors.js";

/** A manifest that is missing, unreadable or malformed. The model directory is user input: exit 2. */
export class ManifestError extends UsageError {}

export interface SpecialIds {
  pad: number;
  unk: number;
  bos: number;
  eos: number;
}

export interface TokenizerSpec {
  file: string;
  type: "sentencepiece";
  /** Added to every SentencePiece id to get the model's id (1 for fairseq2's NLLB layout, else 0). */
  pieceOffset: number;
  specialIds: SpecialIds;
  /** How a language code becomes its tag token, e.g. "__{lang}__". */
  langTagFormat: string;
  /** Tags that are not pieces of the SentencePiece model: "nllb200" or explicit ids (see tokenizer.ts). */
  langTagIds?: Record<string, number> | "nllb200";
}

export interface EncoderSpec {
  file: string;
  /** Longest input in tokens, language tag and </s> included. */
  maxTokens: number;
  inputs: { inputIds: string; attentionMask: string };
  output: string;
}

export interface DecoderSpec {
  file: string;
  layers: number;
  heads: number;
  headDim: number;
  vocabSize: number;
  /** Longest output the model was trained on, in tokens. */
  maxTokens: number;
  /**
   * Beam width used when the caller names none ("decoder.default_beam", else 5, the paper's). A codec
   * whose beam search measures no better than greedy decoding can say 1 and decode ~5x faster.
   */
  defaultBeam: number;
  /**
   * "decoder.int8_matmul": the graph's int8 weights each feed one MatMul, so onnxruntime should run
   * them with int8 kernels rather than fold them to fp32 at load (see training/codec/int8_graph.py).
   */
  int8Matmul: boolean;
  inputs: { inputIds: string; embedding: string; pastKey: string; pastValue: string };
  outputs: { logits: string; presentKey: string; presentValue: string };
}

/**
 * "alignment": per-language maps onto the shared concept space (src/codec/language-maps.ts). Optional:
 * a codec whose encoder already places every language in one space (SONAR) has none.
 */
export interface AlignmentSpec {
  file: string;
  dtype: "float16" | "float32";
  hidden: number;
  /** Languages with maps; the others (English first of all) pass through unchanged. */
  languages: string[];
}

interface ManifestCommon {
  name: string;
  version: string;
  /** The directory the manifest was read from. */
  dir: string;
  /** The manifest's own path, for messages. */
  path: string;
  /** The parsed JSON as written, for `lcm models info`. */
  raw: Record<string, unknown>;
}

export interface CodecManifest extends ManifestCommon {
  kind: "codec";
  embeddingDim: number;
  languages: string[];
  tokenizer: TokenizerSpec;
  encoder: EncoderSpec;
  decoder: DecoderSpec;
  alignment: AlignmentSpec | null;
  weights: string | null;
  license: string | null;
}

export interface LcmManifest extends ManifestCommon {
  kind: "lcm";
  codec: { name: string; embeddingDim: number };
  license: string | null;
}

export type ModelManifest = CodecManifest | LcmManifest;

export const MANIFEST_FILE = "manifest.json";

export async function readManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ManifestError(`${path}: missing`);
    throw new ManifestError(`${path}: cannot read (${code ?? "unknown error"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseManifest(json, dir, path);
}

export function parseManifest(json: unknown, dir: string, path: string): ModelManifest {
  const r = new FieldReader(path);
  const root = r.object(json, "");
  const kind = r.string(root, "kind");
  const common = {
    name: r.string(root, "name"),
    version: r.versionString(root, "version"),
    dir,
    path,
    raw: root,
  };
  if (kind === "codec") return parseCodec(r, root, common);
  if (kind === "lcm") {
    const codec = r.object(root.codec, "codec");
    return {
      kind: "lcm",
      ...common,
      codec: {
        name: r.string(codec, "name", "codec."),
        embeddingDim: r.positiveInt(codec, "embedding_dim", "codec."),
      },
      license: r.optionalString(root, "license"),
    };
  }
  throw new ManifestError(`${path}: "kind" must be "codec" or "lcm", found ${JSON.stringify(kind)}`);
}

function parseCodec(r: FieldReader, root: Record<string, unknown>, common: ManifestCommon): CodecManifest {
  const embeddingDim = r.positiveInt(root, "embedding_dim");
  const languages = r.stringArray(root, "languages");
  if (languages.length === 0) r.fail(`"languages" is empty: a codec must declare at least one language`);

  const tok = r.object(root.tokenizer, "tokenizer");
  const tokType = r.string(tok, "type", "tokenizer.");
  if (tokType !== "sentencepiece") r.fail(`"tokenizer.type" must be "sentencepiece", found "${tokType}"`);
  const special = r.object(tok.special_ids, "tokenizer.special_ids");
  const specialIds = {
    pad: r.nonNegativeInt(special, "pad", "tokenizer.special_ids."),
    unk: r.nonNegativeInt(special, "unk", "tokenizer.special_ids."),
    bos: r.nonNegativeInt(special, "bos", "tokenizer.special_ids."),
    eos: r.nonNegativeInt(special, "eos", "tokenizer.special_ids."),
  };
  const langTagFormat = r.string(tok, "lang_tag_format", "tokenizer.");
  if (!langTagFormat.includes("{lang}")) r.fail(`"tokenizer.lang_tag_format" must contain {lang}`);
  const tokenizer: TokenizerSpec = {
    file: r.fileName(tok, "file", "tokenizer."),
    type: "sentencepiece",
    pieceOffset: tok.piece_offset === undefined ? 0 : r.nonNegativeInt(tok, "piece_offset", "tokenizer."),
    specialIds,
    langTagFormat,
  };
  if (tok.lang_tag_ids !== undefined) tokenizer.langTagIds = r.langTagIds(tok.lang_tag_ids);

  const enc = r.object(root.encoder, "encoder");
  const encInputs = r.names(enc, "inputs", "encoder.", 2);
  const encoder: EncoderSpec = {
    file: r.fileName(enc, "file", "encoder."),
    maxTokens: r.positiveInt(enc, "max_tokens", "encoder."),
    inputs: { inputIds: encInputs[0], attentionMask: encInputs[1] },
    output: r.string(enc, "output", "encoder."),
  };
  if (encoder.maxTokens < 3) r.fail(`"encoder.max_tokens" must leave room for a tag, a piece and </s>`);

  const dec = r.object(root.decoder, "decoder");
  const decInputs = r.names(dec, "inputs", "decoder.", 4);
  const decOutputs = r.names(dec, "outputs", "decoder.", 3);
  const decoder: DecoderSpec = {
    file: r.fileName(dec, "file", "decoder."),
    layers: r.positiveInt(dec, "layers", "decoder."),
    heads: r.positiveInt(dec, "heads", "decoder."),
    headDim: r.positiveInt(dec, "head_dim", "decoder."),
    vocabSize: r.positiveInt(dec, "vocab_size", "decoder."),
    maxTokens: r.positiveInt(dec, "max_tokens", "decoder."),
    defaultBeam: dec.default_beam === undefined ? 5 : r.positiveInt(dec, "default_beam", "decoder."),
    int8Matmul: r.optionalBoolean(dec, "int8_matmul", "decoder.") ?? false,
    inputs: {
      inputIds: decInputs[0],
      embedding: decInputs[1],
      pastKey: decInputs[2],
      pastValue: decInputs[3],
    },
    outputs: { logits: decOutputs[0], presentKey: decOutputs[1], presentValue: decOutputs[2] },
  };
  for (const [name, id] of Object.entries(specialIds)) {
    if (id >= decoder.vocabSize) {
      r.fail(
        `"tokenizer.special_ids.${name}" is ${id}, outside the vocabulary (decoder.vocab_size ${decoder.vocabSize})`,
      );
    }
  }
  return {
    kind: "codec",
    ...common,
    embeddingDim,
    languages,
    tokenizer,
    encoder,
    decoder,
    alignment: root.alignment === undefined ? null : parseAlignment(r, root.alignment, languages),
    weights: r.optionalString(root, "weights"),
    license: r.optionalString(root, "license"),
  };
}

function parseAlignment(r: FieldReader, value: unknown, declared: string[]): AlignmentSpec {
  const a = r.object(value, "alignment");
  const dtype = r.string(a, "dtype", "alignment.");
  if (dtype !== "float16" && dtype !== "float32") {
    r.fail(`"alignment.dtype" must be "float16" or "float32", found "${dtype}"`);
  }
  const languages = r.stringArray(a, "languages", "alignment.");
  for (const lang of languages) {
    if (!declared.includes(lang))
      r.fail(`"alignment.languages" lists ${lang}, which "languages" does not declare`);
  }
  return {
    file: r.fileName(a, "file", "alignment."),
    dtype,
    hidden: r.positiveInt(a, "hidden", "alignment."),
    languages,
  };
}

/** Typed field access that fails with `PATH: "field" ...` messages. */
class FieldReader {
  constructor(private readonly path: string) {}

  fail(message: string): never {
    throw new ManifestError(`${this.path}: ${message}`);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === undefined && field !== "") this.fail(`"${field}" is missing`);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(field === "" ? "must hold a JSON object" : `"${field}" must be an object`);
    }
    return value as Record<string, unknown>;
  }

  private get(obj: Record<string, unknown>, key: string, prefix: string): unknown {
    const value = obj[key];
    if (value === undefined || value === null) this.fail(`"${prefix}${key}" is missing`);
    return value;
  }

  string(obj: Record<string, unknown>, key: string, prefix = ""): string {
    const value = this.get(obj, key, prefix);
    if (typeof value !== "string" || value.trim() === "")
      this.fail(`"${prefix}${key}" must be a non-empty string`);
    return value;
  }

  /** Versions are strings, but a bare number is accepted and kept as written. */
  versionString(obj: Record<string, unknown>, key: string): string {
    const value = this.get(obj, key, "");
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    return this.string(obj, key);
  }

  optionalString(obj: Record<string, unknown>, key: string): string | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") this.fail(`"${key}" must be a string`);
    return value;
  }

  optionalBoolean(obj: Record<string, unknown>, key: string, prefix = ""): boolean | null {
    const value = obj[key];
    if (value === undefined || value === null) return null;
    if (typeof value !== "boolean") this.fail(`"${prefix}${key}" must be true or false`);
    return value;
  }

  /** A file inside the model directory: no absolute paths, no climbing out. */
  fileName(obj: Record<string, unknown>, key: string, prefix: string): string {
    const value = this.string(obj, key, prefix);
    if (value.startsWith("/") || value.split(/[\\/]/).includes("..")) {
      this.fail(`"${prefix}${key}" must name a file inside the model directory, found "${value}"`);
    }
    return value;
  }

  private integer(obj: Record<string, unknown>, key: string, prefix: string, min: number): number {
    const value = this.get(obj, key, prefix);
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      this.fail(`"${prefix}${key}" must be an integer >= ${min}, found ${JSON.stringify(value)}`);
    }
    return value;
  }

  positiveInt(obj: Record<string, unknown>, key: string, prefix = ""): number {
    return this.integer(obj, key, prefix, 1);
  }

  nonNegativeInt(obj: Record<string, unknown>, key: string, prefix = ""): number {
    return this.integer(obj, key, prefix, 0);
  }

  stringArray(obj: Record<string, unknown>, key: string, prefix = ""): string[] {
    const value = this.get(obj, key, prefix);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
      this.fail(`"${prefix}${key}" must be an array of non-empty strings`);
    }
    return value as string[];
  }

  langTagIds(value: unknown): Record<string, number> | "nllb200" {
    if (value === "nllb200") return value;
    const obj = this.object(value, "tokenizer.lang_tag_ids");
    for (const [lang, id] of Object.entries(obj)) {
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
        this.fail(`"tokenizer.lang_tag_ids.${lang}" must be an integer >= 0, found ${JSON.stringify(id)}`);
      }
    }
    return obj as Record<string, number>;
  }

  /** Graph input/output names, in the contract's order. */
  names(obj: Record<string, unknown>, key: string, prefix: string, count: number): string[] {
    const names = this.stringArray(obj, key, prefix);
    if (names.length !== count)
      this.fail(`"${prefix}${key}" must list ${count} names, found ${names.length}`);
    return names;
  }
}

/**
 * An LCM works only in the concept space it was trained on. Refuses a pairing with another codec,
 * naming both sides.
 */
export function checkLcmCodecPairing(lcm: LcmManifest, codec: CodecManifest): void {
  if (lcm.codec.name !== codec.name) {
    throw new ManifestError(
      `${lcm.path}: the LCM '${lcm.name}' was trained on codec '${lcm.codec.name}', but the codec in use is '${codec.name}' (${codec.path})`,
    );
  }
  if (lcm.codec.embeddingDim !== codec.embeddingDim) {
    throw new ManifestError(
      `${lcm.path}: the LCM '${lcm.name}' expects ${lcm.codec.embeddingDim}-d concepts, but codec '${codec.name}' makes ${codec.embeddingDim}-d ones`,
    );
  }
}
