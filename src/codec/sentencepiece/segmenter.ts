/** What a model (unigram or BPE) returns for one normalized sentence. */
export interface Segmentation {
  /** Piece ids in order; unknown characters carry the <unk> id (not yet merged or byte-expanded). */
  ids: number[];
  /** End offset (UTF-16 code units in the normalized text) of each piece. */
  ends: number[];
}

export interface Segmenter {
  segment(normalized: string): Segmentation;
}
