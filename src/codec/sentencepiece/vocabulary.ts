/**
 * The piece table of a SentencePiece model: id <-> piece, piece types, byte pieces and the two
 * lookup maps SentencePiece keeps (normal/user-defined/unused pieces, which text can produce, and
 * "reserved" control/unknown/byte pieces, which it cannot).
 */
import { type ModelProto, type Piece, PieceType } from "./model-proto.js";
import { PieceTrie } from "./piece-trie.js";
import { SymbolMatcher } from "./symbol-matcher.js";

export class Vocabulary {
  readonly pieces: readonly Piece[];
  /** Normal, user-defined and unused pieces: the ones the segmenters can emit. */
  readonly textPieces = new Map<string, number>();
  /** Control, unknown and byte pieces. */
  private readonly reserved = new Map<string, number>();
  readonly types: Uint8Array;
  readonly unkId: number;
  /** Id of `<0xXX>` for every byte, when the model has byte fallback. */
  readonly byteIds: Int32Array | null;
  /** Byte value of each byte piece id, -1 elsewhere. */
  readonly byteOfId: Int16Array;
  readonly userSymbols: SymbolMatcher;
  /**
   * True when some text piece has the same string as a reserved piece; PieceToId then answers the
   * reserved id, so shortcuts that look text pieces up directly must not be taken.
   */
  readonly textShadowsReserved: boolean;

  constructor(model: ModelProto) {
    this.pieces = model.pieces;
    const n = model.pieces.length;
    if (n === 0) throw new Error("the model has no pieces");
    this.types = new Uint8Array(n);
    this.byteOfId = new Int16Array(n).fill(-1);
    let unkId = -1;
    const users: string[] = [];
    for (let id = 0; id < n; id++) {
      const { piece, type } = model.pieces[id];
      if (piece.length === 0) throw new Error(`piece ${id} is empty`);
      this.types[id] = type;
      const isText =
        type === PieceType.NORMAL || type === PieceType.USER_DEFINED || type === PieceType.UNUSED;
      const map = isText ? this.textPieces : this.reserved;
      if (map.has(piece)) throw new Error(`piece "${piece}" is defined twice`);
      map.set(piece, id);
      if (type === PieceType.USER_DEFINED) users.push(piece);
      if (type === PieceType.UNKNOWN) {
        if (unkId >= 0) throw new Error("the model defines <unk> twice");
        unkId = id;
      }
      if (type === PieceType.BYTE) {
        const byte = pieceToByte(piece);
        if (byte < 0) throw new Error(`byte piece "${piece}" is malformed`);
        this.byteOfId[id] = byte;
      }
    }
    if (unkId < 0) throw new Error("the model has no <unk> piece");
    this.unkId = unkId;
    this.textShadowsReserved = [...this.textPieces.keys()].some((piece) => this.reserved.has(piece));
    this.userSymbols = new SymbolMatcher(users);
    if (model.trainerSpec.byteFallback) {
      const byteIds = new Int32Array(256).fill(-1);
      for (let id = 0; id < n; id++) if (this.byteOfId[id] >= 0) byteIds[this.byteOfId[id]] = id;
      if (byteIds.includes(-1))
        throw new Error("byte_fallback is set but the model lacks some of the 256 byte pieces");
      this.byteIds = byteIds;
    } else {
      this.byteIds = null;
    }
  }

  private trieCache: PieceTrie | null = null;

  /** Code-unit trie of the text pieces, built on first use. */
  get trie(): PieceTrie {
    this.trieCache ??= new PieceTrie(this.textPieces);
    return this.trieCache;
  }

  get size(): number {
    return this.pieces.length;
  }

  /** SentencePiece's PieceToId: reserved pieces first, then text pieces, else <unk>. */
  pieceToId(piece: string): number {
    return this.reserved.get(piece) ?? this.textPieces.get(piece) ?? this.unkId;
  }

  isControl(id: number): boolean {
    return this.types[id] === PieceType.CONTROL;
  }

  isUnknown(id: number): boolean {
    return this.types[id] === PieceType.UNKNOWN;
  }

  isByte(id: number): boolean {
    return this.types[id] === PieceType.BYTE;
  }

  isUnused(id: number): boolean {
    return this.types[id] === PieceType.UNUSED;
  }

  isUserDefined(id: number): boolean {
    return this.types[id] === PieceType.USER_DEFINED;
  }
}

/** "<0x41>" -> 65; -1 when the piece is not a byte piece (SentencePiece's PieceToByte). */
export function pieceToByte(piece: string): number {
  if (piece.length !== 6 || !piece.startsWith("<0x") || piece[5] !== ">") return -1;
  const hex = piece.slice(3, 5);
  // Only upper-case hex, as SentencePiece writes it with %02X.
  if (!/^[0-9A-F]{2}$/.test(hex)) return -1;
  return Number.parseInt(hex, 16);
}

export function byteToPiece(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
}
