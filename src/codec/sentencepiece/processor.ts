/**
 * SentencePieceProcessor: loads a `.model` file and encodes/decodes exactly like Python's
 * `sentencepiece` (checked against fixtures made with python3-sentencepiece 0.1.97):
 *
 *   encode: normalize -> segment (unigram or BPE) -> unknown characters become byte pieces
 *           (byte_fallback) or one merged <unk> per run of unknown characters;
 *   decode: pieces joined, "▁" -> " ", the leading space of the first piece dropped, control
 *           pieces dropped, <unk> -> " ⁇ ", runs of byte pieces decoded as UTF-8 (each malformed
 *           byte -> U+FFFD).
 *
 * Control pieces (<s>, </s>, <pad>, ...) are never produced from text. Input is a JS string; a lone
 * UTF-16 surrogate (which has no UTF-8 form, so Python refuses it) is treated as U+FFFD.
 */
import { readFile } from "node:fs/promises";
import { BpeSegmenter } from "./bpe.js";
import { type ModelProto, ModelType, parseModelProto } from "./model-proto.js";
import { Normalizer, SPACE_SYMBOL } from "./normalizer.js";
import type { Segmenter } from "./segmenter.js";
import { UnigramSegmenter } from "./unigram.js";
import { byteToPiece, Vocabulary } from "./vocabulary.js";

export class SentencePieceProcessor {
  readonly vocab: Vocabulary;
  private readonly normalizer: Normalizer;
  private readonly denormalizer: Normalizer | null;
  private readonly segmenter: Segmenter;
  private readonly byteIds: Int32Array | null;

  constructor(readonly model: ModelProto) {
    this.vocab = new Vocabulary(model);
    const trainer = model.trainerSpec;
    this.normalizer = new Normalizer(model.normalizerSpec, {
      treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
      userSymbols: this.vocab.userSymbols,
    });
    this.denormalizer = model.denormalizerSpec ? new Normalizer(model.denormalizerSpec) : null;
    if (trainer.modelType === ModelType.UNIGRAM) this.segmenter = new UnigramSegmenter(this.vocab);
    else if (trainer.modelType === ModelType.BPE) this.segmenter = new BpeSegmenter(this.vocab);
    else throw new Error(`model type ${trainer.modelType} is not supported (only unigram and BPE)`);
    this.byteIds = this.vocab.byteIds;
  }

  /** Parses a serialized model; throws an Error describing what is malformed. */
  static fromBytes(bytes: Uint8Array): SentencePieceProcessor {
    return new SentencePieceProcessor(parseModelProto(bytes));
  }

  static async fromFile(path: string): Promise<SentencePieceProcessor> {
    return SentencePieceProcessor.fromBytes(new Uint8Array(await readFile(path)));
  }

  get vocabSize(): number {
    return this.vocab.size;
  }

  get unkId(): number {
    return this.vocab.unkId;
  }

  /** Ids the model was trained with (-1 when the model has none). */
  get bosId(): number {
    return this.model.trainerSpec.bosId;
  }

  get eosId(): number {
    return this.model.trainerSpec.eosId;
  }

  get padId(): number {
    return this.model.trainerSpec.padId;
  }

  normalize(text: string): string {
    return this.normalizer.normalize(text);
  }

  /** Text -> piece ids, as `sp.encode(text)` in Python. */
  encode(text: string): number[] {
    const ids: number[] = [];
    this.encodeInto(text, ids, null);
    return ids;
  }

  /** Text -> piece strings, as `sp.encode(text, out_type=str)` in Python. */
  encodeAsPieces(text: string): string[] {
    const pieces: string[] = [];
    this.encodeInto(text, [], pieces);
    return pieces;
  }

  /**
   * Segments `text` and post-processes unknown characters the way SentencePieceProcessor does:
   * with byte fallback each becomes its UTF-8 byte pieces; without, a run of them is one <unk>.
   */
  private encodeInto(text: string, ids: number[], pieces: string[] | null): void {
    const normalized = this.normalizer.normalize(text);
    const { ids: rawIds, ends } = this.segmenter.segment(normalized);
    const unkId = this.vocab.unkId;
    const byteIds = this.byteIds;
    let start = 0;
    let prevUnknown = false;
    for (let k = 0; k < rawIds.length; k++) {
      const id = rawIds[k];
      const end = ends[k];
      const isUnknown = id === unkId;
      if (isUnknown && byteIds !== null) {
        // An unknown piece is one character (unigram and BPE alike).
        const cp = normalized.codePointAt(start)!;
        const first = ids.length;
        pushUtf8(cp, ids);
        for (let b = first; b < ids.length; b++) {
          if (pieces !== null) pieces.push(byteToPiece(ids[b]));
          ids[b] = byteIds[ids[b]];
        }
      } else if (isUnknown && prevUnknown) {
        if (pieces !== null) pieces[pieces.length - 1] += normalized.slice(start, end);
      } else {
        ids.push(id);
        if (pieces !== null) pieces.push(normalized.slice(start, end));
      }
      prevUnknown = isUnknown;
      start = end;
    }
  }

  idToPiece(id: number): string {
    this.checkId(id);
    return this.vocab.pieces[id].piece;
  }

  pieceToId(piece: string): number {
    return this.vocab.pieceToId(piece);
  }

  /** Piece ids -> text, as `sp.decode(ids)` in Python. Throws a RangeError on an id outside the vocabulary. */
  decode(ids: readonly number[]): string {
    for (const id of ids) this.checkId(id);
    // SentencePiece decodes ids via their pieces and looks each piece up again; the lookup is
    // memoized per id (it only differs from the id when a piece string is defined twice).
    this.pieceIdOfId ??= Int32Array.from(this.vocab.pieces, (p) => this.vocab.pieceToId(p.piece));
    const pieceIdOfId = this.pieceIdOfId;
    const pieces = this.vocab.pieces;
    return this.decodeSequence(
      ids.length,
      (k) => pieces[ids[k]].piece,
      (k) => pieceIdOfId[ids[k]],
    );
  }

  /** Pieces -> text, as `sp.decode(pieces)` in Python. */
  decodePieces(pieces: readonly string[]): string {
    return this.decodeSequence(
      pieces.length,
      (k) => pieces[k],
      (k) => this.vocab.pieceToId(pieces[k]),
    );
  }

  private pieceIdOfId: Int32Array | null = null;

  /** SentencePieceProcessor::Decode over `count` pieces given by their string and looked-up id. */
  private decodeSequence(count: number, pieceAt: (k: number) => string, idAt: (k: number) => number): string {
    const vocab = this.vocab;
    const spec = this.model.normalizerSpec;
    const stripsBosSpace = spec.addDummyPrefix || spec.removeExtraWhitespaces;
    const unkSurface = this.model.trainerSpec.unkSurface;
    let text = "";
    let bytes: number[] = [];
    let isBosWs = true;
    let bosWsSeen = false;
    for (let k = 0; k < count; k++) {
      const id = idAt(k);
      if (vocab.isByte(id)) {
        bytes.push(vocab.byteOfId[id]);
        continue;
      }
      if (bytes.length > 0) {
        text += decodeBytesLikeSentencePiece(bytes);
        bytes = [];
      }
      if (bosWsSeen || text.length > 0) isBosWs = false;
      bosWsSeen = false;
      if (vocab.isControl(id)) continue;
      const piece = pieceAt(k);
      if (vocab.isUnknown(id)) {
        text += vocab.pieces[id].piece === piece ? unkSurface : piece;
        continue;
      }
      let surface = piece;
      if (isBosWs && stripsBosSpace && surface.startsWith(SPACE_SYMBOL)) {
        surface = surface.slice(SPACE_SYMBOL.length);
        // With remove_extra_whitespaces every leading "▁" piece loses its space, not just the first.
        bosWsSeen = !spec.removeExtraWhitespaces;
      }
      text += surface.includes(SPACE_SYMBOL) ? surface.replaceAll(SPACE_SYMBOL, " ") : surface;
    }
    if (bytes.length > 0) text += decodeBytesLikeSentencePiece(bytes);
    return this.denormalizer ? this.denormalizer.normalize(text) : text;
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocab.size) {
      throw new RangeError(`piece id ${id} is out of range [0, ${this.vocab.size})`);
    }
  }
}

/**
 * UTF-8 bytes -> string, one U+FFFD per malformed byte (SentencePiece's DecodeUTF8 rules, which
 * differ from TextDecoder's replacement of maximal subparts).
 */
export function decodeBytesLikeSentencePiece(bytes: readonly number[]): string {
  let out = "";
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    const b0 = bytes[i];
    let cp = -1;
    let len = 1;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xe0) === 0xc0 && i + 1 < n && isTrail(bytes[i + 1])) {
      const c = ((b0 & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
      if (c >= 0x80) [cp, len] = [c, 2];
    } else if ((b0 & 0xf0) === 0xe0 && i + 2 < n && isTrail(bytes[i + 1]) && isTrail(bytes[i + 2])) {
      const c = ((b0 & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
      if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) [cp, len] = [c, 3];
    } else if (
      (b0 & 0xf8) === 0xf0 &&
      i + 3 < n &&
      isTrail(bytes[i + 1]) &&
      isTrail(bytes[i + 2]) &&
      isTrail(bytes[i + 3])
    ) {
      const c =
        ((b0 & 0x07) << 18) |
        ((bytes[i + 1] & 0x3f) << 12) |
        ((bytes[i + 2] & 0x3f) << 6) |
        (bytes[i + 3] & 0x3f);
      if (c >= 0x10000 && c <= 0x10ffff) [cp, len] = [c, 4];
    }
    out += cp < 0 ? "\ufffd" : String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/** Appends the UTF-8 bytes of code point `cp` to `out`. */
function pushUtf8(cp: number, out: number[]): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

function isTrail(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
