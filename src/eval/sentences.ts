/**
 * Sentences for evaluation (Lead-k, the extractive baseline, one-sentence-per-line ROUGE-Lsum, length
 * statistics): the project's own rule segmenter (src/segment/rules.ts), so evaluation cuts text
 * the way the product does, but with the 256-character cap off: the cap is a model-input constraint, and
 * Lead-k must count real sentences.
 */
import { segmentSentences } from "../segment/rules.js";

export function splitSentences(text: string, lang?: string): string[] {
  return segmentSentences(text, { lang, maxChars: Number.POSITIVE_INFINITY }).map((span) =>
    text.slice(span.start, span.end),
  );
}

/** Text laid out one sentence per line: what rouge-score's `split_summaries=True` does before Lsum. */
export function oneSentencePerLine(text: string, lang?: string): string {
  return splitSentences(text, lang).join("\n");
}
