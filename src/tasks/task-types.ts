/** Shapes shared by summarize() and expandOutline(): progress, streamed concepts, grounding, stats. */
import type { SourceLocation } from "../inputs/source-locations.js";
import type { Span } from "../planner/outline.js";
import type { Rendering } from "./render.js";

export type Stage = "segment" | "encode" | "generate" | "decode";

export interface ProgressEvent {
  stage: Stage;
  done: number;
  total: number;
  /** What is being worked on, e.g. "chunk 2/3" or a section title. */
  detail?: string;
}

export interface Grounding {
  /** Index into the source sentences (document order). */
  index: number;
  /** Cosine similarity in the model's normalized space. */
  score: number;
  /** The source sentence's [start, end) in the input; null for concepts without one. */
  span: Span | null;
  /** Where the source sentence is in the file the user has (converted documents only). */
  location?: SourceLocation;
}

export interface ConceptEvent {
  /** Position in the output (0-based). */
  index: number;
  /** The output section it belongs to (template or outline section), or null. */
  section: number | null;
  vector: Float32Array;
  grounding: Grounding[];
  /** The rendered text, when the caller asked for streamed text. */
  text?: string;
  grounded?: boolean;
  pinned?: boolean;
}

export interface TaskCallbacks {
  /** Every output concept, as soon as it is generated (or placed, for pinned ones). */
  onConcept?: (event: ConceptEvent) => void;
  onProgress?: (event: ProgressEvent) => void;
  /** Aborting ends the work with a CancelledError at the next step. */
  signal?: AbortSignal;
}

export interface OutputConcept {
  text: string;
  grounding: Grounding[];
  grounded: boolean;
  rendering: Rendering;
  /** The source sentence shown instead of the generated concept, when grounded. */
  sourceIndex: number | null;
  section: number | null;
  vector: Float32Array;
}

export interface TaskTimings {
  segment: number;
  encode: number;
  generate: number;
  decode: number;
  total: number;
}

export interface GenerationCounts {
  /** Generation calls (chunks, sections). */
  calls: number;
  generated: number;
  denoiserRuns: number;
  contextRuns: number;
  /** Candidates resampled to reach a minimum length. */
  discarded: number;
}
