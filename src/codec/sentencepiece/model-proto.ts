/**
 * SentencePiece's ModelProto (sentencepiece_model.proto), read with our own protobuf reader.
 * Only the fields that change how text is encoded or decoded are kept; the rest is skipped.
 * Defaults are the proto2 defaults from the .proto file, so a field missing on the wire reads the
 * way the C++ library reads it.
 */
import { ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT } from "./protobuf.js";

/** SentencePiece.Type in the proto. */
export const PieceType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;
export type PieceTypeValue = (typeof PieceType)[keyof typeof PieceType];

export interface Piece {
  readonly piece: string;
  /** Log probability (unigram) or negative merge rank (BPE); a float32 on the wire. */
  readonly score: number;
  readonly type: PieceTypeValue;
}

export const ModelType = { UNIGRAM: 1, BPE: 2, WORD: 3, CHAR: 4 } as const;

export interface TrainerSpec {
  modelType: number;
  vocabSize: number;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  /** What an unknown piece decodes to (default " ⁇ "). */
  unkSurface: string;
}

export interface NormalizerSpec {
  name: string;
  /** Double-array trie + normalized strings blob; empty for "identity". */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface ModelProto {
  pieces: Piece[];
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
  /** Applied to decoded text when present (rare; no public model we know of ships one). */
  denormalizerSpec: NormalizerSpec | null;
}

function expectWire(actual: number, expected: number, what: string): void {
  if (actual !== expected) throw new Error(`${what} has wire type ${actual}, expected ${expected}`);
}

function readPiece(r: ProtoReader): Piece {
  let piece = "";
  let score = 0;
  let type: PieceTypeValue = PieceType.NORMAL;
  while (!r.done()) {
    const f = r.field();
    if (f.number === 1) {
      expectWire(f.wireType, WIRE_BYTES, "SentencePiece.piece");
      piece = r.string();
    } else if (f.number === 2) {
      expectWire(f.wireType, WIRE_FIXED32, "SentencePiece.score");
      score = r.float32();
    } else if (f.number === 3) {
      expectWire(f.wireType, WIRE_VARINT, "SentencePiece.type");
      const t = r.int32();
      if (t < 1 || t > 6) throw new Error(`unknown piece type ${t}`);
      type = t as PieceTypeValue;
    } else {
      r.skip(f.wireType);
    }
  }
  return { piece, score, type };
}

function readTrainerSpec(r: ProtoReader | null): TrainerSpec {
  const spec: TrainerSpec = {
    modelType: ModelType.UNIGRAM,
    vocabSize: 8000,
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    unkSurface: " \u2047 ",
  };
  while (r && !r.done()) {
    const f = r.field();
    if (f.wireType === WIRE_VARINT) {
      switch (f.number) {
        case 3:
          spec.modelType = r.int32();
          continue;
        case 4:
          spec.vocabSize = r.int32();
          continue;
        case 24:
          spec.treatWhitespaceAsSuffix = r.bool();
          continue;
        case 35:
          spec.byteFallback = r.bool();
          continue;
        case 40:
          spec.unkId = r.int32();
          continue;
        case 41:
          spec.bosId = r.int32();
          continue;
        case 42:
          spec.eosId = r.int32();
          continue;
        case 43:
          spec.padId = r.int32();
          continue;
      }
    } else if (f.wireType === WIRE_BYTES && f.number === 44) {
      spec.unkSurface = r.string();
      continue;
    }
    r.skip(f.wireType);
  }
  return spec;
}

function readNormalizerSpec(r: ProtoReader | null): NormalizerSpec {
  const spec: NormalizerSpec = {
    name: "",
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  while (r && !r.done()) {
    const f = r.field();
    if (f.wireType === WIRE_BYTES && f.number === 1) spec.name = r.string();
    else if (f.wireType === WIRE_BYTES && f.number === 2) spec.precompiledCharsmap = r.bytesField();
    else if (f.wireType === WIRE_VARINT && f.number === 3) spec.addDummyPrefix = r.bool();
    else if (f.wireType === WIRE_VARINT && f.number === 4) spec.removeExtraWhitespaces = r.bool();
    else if (f.wireType === WIRE_VARINT && f.number === 5) spec.escapeWhitespaces = r.bool();
    else r.skip(f.wireType);
  }
  return spec;
}

/** Parses a serialized ModelProto; throws an Error naming the first malformed part. */
export function parseModelProto(bytes: Uint8Array): ModelProto {
  const r = new ProtoReader(bytes);
  const pieces: Piece[] = [];
  let trainer: ProtoReader | null = null;
  let normalizer: ProtoReader | null = null;
  let denormalizer: ProtoReader | null = null;
  while (!r.done()) {
    const f = r.field();
    if (f.wireType !== WIRE_BYTES) {
      r.skip(f.wireType);
      continue;
    }
    if (f.number === 1) pieces.push(readPiece(r.message()));
    else if (f.number === 2) trainer = r.message();
    else if (f.number === 3) normalizer = r.message();
    else if (f.number === 5) denormalizer = r.message();
    else r.skip(f.wireType);
  }
  const denormalizerSpec = denormalizer ? readNormalizerSpec(denormalizer) : null;
  return {
    pieces,
    trainerSpec: readTrainerSpec(trainer),
    normalizerSpec: readNormalizerSpec(normalizer),
    denormalizerSpec:
      denormalizerSpec && denormalizerSpec.precompiledCharsmap.length > 0 ? denormalizerSpec : null,
  };
}
