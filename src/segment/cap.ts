/**
 * The paper's cap ("SaT Capped"): a sentence longer than the cap is re-split, preferably at clause
 * boundaries. Cut points are tried by class, best first:
 *   1. ";" or ":" (and their fullwidth, Arabic, Ethiopic forms)
 *   2. a comma followed by a conjunction or relative pronoun of the language ("..., and", "..., die")
 *   3. a dash between spaces (" - ", " – ", " — ") or an em dash between words
 *   4. any comma (",", "，", "、", "،", ...)
 *   5. any space (a word boundary)
 *   6. a word boundary from Intl.Segmenter (Chinese, Japanese, Thai, Khmer, ... have no spaces)
 *   7. a grapheme boundary (never inside a surrogate pair or a combining sequence)
 * Within a class the cut nearest to an even split is taken, so a 300-character sentence becomes two
 * pieces of ~150 rather than 256 + 44.
 */
import { isSpace } from "./chars.js";
import { lexiconFor } from "./lexicon.js";
import type { Segment } from "./types.js";

const CLAUSE_MARKS = new Set([";", ":", "\uFF1B", "\uFF1A", "\u061B", "\u1364", "\u1365", "\u0387"]);
const COMMAS = new Set([",", "\uFF0C", "\u3001", "\u060C", "\u1363", "\u104A", "\u055D", "\uFF64"]);
const DASHES = new Set(["-", "\u2013", "\u2014", "\u2012", "\u2015"]);
/** ASCII marks that also occur inside tokens ("3:30", "1,000") count only before a space. */
const NEED_SPACE_AFTER = new Set([";", ":", ","]);
const CLASS_COUNT = 7;
const NEXT_WORD = /^\s*["'\u201C\u2018\u00AB\u201E]?([\p{L}\p{M}]+)/u;

export function capSpans(
  text: string,
  spans: Segment[],
  maxChars: number,
  lang: string | undefined,
): Segment[] {
  if (spans.every((span) => span.end - span.start <= maxChars)) return spans;
  const conjunctions = lexiconFor(lang).conjunctions;
  const out: Segment[] = [];
  for (const span of spans) {
    if (span.end - span.start <= maxChars) out.push(span);
    else splitLong(text, span, maxChars, conjunctions, lang, out);
  }
  return out;
}

function splitLong(
  text: string,
  span: Segment,
  maxChars: number,
  conjunctions: ReadonlySet<string>,
  lang: string | undefined,
  out: Segment[],
): void {
  let start = span.start;
  const end = span.end;
  while (end - start > maxChars) {
    const cut = chooseCut(text, start, end, maxChars, conjunctions, lang);
    let left = cut;
    while (left > start && isSpace(text.charCodeAt(left - 1))) left--;
    if (left > start) out.push({ start, end: left });
    start = cut;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
  }
  if (end > start) out.push({ start, end });
}

/** Cut positions (the end of the left piece) in (start, start + maxChars], grouped by class. */
function candidateCuts(
  text: string,
  start: number,
  limit: number,
  conjunctions: ReadonlySet<string>,
): number[][] {
  const classes: number[][] = Array.from({ length: CLASS_COUNT }, () => []);
  for (let k = start; k < limit; k++) {
    const c = text[k]!;
    const spaceAfter = isSpace(text.charCodeAt(k + 1));
    if (CLAUSE_MARKS.has(c) && (spaceAfter || !NEED_SPACE_AFTER.has(c))) {
      classes[0]!.push(k + 1);
    } else if (COMMAS.has(c) && (spaceAfter || !NEED_SPACE_AFTER.has(c))) {
      if (conjunctions.size > 0 && conjunctions.has(nextWord(text, k + 1).toLowerCase()))
        classes[1]!.push(k + 1);
      else classes[3]!.push(k + 1);
    } else if (DASHES.has(c) && k > start) {
      const spaced = isSpace(text.charCodeAt(k - 1)) && spaceAfter;
      const glued = !isSpace(text.charCodeAt(k - 1)) && !spaceAfter;
      // Cut before a spaced dash (it opens the aside), after an em dash or a typewriter "--" glued
      // to words ("mother--too").
      if (spaced) classes[2]!.push(k);
      else if (glued && c !== "-") classes[2]!.push(k + 1);
      else if (glued && text[k + 1] === "-" && text[k - 1] !== "-") classes[2]!.push(k + 2);
    } else if (isSpace(text.charCodeAt(k)) && k > start && !isSpace(text.charCodeAt(k - 1))) {
      classes[4]!.push(k);
    }
  }
  return classes;
}

/** The word after a comma, past spaces and an opening quote (', "and therefore" -> "and"). */
function nextWord(text: string, from: number): string {
  const match = NEXT_WORD.exec(text.slice(from, from + 32));
  return match ? match[1]! : "";
}

function chooseCut(
  text: string,
  start: number,
  end: number,
  maxChars: number,
  conjunctions: ReadonlySet<string>,
  lang: string | undefined,
): number {
  const limit = start + maxChars;
  const remaining = end - start;
  const pieces = Math.ceil(remaining / maxChars);
  const target = start + remaining / pieces;
  // A cut must leave what follows short enough for the remaining pieces, and not make a crumb.
  const fits = (cut: number) => end - cut <= maxChars * (pieces - 1);
  const minPiece = Math.min(Math.floor(maxChars / 8), 32);
  const classes = candidateCuts(text, start, limit, conjunctions);
  // Intl.Segmenter runs only when the cheaper classes found nothing.
  let segmented = false;
  const cutsOf = (c: number): number[] => {
    if (c >= 5 && !segmented) {
      classes[5] = boundaries(wordSegmenter(lang), text, start, limit);
      classes[6] = boundaries(graphemeSegmenter(), text, start, limit);
      segmented = true;
    }
    return classes[c]!;
  };

  for (const preferFit of [true, false]) {
    for (let c = 0; c < CLASS_COUNT; c++) {
      const usable = cutsOf(c).filter(
        (cut) =>
          cut > start && cut <= limit && (c >= 4 || cut - start >= minPiece) && (!preferFit || fits(cut)),
      );
      if (usable.length > 0) return nearest(usable, target);
    }
  }
  return limit; // Unreachable in practice: a grapheme boundary always exists at or before the limit.
}

function nearest(cuts: number[], target: number): number {
  let best = cuts[0]!;
  for (const cut of cuts) if (Math.abs(cut - target) < Math.abs(best - target)) best = cut;
  return best;
}

/** Segment boundaries strictly inside (start, limit] from an Intl.Segmenter over a window. */
function boundaries(segmenter: Intl.Segmenter, text: string, start: number, limit: number): number[] {
  const window = text.slice(start, Math.min(text.length, limit + 1));
  const cuts: number[] = [];
  for (const part of segmenter.segment(window)) {
    const cut = start + part.index;
    if (cut > start && cut <= limit) cuts.push(cut);
  }
  return cuts;
}

const wordSegmenters = new Map<string, Intl.Segmenter>();
let graphemes: Intl.Segmenter | undefined;

function wordSegmenter(lang: string | undefined): Intl.Segmenter {
  const key = lang ?? "";
  let segmenter = wordSegmenters.get(key);
  if (!segmenter) {
    segmenter = new Intl.Segmenter(intlLocale(lang), { granularity: "word" });
    wordSegmenters.set(key, segmenter);
  }
  return segmenter;
}

function graphemeSegmenter(): Intl.Segmenter {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return graphemes;
}

/** FLORES-200 "jpn_Jpan" -> BCP 47 "jpn-Jpan" (Intl canonicalises it to "ja-Jpan"); undefined if unusable. */
export function intlLocale(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  try {
    return Intl.getCanonicalLocales(lang.replace("_", "-"))[0];
  } catch {
    return undefined;
  }
}
