/**
 * The codec's view of its tokenizer (CodecTokenizer): SentencePiece ids shifted by the manifest's
 * piece offset, language tags looked up by the manifest's tag format, and only the languages the
 * manifest declares accepted.
 */
import { join } from "node:path";
import { UsageError } from "../util/errors.js";
import type { CodecTokenizer } from "./codec-types.js";
import type { CodecManifest } from "./manifest.js";
import { ModelFileError } from "./onnx-session.js";
import { SentencePieceProcessor } from "./sentencepiece/index.js";

export async function loadCodecTokenizer(manifest: CodecManifest): Promise<CodecTokenizer> {
  const path = join(manifest.dir, manifest.tokenizer.file);
  let processor: SentencePieceProcessor;
  try {
    processor = await SentencePieceProcessor.fromFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ModelFileError(`${path}: missing (the manifest names it)`);
    throw new ModelFileError(`${path}: not a valid SentencePiece model (${(error as Error).message})`);
  }
  return new SentencePieceCodecTokenizer(processor, manifest);
}

export class SentencePieceCodecTokenizer implements CodecTokenizer {
  private readonly offset: number;
  private readonly tagIds = new Map<string, number>();
  /** Ids never rendered as text: special ids and every language tag. */
  private readonly hidden = new Set<number>();

  constructor(
    readonly processor: SentencePieceProcessor,
    private readonly manifest: CodecManifest,
  ) {
    this.offset = manifest.tokenizer.pieceOffset;
    const { specialIds, langTagFormat } = manifest.tokenizer;
    for (const id of Object.values(specialIds)) this.hidden.add(id);
    const spmUnk = processor.unkId;
    if (processor.vocabSize + this.offset > manifest.decoder.vocabSize) {
      throw new ModelFileError(
        `${join(manifest.dir, manifest.tokenizer.file)}: has ${processor.vocabSize} pieces (+${this.offset} offset), more than the decoder's vocab_size ${manifest.decoder.vocabSize}`,
      );
    }
    for (const lang of manifest.languages) {
      const piece = langTagFormat.replace("{lang}", lang);
      const spmId = processor.pieceToId(piece);
      if (spmId === spmUnk) {
        throw new ModelFileError(
          `${join(manifest.dir, manifest.tokenizer.file)}: has no tag token '${piece}' for declared language ${lang}`,
        );
      }
      this.tagIds.set(lang, spmId + this.offset);
      this.hidden.add(spmId + this.offset);
    }
  }

  encode(text: string): number[] {
    const ids = this.processor.encode(text);
    if (this.offset !== 0) for (let i = 0; i < ids.length; i++) ids[i] += this.offset;
    return ids;
  }

  langTagId(lang: string): number {
    const id = this.tagIds.get(lang);
    if (id === undefined) throw unsupportedLanguage(lang, this.manifest);
    return id;
  }

  /** Ids of every language tag, which the decoder never generates. */
  get tagTokenIds(): number[] {
    return [...this.tagIds.values()];
  }

  decode(ids: readonly number[]): string {
    const size = this.processor.vocabSize;
    const kept: number[] = [];
    for (const id of ids) {
      if (this.hidden.has(id)) continue;
      const spmId = id - this.offset;
      if (spmId >= 0 && spmId < size) kept.push(spmId);
    }
    return this.processor.decode(kept);
  }
}

/** "unknown language 'fra_latn' for codec X; did you mean fra_Latn?" */
export function unsupportedLanguage(lang: string, manifest: CodecManifest): UsageError {
  const close = closestCodes(lang, manifest.languages, 3);
  const hint = close.length > 0 ? `; did you mean ${close.join(", ")}?` : "";
  const shown =
    manifest.languages.length <= 12
      ? ` (it knows ${manifest.languages.join(", ")})`
      : ` (it knows ${manifest.languages.length} languages; see 'lcm models info')`;
  return new UsageError(`language '${lang}' is not supported by codec '${manifest.name}'${shown}${hint}`);
}

function closestCodes(lang: string, codes: readonly string[], count: number): string[] {
  const lower = lang.toLowerCase();
  const scored = codes.map((code) => {
    const c = code.toLowerCase();
    const prefix = c.startsWith(lower.slice(0, 3)) ? -2 : 0;
    return { code, score: editDistance(lower, c) + prefix };
  });
  scored.sort((a, b) => a.score - b.score || a.code.localeCompare(b.code));
  const limit = Math.max(3, Math.ceil(lang.length / 2));
  return scored
    .filter((s) => s.score <= limit)
    .slice(0, count)
    .map((s) => s.code);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
