/**
 * Picks the sentence segmentation backend. "rules" (the default, src/planner/segment-rules.ts) works
 * everywhere. "sat" is the seam for Segment-any-Text (github.com/segment-any-text/wtpsplit) ONNX
 * models, which the user must provide: nothing is bundled or downloaded.
 *
 * What a SaT backend needs, from wtpsplit's SaT class (not implemented here, since no SaT model can
 * be obtained on this machine to test against):
 *   - a directory with the exported ONNX graph (`model_optimized.onnx` or `model.onnx`): inputs
 *     `input_ids` and `attention_mask` (int64 [B, T]) -> `logits` (float32 [B, T, classes]);
 *   - the XLM-RoBERTa SentencePiece tokenizer (`sentencepiece.bpe.model`), with character offsets;
 *   - inference over blocks of at most 512 tokens with a stride of 64, sigmoid of the newline class
 *     (index 0) per token, mapped to the token's last character; a boundary where the probability
 *     exceeds the threshold (wtpsplit defaults: 0.025, or 0.25 for the "-sm" models);
 *   - then the same 256-character cap as the rules (segment-cap.ts) for "SaT Capped".
 * ONNX sessions are created asynchronously, hence createSegmenter returns a promise; Segmenter.segment
 * is synchronous today, so a SaT backend will also need an asynchronous segment method.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../util/errors.js";
import { ruleSegmenter } from "./segment-rules.js";
import type { Segmenter } from "./segment-types.js";

export type SegmenterBackend = "rules" | "sat";

export interface SegmenterChoice {
  backend?: SegmenterBackend;
  /** Directory of a SaT ONNX export; defaults to $LCM_SAT_MODEL. */
  modelPath?: string;
}

const SAT_GRAPHS = ["model_optimized.onnx", "model.onnx"];
const SAT_TOKENIZER = "sentencepiece.bpe.model";
const HOW_TO_POINT =
  "set LCM_SAT_MODEL (or the modelPath option) to a directory holding a SaT ONNX export " +
  `(${SAT_GRAPHS.join(" or ")}) and the XLM-R tokenizer (${SAT_TOKENIZER}), ` +
  "or use the default rule-based segmenter";

export async function createSegmenter(choice: SegmenterChoice = {}): Promise<Segmenter> {
  const backend = choice.backend ?? "rules";
  if (backend === "rules") return ruleSegmenter;
  if (backend === "sat") return createSatSegmenter(choice.modelPath ?? process.env.LCM_SAT_MODEL);
  throw new UsageError(`unknown segmenter backend "${String(backend)}" (expected "rules" or "sat")`);
}

async function createSatSegmenter(modelPath: string | undefined): Promise<Segmenter> {
  if (!modelPath) {
    throw new UsageError(`the SaT segmenter needs a model and none was given: ${HOW_TO_POINT}`);
  }
  if (!existsSync(modelPath) || !statSync(modelPath).isDirectory()) {
    throw new UsageError(`SaT model directory not found: ${modelPath}; ${HOW_TO_POINT}`);
  }
  const graph = SAT_GRAPHS.find((name) => existsSync(join(modelPath, name)));
  if (!graph) {
    throw new UsageError(`no SaT ONNX graph (${SAT_GRAPHS.join(" or ")}) in ${modelPath}; ${HOW_TO_POINT}`);
  }
  if (!existsSync(join(modelPath, SAT_TOKENIZER))) {
    throw new UsageError(`no XLM-R tokenizer (${SAT_TOKENIZER}) in ${modelPath}; ${HOW_TO_POINT}`);
  }
  throw new UsageError(
    `found a SaT model in ${modelPath}, but SaT inference is not available in this version yet; ` +
      "use the default rule-based segmenter",
  );
}
