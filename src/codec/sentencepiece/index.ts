/** SentencePiece in TypeScript: load a .model file, encode and decode exactly like Python's sentencepiece. */
export {
  type ModelProto,
  ModelType,
  type NormalizerSpec,
  type Piece,
  PieceType,
  parseModelProto,
} from "./model-proto.js";
export { Normalizer, SPACE_SYMBOL } from "./normalizer.js";
export { decodeBytesLikeSentencePiece, SentencePieceProcessor } from "./processor.js";
