/**
 * ConceptCodec: the one object the rest of the tool uses to turn sentences into concepts and back.
 * Loads a codec model directory (manifest, tokenizer, encoder; the decoder on first use, so encoding
 * never pays for it), serves encodes from the on-disk cache when it can, and checks languages against
 * what the model declares. A codec with language maps (language-maps.ts) moves every language's concepts
 * into the shared space right after encoding and out of it right before decoding, so everything between
 * (the cache, the LCMs, grounding) sees one space.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { resolveLanguage } from "../languages/languages.js";
import { type CodecManifest, ManifestError, readManifest } from "../models/manifest.js";
import { checkFileSizes } from "../models/model-files.js";
import { ModelFileError, type SessionOptions } from "../models/onnx-session.js";
import type { ProgressOptions } from "./codec-types.js";
import { ConceptDecoder, type DecodedSentence, type DecodeOptions } from "./decoder.js";
import { EmbeddingCache } from "./embedding-cache.js";
import { ConceptEncoder, type EncodeResult, type EncoderBatching } from "./encoder.js";
import { LanguageMaps } from "./language-maps.js";
import { SonarTokenizer } from "./tokenizer.js";

export interface CodecOptions extends SessionOptions {
  /** The on-disk concept cache; false turns it off (`--no-cache`). Default: the user's cache dir. */
  cache?: EmbeddingCache | false;
  batching?: Partial<EncoderBatching>;
}

export interface CodecEncodeResult extends EncodeResult {
  /** How many texts came from the cache. */
  cacheHits: number;
}

export class ConceptCodec {
  private decoderLoad: Promise<ConceptDecoder> | null = null;

  private constructor(
    readonly manifest: CodecManifest,
    readonly tokenizer: SonarTokenizer,
    readonly encoder: ConceptEncoder,
    private readonly maps: LanguageMaps | null,
    /** Identifies this codec's concept space: name, version, and the encoder's and language maps' file size and mtime. */
    readonly id: string,
    private readonly cache: EmbeddingCache | null,
    private readonly options: CodecOptions,
  ) {}

  /** Loads from a model directory or an already-read manifest. */
  static async load(source: string | CodecManifest, options: CodecOptions = {}): Promise<ConceptCodec> {
    const manifest = typeof source === "string" ? await readManifest(source) : source;
    if (manifest.kind !== "codec")
      throw new ManifestError(`${manifest.path}: is a '${manifest.kind}' model, not a codec`);
    await checkFileSizes(manifest);
    const tokenizer = await loadTokenizer(manifest);
    const encoder = await ConceptEncoder.load(manifest, tokenizer, options);
    const maps = await LanguageMaps.load(manifest);
    const id = await codecId(manifest);
    const cache = options.cache === false ? null : (options.cache ?? new EmbeddingCache());
    return new ConceptCodec(manifest, tokenizer, encoder, maps, id, cache, options);
  }

  get name(): string {
    return this.manifest.name;
  }

  get dim(): number {
    return this.manifest.embeddingDim;
  }

  get languages(): readonly string[] {
    return this.manifest.languages;
  }

  /**
   * The declared language `input` names ("eng_latn" and "eng-Latn" become "eng_Latn"); a UsageError
   * suggesting the closest declared codes otherwise.
   */
  resolveLanguage(input: string): string {
    return resolveLanguage(input, this.manifest.languages);
  }

  /** Sentences -> concepts (input order), from the cache where possible. */
  async encode(
    texts: readonly string[],
    input: string,
    options: ProgressOptions = {},
  ): Promise<CodecEncodeResult> {
    const lang = this.resolveLanguage(input);
    if (!this.cache) return { ...(await this.encodeShared(texts, lang, options)), cacheHits: 0 };
    const cached = await this.cache.lookup(this.id, lang, texts, this.dim);
    const missing = texts.map((_, i) => i).filter((i) => !cached.has(i));
    const fresh = await this.encodeShared(
      missing.map((i) => texts[i]),
      lang,
      {
        signal: options.signal,
        onProgress: options.onProgress && ((done) => options.onProgress!(cached.size + done, texts.length)),
      },
    );
    const vectors: Float32Array[] = new Array(texts.length);
    const truncatedSet = new Set(fresh.truncated.map((k) => missing[k]));
    for (const [i, entry] of cached) {
      vectors[i] = entry.vector;
      if (entry.truncated) truncatedSet.add(i);
    }
    missing.forEach((i, k) => {
      vectors[i] = fresh.vectors[k];
    });
    await this.cache.store(
      this.id,
      lang,
      missing.map((i, k) => ({ text: texts[i], vector: fresh.vectors[k], truncated: truncatedSet.has(i) })),
      this.dim,
    );
    if (missing.length === 0) options.onProgress?.(texts.length, texts.length);
    const truncated = [...truncatedSet].sort((a, b) => a - b);
    return { vectors, dim: this.dim, truncated, cacheHits: cached.size };
  }

  /** The encoder's concepts, moved into the shared space where the codec has maps. */
  private async encodeShared(
    texts: readonly string[],
    lang: string,
    options: ProgressOptions,
  ): Promise<EncodeResult> {
    const result = await this.encoder.encode(texts, lang, options);
    return this.maps ? { ...result, vectors: this.maps.toShared(lang, result.vectors) } : result;
  }

  /** Concepts -> text in `lang`. */
  async decode(
    embeddings: readonly Float32Array[],
    input: string,
    options: DecodeOptions = {},
  ): Promise<DecodedSentence[]> {
    const lang = this.resolveLanguage(input);
    const local = this.maps ? this.maps.fromShared(lang, embeddings) : embeddings;
    return (await this.decoder()).decode(local, lang, options);
  }

  /** The decoder, loaded on first use. */
  decoder(): Promise<ConceptDecoder> {
    this.decoderLoad ??= ConceptDecoder.load(this.manifest, this.tokenizer, this.options);
    return this.decoderLoad;
  }

  async release(): Promise<void> {
    await this.encoder.release();
    if (this.decoderLoad) await (await this.decoderLoad).release();
  }
}

async function loadTokenizer(manifest: CodecManifest): Promise<SonarTokenizer> {
  const path = join(manifest.dir, manifest.tokenizer.file);
  const tokenizer = await SonarTokenizer.load(path, manifest.tokenizer, {
    languages: manifest.languages,
    source: path,
  });
  if (tokenizer.vocabSize > manifest.decoder.vocabSize) {
    throw new ModelFileError(
      `${path}: needs ${tokenizer.vocabSize} ids (pieces, offset and tags), more than the decoder's vocab_size ${manifest.decoder.vocabSize}`,
    );
  }
  return tokenizer;
}

async function codecId(manifest: CodecManifest): Promise<string> {
  const info = await stat(join(manifest.dir, manifest.encoder.file));
  // New maps move the concepts as much as a new encoder does: cached concepts must not outlive them.
  const maps = manifest.alignment ? await stat(join(manifest.dir, manifest.alignment.file)) : null;
  const hash = createHash("sha256")
    .update(
      JSON.stringify([
        manifest.name,
        manifest.version,
        manifest.tokenizer,
        info.size,
        info.mtimeMs,
        ...(maps ? [maps.size, maps.mtimeMs] : []),
      ]),
    )
    .digest("hex")
    .slice(0, 16);
  return `${manifest.name}-${manifest.version}-${hash}`;
}
