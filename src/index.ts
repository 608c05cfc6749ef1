/**
 * lcm as a library: what a program (the bench scripts, the training data scripts, another tool) may
 * import, from one place. package.json's "exports" points here (`import { summarize } from "lcm"`,
 * or `dist/src/index.js` from a checkout), so callers never reach into `dist/src/<folder>/...` and the
 * tree can move without breaking them. docs/architecture.md has the map behind these names.
 *
 * The shells (src/cli, src/server, src/tui) are not part of it: they are programs built on this API.
 * Everything here is re-exported by name, so the list below is the whole public surface.
 */

// codec/: the concept codec (sentences <-> concept vectors), its tokenizer and concept files.
export { type CodecEncodeResult, type CodecOptions, ConceptCodec } from "./codec/codec.js";
export {
  type ConceptFileHeader,
  type ConceptRecord,
  conceptJsonChunks,
  decodeNpy,
  encodeNpy,
  parseConceptJson,
} from "./codec/concept-file.js";
export { ConceptDecoder, type DecodedSentence, type DecodeOptions } from "./codec/decoder.js";
export { ConceptEncoder, DEFAULT_ENCODER_BATCHING, type EncodeResult } from "./codec/encoder.js";
export { SentencePieceProcessor } from "./codec/sentencepiece/index.js";
// eval/: evaluation metrics (checked against sacrebleu and rouge-score in the tests) and data.
export { corpusBleu, sentenceBleu } from "./eval/bleu.js";
export { corpusChrf, sentenceChrf } from "./eval/chrf.js";
export { readSummarizationData, type SummarizationRecord } from "./eval/datasets.js";
export { type RougeScore, type RougeType, scoreRouge, scoreRougeMulti } from "./eval/rouge.js";
export { oneSentencePerLine, splitSentences } from "./eval/sentences.js";
export { xsimError } from "./eval/xsim.js";
// inputs/: the document readers (text, Markdown, PDF, Word, EPUB, HTML).
export { type InputDocument, readInput } from "./inputs/read-input.js";
// languages/: FLORES-200 codes, names and detection.
export { type Detection, detectLanguage } from "./languages/detect-language.js";
export {
  describeLanguage,
  isKnownLanguage,
  languageName,
  resolveLanguage,
  SONAR_LANGUAGE_CODES,
} from "./languages/languages.js";
// lcm/: the LCM runtime, for benchmarks and research code below the tasks.
export { type GenerationResult, generateConcepts } from "./lcm/generate.js";
export { LcmModel } from "./lcm/model.js";
export { type ModelKind, manifestModels, type OfferedModel } from "./lcm/model-kinds.js";
export { OneTowerModel } from "./lcm/one-tower.js";
export {
  diffusionPredictor,
  type NextConceptPredictor,
  oneTowerPredictor,
  quantPredictor,
} from "./lcm/predictors.js";
export { QuantModel, sampleUnit } from "./lcm/quant.js";
export type { GenerationOptions, GenerationSettings } from "./lcm/settings.js";
export { type LcmFamily, lcmFamily, readLcmSpec, readOneTowerSpec, readQuantSpec } from "./lcm/spec.js";
// models/: model discovery (--models, LCM_MODELS, the user's and the bundled models) and manifests.
export {
  type CodecManifest,
  type LcmManifest,
  ManifestError,
  type ModelManifest,
  readManifest,
} from "./models/manifest.js";
export { ModelFileError } from "./models/onnx-session.js";
export { type DiscoveryOptions, findCodec, findLcm, scanModels } from "./models/registry.js";
// planner/: documents as outlines of concepts, and the outline files.
export { type BuildOutlineOptions, buildOutline } from "./planner/build-outline.js";
export { markdownStructure } from "./planner/markdown-structure.js";
export {
  type Concept,
  type DocumentFormat,
  type Outline,
  type Section,
  type Span,
  walkConcepts,
  walkSections,
} from "./planner/outline.js";
export { loadOutline, saveOutline } from "./planner/outline-file.js";
export { outlineFromJson, outlineJsonChunks, outlineToJson } from "./planner/outline-json.js";
export { outlineFromMarkdown, outlineToMarkdown } from "./planner/outline-markdown.js";
export { type OutlineStats, outlineStats } from "./planner/outline-stats.js";
export { plainStructure } from "./planner/plain-structure.js";
// segment/: the rule segmenter every command (and the training data) cuts sentences with.
export { intlLocale } from "./segment/cap.js";
export { findSentences, ruleSegmenter, segmentSentences } from "./segment/rules.js";
export type { Segment, Segmenter, SegmentOptions } from "./segment/types.js";
// tasks/: summarize and expand, over a ConceptEngine (the codec and the LCM opened together).
export { ConceptEngine, type EngineOptions } from "./tasks/engine.js";
export { type ExpandOptions, type ExpandResult, expandOutline } from "./tasks/expand-outline.js";
// The grounded summary's candidate sentences and salience prior (for training/lcm/salience_data.mjs).
export { type GroundingCandidates, groundingCandidates } from "./tasks/grounding-candidates.js";
export { SalienceSpace } from "./tasks/salience.js";
export { type CandidatePlaces, SalienceHead, salienceHeadInputs } from "./tasks/salience-head.js";
export { readSourceDocument, type SourceConcepts } from "./tasks/source-concepts.js";
export {
  renderSummary,
  type SummarizeInput,
  type SummarizeOptions,
  type SummaryResult,
  summarize,
} from "./tasks/summarize.js";
export type { ConceptEvent, OutputConcept, ProgressEvent, TaskCallbacks } from "./tasks/task-types.js";
export { listTemplates, loadTemplate, type Template } from "./tasks/templates.js";

// util/errors: each error says what went wrong; `exitCode` is what the CLI exits with.
export {
  CancelledError,
  exitCodeOf,
  messageOf,
  NoModelError,
  OutputExistsError,
  RuntimeFailure,
  UsageError,
} from "./util/errors.js";
