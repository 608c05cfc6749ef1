/**
 * The language hint the segmenter works with when the user gives none: detected from the document's
 * start among SONAR's 202 languages, whichever codec (if any) runs later. Every command (outline,
 * encode, summarize, expand, the TUI, the server) builds its outline through buildOutline, which asks
 * this, so a document is cut into the same sentences everywhere and [sN] names the same sentence in
 * `lcm outline` as in a summary.
 */
import { detectLanguage } from "../languages/detect-language.js";

const SAMPLE_CHARS = 8192;

export function segmentationLanguage(text: string): string {
  return detectLanguage(text.slice(0, SAMPLE_CHARS)).lang;
}
