/**
 * SonarTokenizer: a SentencePiece model seen through a codec's id conventions. It turns text into
 * the ids a SONAR-style encoder reads (`[lang tag] pieces </s>`), gives the decoder's prefix
 * (`</s> [lang tag]`) and turns generated ids back into text.
 *
 * Two layouts are covered by the same options:
 *  - our own codec: the tokenizer was trained with pad=0 unk=1 bos=2 eos=3 and language tags
 *    (`__eng_Latn__`) as user-defined pieces, so model ids are SentencePiece ids (offset 0);
 *  - Meta's NLLB/SONAR tokenizer (sentencepiece.source.256000.model): model id = SentencePiece id + 1,
 *    the four special ids are fixed (fairseq2 pad 0, unk 1, bos 2, eos 3; Hugging Face bos 0, pad 1,
 *    eos 2, unk 3) and the 202 language tags are appended after the vocabulary (256001 + card index,
 *    eng_Latn = 256047); they are not pieces of the .model file.
 *
 * Options as a manifest.json "tokenizer" section holds them (snake_case on disk; manifest.ts reads
 * them into the camelCase fields of SonarTokenizerSpec):
 *
 *   "tokenizer": {
 *     "file": "tokenizer.model",          SentencePiece model, relative to the model directory
 *     "type": "sentencepiece",
 *     "special_ids": { "pad": 0, "unk": 1, "bos": 2, "eos": 3 },   ids in the model's id space
 *     "piece_offset": 0,                  model id = SentencePiece id + piece_offset (NLLB: 1)
 *     "lang_tag_format": "__{lang}__",    the tag token of a language
 *     "lang_tag_ids": "nllb200"           optional: tags that are not pieces of the model, either
 *                                         "nllb200" (NLLB-200's 202 tags, 256001 + card order) or
 *                                         an object { "eng_Latn": 256047, ... }
 *   }
 *
 * Our own codec's manifest: special_ids 0/1/2/3, piece_offset 0, no lang_tag_ids.
 * Real SONAR, fairseq2 ids: special_ids { pad 0, unk 1, bos 2, eos 3 }, piece_offset 1,
 * lang_tag_ids "nllb200". Hugging Face ids: the same with special_ids { bos 0, pad 1, eos 2, unk 3 }.
 */
import { readFile } from "node:fs/promises";
import { resolveLanguage, SONAR_LANGUAGE_CODES } from "../languages/languages.js";
import { UsageError } from "../util/errors.js";
import type { CodecTokenizer } from "./codec-types.js";
import { PieceType, SentencePieceProcessor } from "./sentencepiece/index.js";

export interface SpecialIds {
  pad: number;
  unk: number;
  bos: number;
  eos: number;
}

export interface SonarTokenizerSpec {
  pieceOffset: number;
  specialIds: SpecialIds;
  /** How a language code becomes its tag token, e.g. "__{lang}__". */
  langTagFormat: string;
  /** Tags that are not pieces of the SentencePiece model (see the file comment). */
  langTagIds?: Readonly<Record<string, number>> | "nllb200";
}

export interface SonarTokenizerContext {
  /** Only these languages are accepted (a manifest's declared languages); default: every tag found. */
  languages?: readonly string[];
  /** The tokenizer file as the user should see it in messages. */
  source?: string;
}

/** First id of NLLB-200's language tags (fairseq2 and Hugging Face alike). */
export const NLLB_LANG_TAG_BASE = 256001;

/** NLLB-200's language tag ids: 256001 + the language's index in SONAR's card order. */
export function nllbLangTagIds(): Record<string, number> {
  return Object.fromEntries(SONAR_LANGUAGE_CODES.map((code, i) => [code, NLLB_LANG_TAG_BASE + i]));
}

export interface EncoderInput {
  /** `[lang tag] pieces </s>`, at most maxTokens long. */
  ids: number[];
  /** Whether pieces were dropped to fit maxTokens. */
  truncated: boolean;
}

export class SonarTokenizer implements CodecTokenizer {
  readonly specialIds: Readonly<SpecialIds>;
  /** Languages with a tag, in a stable order. */
  readonly languages: readonly string[];
  /** Size of the model's id space: pieces, tags and special ids. */
  readonly vocabSize: number;
  private readonly offset: number;
  private readonly tagIds = new Map<string, number>();
  /** Ids decode() drops: special ids except <unk>, and every language tag. */
  private readonly hidden = new Set<number>();
  private readonly source: string;

  constructor(
    readonly processor: SentencePieceProcessor,
    spec: SonarTokenizerSpec,
    context: SonarTokenizerContext = {},
  ) {
    this.source = context.source ?? "tokenizer";
    this.offset = spec.pieceOffset;
    this.specialIds = { ...spec.specialIds };
    if (!Number.isInteger(this.offset) || this.offset < 0)
      this.fail(`piece_offset must be a non-negative integer`);
    this.checkSpecialIds();
    if (!spec.langTagFormat.includes("{lang}")) this.fail(`lang_tag_format must contain {lang}`);

    const explicit = spec.langTagIds === "nllb200" ? nllbLangTagIds() : spec.langTagIds;
    const wanted =
      context.languages ?? (explicit ? Object.keys(explicit) : this.tagsInModel(spec.langTagFormat));
    for (const lang of wanted) {
      const id = explicit ? explicit[lang] : this.tagPieceId(spec.langTagFormat, lang);
      if (id === undefined) this.fail(`no tag id for language ${lang} (lang_tag_ids lacks it)`);
      this.checkTagId(lang, id);
      this.tagIds.set(lang, id);
      this.hidden.add(id);
    }
    for (const [name, id] of Object.entries(this.specialIds)) if (name !== "unk") this.hidden.add(id);
    this.languages = [...this.tagIds.keys()];
    this.vocabSize = Math.max(
      processor.vocabSize + this.offset,
      ...[...this.tagIds.values()].map((id) => id + 1),
      ...Object.values(this.specialIds).map((id) => id + 1),
    );
  }

  /** Loads the SentencePiece file; a missing or malformed file is a UsageError naming it. */
  static async load(
    path: string,
    spec: SonarTokenizerSpec,
    context: SonarTokenizerContext = {},
  ): Promise<SonarTokenizer> {
    const source = context.source ?? path;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `${source}: ${code === "ENOENT" ? "missing" : `cannot read (${code ?? "unknown error"})`}`,
      );
    }
    return SonarTokenizer.fromBytes(bytes, spec, { ...context, source });
  }

  static fromBytes(
    bytes: Uint8Array,
    spec: SonarTokenizerSpec,
    context: SonarTokenizerContext = {},
  ): SonarTokenizer {
    const source = context.source ?? "tokenizer";
    let processor: SentencePieceProcessor;
    try {
      processor = SentencePieceProcessor.fromBytes(bytes);
    } catch (error) {
      throw new UsageError(`${source}: not a valid SentencePiece model (${(error as Error).message})`);
    }
    return new SonarTokenizer(processor, spec, { ...context, source });
  }

  /** Text -> model ids, without the language tag and </s>. */
  encode(text: string): number[] {
    const ids = this.processor.encode(text);
    const spmUnk = this.processor.unkId;
    const unk = this.specialIds.unk;
    const offset = this.offset;
    for (let i = 0; i < ids.length; i++) ids[i] = ids[i] === spmUnk ? unk : ids[i] + offset;
    return ids;
  }

  /** The id of a language's tag; a UsageError with the closest codes for a language it lacks. */
  langTagId(lang: string): number {
    const id = this.tagIds.get(lang);
    if (id !== undefined) return id;
    return this.tagIds.get(resolveLanguage(lang, this.languages))!;
  }

  /** Ids of every language tag (a decoder must never generate them). */
  get tagTokenIds(): number[] {
    return [...this.tagIds.values()];
  }

  /**
   * Encoder input `[lang tag] pieces </s>` (SONAR's source layout). Longer inputs keep their first
   * pieces so that the whole fits `maxTokens` (tag and </s> included), and say so.
   */
  encodeForEncoder(text: string, lang: string, maxTokens = Number.POSITIVE_INFINITY): EncoderInput {
    if (maxTokens < 3) throw new RangeError(`maxTokens must be at least 3, got ${maxTokens}`);
    const tag = this.langTagId(lang);
    const pieces = this.encode(text);
    const room = maxTokens - 2;
    const truncated = pieces.length > room;
    const body = truncated ? pieces.slice(0, room) : pieces;
    return { ids: [tag, ...body, this.specialIds.eos], truncated };
  }

  /** Decoder prefix `[</s>, lang tag]` (SONAR's target layout). */
  decoderPrefix(lang: string): number[] {
    return [this.specialIds.eos, this.langTagId(lang)];
  }

  /**
   * Model ids -> text. Special ids and language tags are dropped, <unk> renders as SentencePiece
   * renders it (" ⁇ "), ids outside the piece range (e.g. NLLB's data tags) are dropped.
   */
  decode(ids: readonly number[]): string {
    const size = this.processor.vocabSize;
    const unk = this.specialIds.unk;
    const spmUnk = this.processor.unkId;
    const kept: number[] = [];
    for (const id of ids) {
      if (this.hidden.has(id)) continue;
      if (id === unk) {
        kept.push(spmUnk);
        continue;
      }
      const spmId = id - this.offset;
      if (spmId >= 0 && spmId < size) kept.push(spmId);
    }
    return this.processor.decode(kept);
  }

  private fail(message: string): never {
    throw new UsageError(`${this.source}: ${message}`);
  }

  /** The SentencePiece piece a model id stands for, or undefined outside the piece range. */
  private pieceAt(modelId: number): { piece: string; type: number } | undefined {
    const spmId = modelId - this.offset;
    if (spmId < 0 || spmId >= this.processor.vocabSize) return undefined;
    return this.processor.model.pieces[spmId];
  }

  /**
   * Special ids must be distinct, and one that falls on a SentencePiece id must be a control piece
   * or <unk>: otherwise the manifest and the tokenizer disagree and real text would be
   * read as padding or end of sentence.
   */
  private checkSpecialIds(): void {
    const entries = Object.entries(this.specialIds) as [keyof SpecialIds, number][];
    const seen = new Map<number, string>();
    for (const [name, id] of entries) {
      if (!Number.isInteger(id) || id < 0)
        this.fail(`special id ${name} must be a non-negative integer, got ${id}`);
      const other = seen.get(id);
      if (other !== undefined) this.fail(`special ids ${other} and ${name} are both ${id}`);
      seen.set(id, name);
      const piece = this.pieceAt(id);
      if (piece === undefined) continue;
      if (name === "unk" && this.offset === 0) {
        // Ids are SentencePiece ids here, so unk must be the model's own <unk>. (With an offset the
        // special ids are a range of their own, as in Hugging Face's NLLB, where unk 3 is </s>'s slot.)
        if (id !== this.processor.unkId) {
          this.fail(
            `special id unk is ${id}, but the model's <unk> is ${this.processor.unkId + this.offset}`,
          );
        }
      } else if (piece.type !== PieceType.CONTROL && piece.type !== PieceType.UNKNOWN) {
        this.fail(`special id ${name} is ${id}, which is the text piece '${piece.piece}'`);
      }
    }
  }

  private checkTagId(lang: string, id: number): void {
    if (!Number.isInteger(id) || id < 0)
      this.fail(`tag id of ${lang} must be a non-negative integer, got ${id}`);
    const piece = this.pieceAt(id);
    if (piece && piece.type !== PieceType.USER_DEFINED && piece.type !== PieceType.CONTROL) {
      this.fail(`tag id ${id} of ${lang} is the text piece '${piece.piece}'`);
    }
    for (const [name, special] of Object.entries(this.specialIds)) {
      if (special === id) this.fail(`tag id ${id} of ${lang} is also the ${name} id`);
    }
  }

  /** Model id of a language's tag piece inside the SentencePiece model. */
  private tagPieceId(format: string, lang: string): number | undefined {
    const piece = format.replace("{lang}", lang);
    const spmId = this.processor.pieceToId(piece);
    if (spmId === this.processor.unkId && piece !== this.processor.idToPiece(spmId)) {
      this.fail(`has no tag token '${piece}' for language ${lang}`);
    }
    return spmId + this.offset;
  }

  /** Languages whose tag (format with {lang}) is a user-defined or control piece of the model. */
  private tagsInModel(format: string): string[] {
    const [before, after] = format.split("{lang}", 2);
    const langs: string[] = [];
    for (const { piece, type } of this.processor.model.pieces) {
      if (type !== PieceType.USER_DEFINED && type !== PieceType.CONTROL) continue;
      if (piece.length <= before.length + after.length || !piece.startsWith(before) || !piece.endsWith(after))
        continue;
      langs.push(piece.slice(before.length, piece.length - after.length));
    }
    return langs;
  }
}
