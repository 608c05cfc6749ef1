/**
 * A document's title line, when it opens with one: a grounded summary never shows it. The reader has
 * the title already, so a summary sentence spent restating it says nothing new; the LCM still reads it
 * (it is a concept of the source like any other), it just is not one of the sentences a summary shows.
 * Measured on the held-out BBC articles (plain text, title line first): 7 of 16 grounded 2-sentence
 * summaries showed the title before this rule.
 *
 * Markdown titles are headings, which are never concepts; this finds the plain-text kind: the first
 * sentence, alone on the document's first line and followed by a blank line, short, not ending the way
 * a sentence or a lead-in does (".", ",", ";", ":"), with a body of at least three sentences after it.
 */
import type { SourceSentence } from "./source-concepts.js";

const MAX_TITLE_CHARS = 120;
const MIN_BODY_SENTENCES = 3;
const SENTENCE_END = /[.,;:]["'”’)\]]*$/u;

/** Index of the source sentence that is the document's title line (0), or null when there is none. */
export function titleSentence(text: string, sentences: readonly SourceSentence[]): number | null {
  const first = sentences[0];
  if (!first?.span || sentences.length < 1 + MIN_BODY_SENTENCES) return null;
  const [start, end] = first.span;
  const line = text.slice(start, end);
  if (text.slice(0, start).trim() !== "" || /[\r\n]/.test(line.trim())) return null;
  if (line.trim().length > MAX_TITLE_CHARS || SENTENCE_END.test(line.trim())) return null;
  // Alone as a paragraph: only spaces, then a blank line, before the body.
  return /^[ \t]*(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)/.test(text.slice(end)) ? 0 : null;
}
