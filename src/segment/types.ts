/**
 * The seam between the planner and sentence segmentation: the planner takes any `Segmenter`. The only
 * backend is rule-based (src/segment/rules.ts). A Segment-any-Text (SaT) ONNX backend would
 * implement this interface; none is included, because no SaT model can be obtained on this machine to
 * build and test one against.
 */

/** The paper's cap ("SaT Capped"): no segment is longer than this many characters. */
export const MAX_SEGMENT_CHARS = 256;

export interface Segment {
  /** [start, end) offsets (UTF-16 code units, as JS strings index) into the text given to segment(). */
  start: number;
  end: number;
}

export interface SegmentOptions {
  /** FLORES-200 code of the text's language when known (e.g. "jpn_Jpan"); guides full stops and rules. */
  lang?: string;
  /** Hard cap on segment length in characters; defaults to MAX_SEGMENT_CHARS. */
  maxChars?: number;
}

export interface Segmenter {
  readonly name: string;
  /**
   * Splits one block of prose (a paragraph, a list item) into sentence spans. Spans are trimmed of
   * surrounding whitespace, cover every non-space character in order, and never overlap.
   */
  segment(text: string, options?: SegmentOptions): Segment[];
}
