/**
 * The default sentence segmenter: multilingual rules in one linear pass, then the paper's length cap.
 *
 * A sentence ends at a terminator (full stop, question or exclamation mark, ellipsis, danda, 。, ...)
 * plus any closing quotes or brackets glued to it, when what follows is whitespace and then not a
 * lowercase letter; a full stop after an abbreviation, an initial or a German-style ordinal does not
 * end one. Scripts written without spaces (Chinese, Japanese, Burmese, Khmer, Tibetan) end sentences
 * at their own full stops whether or not a space follows; Thai, which has no sentence punctuation,
 * ends them at spaces chosen by segment-thai.ts. A blank line always ends a sentence; a single line
 * break is just whitespace (hard-wrapped text).
 */

import { UsageError } from "../util/errors.js";
import { capSpans } from "./cap.js";
import {
  CANDIDATE_PATTERN,
  isAmbiguousQuote,
  isArmenian,
  isCjk,
  isCloser,
  isDandaScript,
  isDigit,
  isGreek,
  isLetterOrDigit,
  isLowercase,
  isSpace,
  isSpacedTerminator,
  isUnspacedTerminator,
  isUppercase,
  SPACE_ENDED_SCRIPTS,
} from "./chars.js";
import { type Lexicon, lexiconFor } from "./lexicon.js";
import { withThaiSentenceEnds, withTibetanSentenceEnds } from "./space-ends.js";
import { MAX_SEGMENT_CHARS, type Segment, type Segmenter, type SegmentOptions } from "./types.js";

const BLANK_LINE = /\n[^\S\n]*\n/g;
const INITIALISM = /^(?:\p{L}{1,3}\.)+\p{L}{1,3}$/u;
const DOTTED_ORDINAL = /^\d{1,2}$/;
const LEADING_OPENERS = /^[("'\u201C\u2018\u201E\u201A\u00AB\u2039[{\u00BF\u00A1\u2013\u2014-]+/;
const HAS_WORD = /[\p{L}\p{N}]/u;
const ONLY_LETTERS = /^[\p{L}\p{M}]+$/u;
const WORD_AT = /[\p{L}\p{M}'\u2019]+/uy;
const ETHIOPIC_WORDSPACE = "\u1361";

/** What the scanner decided at one candidate: where the sentence ends (or -1) and where to go on. */
interface Verdict {
  end: number;
  next: number;
}

/**
 * Sentence spans of `text` without the length cap: trimmed, in order, never overlapping, covering
 * every non-space character.
 */
export function findSentences(text: string, lang?: string): Segment[] {
  const lexicon = lexiconFor(lang);
  const ends: number[] = [];
  let from = 0;
  for (const blank of text.matchAll(BLANK_LINE)) {
    scanBlock(text, from, blank.index, lexicon, ends);
    ends.push(blank.index);
    from = blank.index + blank[0].length;
  }
  scanBlock(text, from, text.length, lexicon, ends);
  return spansBetween(text, ends);
}

/**
 * Splits one block of prose into sentence spans no longer than `maxChars` (default 256; Infinity
 * turns the cap off, which measures sentence detection alone).
 */
export function segmentSentences(text: string, options: SegmentOptions = {}): Segment[] {
  const maxChars = options.maxChars ?? MAX_SEGMENT_CHARS;
  if (!(Number.isInteger(maxChars) || maxChars === Number.POSITIVE_INFINITY) || maxChars < 1) {
    throw new UsageError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  if (maxChars === Number.POSITIVE_INFINITY) return findSentences(text, options.lang);
  return capSpans(text, findSentences(text, options.lang), maxChars, options.lang);
}

export const ruleSegmenter: Segmenter = {
  name: "rules",
  segment: segmentSentences,
};

function spansBetween(text: string, ends: number[]): Segment[] {
  const spans: Segment[] = [];
  let start = 0;
  const push = (from: number, to: number) => {
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
    if (to <= from) return;
    // A stray mark on its own ("。", "»", "...") is no sentence: it joins the one before.
    const previous = spans[spans.length - 1];
    if (previous && !HAS_WORD.test(text.slice(from, to))) previous.end = to;
    else spans.push({ start: from, end: to });
  };
  for (const end of ends) {
    push(start, end);
    start = end;
  }
  push(start, text.length);
  return spans;
}

function scanBlock(text: string, from: number, to: number, lexicon: Lexicon, ends: number[]): void {
  const pattern = new RegExp(CANDIDATE_PATTERN.source, "g");
  pattern.lastIndex = from;
  const blockEnds: number[] = [];
  const block: Block = { text, from, to, lexicon, straightQuotes: undefined };
  for (let match = pattern.exec(text); match && match.index < to; match = pattern.exec(text)) {
    const verdict = judge(block, match.index);
    if (verdict.end >= 0 && verdict.end < to) blockEnds.push(verdict.end);
    pattern.lastIndex = Math.max(verdict.next, match.index + 1);
  }
  let all = blockEnds;
  // Scripts that end sentences with a space instead of punctuation (rare: checked by a quick scan).
  if (SPACE_ENDED_SCRIPTS.test(text.slice(from, to))) {
    all = withThaiSentenceEnds(text, from, to, withTibetanSentenceEnds(text, from, to, all));
  }
  for (const end of all) ends.push(end);
}

/** Which kind of terminator starts at `i`, or null when the character is not one in this context. */
function terminatorKind(text: string, i: number, to: number): "spaced" | "unspaced" | null {
  const ch = text[i]!;
  switch (ch) {
    case ":":
      // Armenian text often types ASCII ":" for its full stop "։".
      return isArmenian(letterBefore(text, i)) ? "spaced" : null;
    case ".":
      // In Armenian "." is the mijaket, a colon ("ասաց." = "said:"), or marks "թ." (year).
      return isArmenian(letterBefore(text, i)) ? null : "spaced";
    case ";":
      // The Greek question mark is a semicolon.
      return isGreek(letterBefore(text, i)) ? "spaced" : null;
    case "|":
      // Devanagari/Gurmukhi text often types ASCII "|" for the danda.
      return isDandaScript(letterBefore(text, i, true)) ? "spaced" : null;
    case ETHIOPIC_WORDSPACE:
      // Two Ethiopic word spaces "፡፡" stand in for the full stop "።".
      return i + 1 < to && text[i + 1] === ETHIOPIC_WORDSPACE ? "spaced" : null;
    default:
      return isUnspacedTerminator(ch) ? "unspaced" : "spaced";
  }
}

/** The last character before `i` that is not a closer (and, when asked, not a space). */
function letterBefore(text: string, i: number, skipSpace = false): string {
  let k = i - 1;
  while (k >= 0 && k > i - 4 && (isCloser(text[k]!) || (skipSpace && text[k] === " "))) k--;
  return k >= 0 ? text[k]! : "";
}

/** One paragraph being scanned, with what the rules look up in it. */
interface Block {
  text: string;
  from: number;
  to: number;
  lexicon: Lexicon;
  /** Offsets of the block's straight double quotes, collected on first need. */
  straightQuotes: number[] | undefined;
}

function judge(block: Block, i: number): Verdict {
  const { text, to, lexicon } = block;
  const ch = text[i]!;
  const kind = terminatorKind(text, i, to);
  if (!kind) return { end: -1, next: i + 1 };
  // Khmer "។ល។" is "et cetera": only its last khan may end the sentence.
  if (ch === "\u17D4" && text.startsWith("\u179B\u17D4", i + 1)) return { end: -1, next: i + 2 };

  // The terminator run ("?!", "...", "。」") with the closing quotes and brackets glued to it.
  let j = i + 1;
  let dots = ch === "." ? 1 : 0;
  let closers = 0;
  let unspaced = kind === "unspaced";
  while (j < to) {
    const c = text[j]!;
    if (c === "." && closers === 0) dots++;
    else if (isUnspacedTerminator(c)) unspaced = true;
    else if (isCloser(c) && !(isAmbiguousQuote(c) && j + 1 < to && isLetterOrDigit(text[j + 1]!))) closers++;
    else if (!(isSpacedTerminator(c) || c === ETHIOPIC_WORDSPACE)) break;
    j++;
  }
  // Tibetan doubles its shad across a space ("། །"): both belong to the sentence that ends.
  if (ch === "\u0F0D" && text[j] === " " && text[j + 1] === "\u0F0D") j += 2;
  // An ASCII "!" or "?" (or a full stop between Han characters) followed directly by Chinese or
  // Japanese text ends the sentence as 。 would.
  if (!unspaced && j < to && isCjk(text[j]!) && (ch !== "." || (i > 0 && isCjk(text[i - 1]!)))) {
    unspaced = true;
  }
  if (j >= to) return { end: j, next: j };
  // Japanese quotes end in 。」 and go on with the quotative particle: 「...。」と述べた.
  if (closers > 0 && (text[j] === "\u3068" || text[j] === "\u3063")) return { end: -1, next: j };

  if (!isSpace(text.charCodeAt(j))) {
    if (!unspaced) return { end: -1, next: j };
    // A fullwidth full stop between digits is a decimal point.
    if (ch === "\uFF0E" && i > 0 && isDigit(text[i - 1]!) && isDigit(text[j]!)) return { end: -1, next: j };
    return { end: j, next: j };
  }
  let n = skipSpaces(text, j, to);
  // French sets its closing guillemet apart ("... le cas. » Quant"): it still closes this sentence.
  while (n < to && isDetachedCloser(block, n)) {
    j = n + 1;
    closers++;
    n = skipSpaces(text, j, to);
  }
  if (n >= to || unspaced) return { end: j, next: n };
  // A comma after the closing quote: the quoted sentence is a clause of this one ("! », explique").
  if (text[n] === ",") return { end: -1, next: n };

  const w = firstWordChar(text, n, to);
  // A lowercase word after the stop: the sentence goes on ("... he said. and", "Wait... what").
  // A lowercase word after the stop usually means the sentence goes on ("Wait... what", "3 p.m. on",
  // "approx. five"); after a plain full stop that follows a long ordinary word, it is more often a
  // sentence whose writer did not capitalise it.
  if (w >= 0 && isLowercase(text[w]!)) {
    const plainStop = ch === "." && dots === 1 && closers === 0;
    return plainStop && isOrdinaryWord(tokenBefore(text, i), lexicon)
      ? { end: j, next: n }
      : { end: -1, next: n };
  }
  if (ch !== "." || dots !== 1 || closers > 0) return { end: j, next: n };
  return fullStopContinues(text, i, w, lexicon) ? { end: -1, next: n } : { end: j, next: n };
}

function skipSpaces(text: string, k: number, to: number): number {
  while (k < to && isSpace(text.charCodeAt(k))) k++;
  return k;
}

/**
 * A closing quote set off by a space on both sides (or followed by punctuation or the end). A straight
 * double quote closes only when the paragraph before it has an odd number of them (quotations may span
 * several sentences).
 */
function isDetachedCloser(block: Block, k: number): boolean {
  const { text, to } = block;
  const c = text[k]!;
  if (c !== "\u00BB" && c !== "\u203A" && c !== "\u201D" && c !== '"') return false;
  if (k + 1 < to) {
    const after = text[k + 1]!;
    if (!(isSpace(after.charCodeAt(0)) || ",;:.!?)".includes(after))) return false;
  }
  return c !== '"' || straightQuotesBefore(block, k) % 2 === 1;
}

function straightQuotesBefore(block: Block, k: number): number {
  if (!block.straightQuotes) {
    block.straightQuotes = [];
    for (
      let q = block.text.indexOf('"', block.from);
      q >= 0 && q < block.to;
      q = block.text.indexOf('"', q + 1)
    ) {
      block.straightQuotes.push(q);
    }
  }
  const quotes = block.straightQuotes;
  let lo = 0;
  let hi = quotes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (quotes[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first letter or digit at or after `n`, past a few opening quotes, brackets or dashes. */
function firstWordChar(text: string, n: number, to: number): number {
  for (let k = n; k < to && k < n + 4; k++) {
    const c = text[k]!;
    if (isLetterOrDigit(c)) return k;
    if (isSpace(text.charCodeAt(k))) return -1;
  }
  return -1;
}

function wordAt(text: string, w: number): string {
  if (w < 0) return "";
  WORD_AT.lastIndex = w;
  const match = WORD_AT.exec(text);
  return match ? match[0] : "";
}

/**
 * Whether a single full stop followed by a space and a capital (or a digit, or an uncased letter) is
 * part of the sentence rather than its end: titles and other abbreviations, initials, ordinals.
 */
function fullStopContinues(text: string, i: number, w: number, lexicon: Lexicon): boolean {
  const token = tokenBefore(text, i);
  if (token === "") return false;
  const next = wordAt(text, w);
  const nextIsNumber = w >= 0 && isDigit(text[w]!);
  const startsSentence = (word: string) => lexicon.starters.size === 0 || lexicon.starters.has(word);

  if (lexicon.titles.has(token) || lexicon.inner.has(token)) return true;
  if (nextIsNumber && lexicon.beforeNumber.has(token)) return true;
  // "J. R. R. Tolkien", "George W. Bush": an initial, unless a sentence plainly starts after it.
  if (token.length === 1 && isUppercase(token)) return !(next.length > 1 && lexicon.starters.has(next));
  // "am 3. Oktober", "der 1. FC": an ordinal, unless a sentence plainly starts after it.
  if (lexicon.dottedOrdinals && DOTTED_ORDINAL.test(token)) return !lexicon.starters.has(next);
  // "etc.", "Inc.", "U.S.", "a.m.": may end a sentence; they do when a typical sentence opener follows.
  if (lexicon.final.has(token) || INITIALISM.test(token)) return !startsSentence(next);
  return false;
}

/** The word a full stop at `i` is attached to, without opening quotes or brackets. */
function tokenBefore(text: string, i: number): string {
  let s = i;
  while (s > 0 && i - s < 40 && !isSpace(text.charCodeAt(s - 1))) s--;
  return text.slice(s, i).replace(LEADING_OPENERS, "");
}

/** A word of five or more letters that is no known abbreviation: a full stop after it ends a sentence. */
function isOrdinaryWord(token: string, lexicon: Lexicon): boolean {
  if (token.length < 5 || !ONLY_LETTERS.test(token)) return false;
  return !(
    lexicon.titles.has(token) ||
    lexicon.inner.has(token) ||
    lexicon.final.has(token) ||
    lexicon.beforeNumber.has(token)
  );
}
