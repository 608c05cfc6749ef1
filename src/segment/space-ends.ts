/**
 * Sentence ends marked by a space rather than by punctuation.
 *
 * Thai writes no sentence punctuation: a space separates sentences, but also clauses, phrases and
 * foreign words. A space between two Thai words is taken as a sentence end when the word after it can
 * open a sentence (not a conjunction, relative or particle such as และ "and", ซึ่ง "which", ว่า "that"),
 * the word before it can close one (not ว่า "that", ของ "of", ...), and the sentence so far is not
 * short. Measured on NTREX-128 this finds about half the Thai boundaries at about half precision,
 * where Intl.Segmenter finds almost none; Thai sentence splitting by rules has that ceiling.
 *
 * Tibetan separates syllables with a tsheg (་) and ends clauses with a shad (།), except after ག where
 * the shad is left out and a space follows; Dzongkha often drops the final shad too. A space that
 * follows a bare Tibetan syllable (no tsheg, no shad) therefore ends a sentence.
 */

/** Words that cannot open a Thai sentence: conjunctions, relatives, prepositions, particles, auxiliaries. */
const THAI_NOT_FIRST = new Set(
  "และ แต่ ซึ่ง โดย ที่ กล่าว ๆ จะ ได้ เช่น ก็ รวม เพราะ หรือ เนื่องจาก ของ ทำให้ เพื่อ จึง คือ ว่า กับ แก่ แห่ง ให้ ต่อ ถึง จน ส่วน เป็น อยู่ ไป มา แล้ว ด้วย ตาม".split(
    " ",
  ),
);
/** Words that cannot close a Thai sentence: they introduce what follows. */
const THAI_NOT_LAST = new Set(
  "ว่า คือ และ ที่ ของ กับ เช่น แต่ หรือ ซึ่ง โดย เพื่อ ใน จาก ให้ ต่อ แก่ แห่ง นาย นาง ดร".split(" "),
);
/** The shortest Thai sentence (in UTF-16 units) a space may close. */
const THAI_MIN_SENTENCE = 40;

const isThai = (c: string | undefined) => c !== undefined && c >= "\u0E01" && c <= "\u0E4F";

/** How far around a space to look for the words on either side (longer Thai words are rare). */
const WORD_WINDOW = 24;
const SPACE_RUN = /\s+/g;

let thaiWords: Intl.Segmenter | undefined;

/**
 * Ends of Thai sentences in text[from, to) given the ends already found by punctuation (sorted);
 * returns all ends, merged and sorted. Intl.Segmenter only ever sees a small window around each
 * space: V8's segmenter slows down quadratically on long strings.
 */
export function withThaiSentenceEnds(text: string, from: number, to: number, ends: number[]): number[] {
  thaiWords ??= new Intl.Segmenter("th", { granularity: "word" });
  const merged: number[] = [];
  let next = 0;
  let last = from;
  SPACE_RUN.lastIndex = from;
  for (let space = SPACE_RUN.exec(text); space && space.index < to; space = SPACE_RUN.exec(text)) {
    const at = space.index;
    const after = at + space[0].length;
    while (next < ends.length && ends[next]! <= at) {
      last = ends[next]!;
      merged.push(ends[next++]!);
    }
    if (after >= to || at - last < THAI_MIN_SENTENCE) continue;
    const before = text[at - 1];
    const first = text[after];
    const thaiBefore = isThai(before) || before === "\u201D" || before === ")";
    const thaiAfter = isThai(first) || first === "\u201C";
    if (!thaiBefore || !thaiAfter) continue;
    if (THAI_NOT_FIRST.has(firstWord(text.slice(after, Math.min(to, after + WORD_WINDOW))))) continue;
    if (THAI_NOT_LAST.has(lastWord(text.slice(Math.max(from, at - WORD_WINDOW), at)))) continue;
    merged.push(at);
    last = at;
  }
  while (next < ends.length) merged.push(ends[next++]!);
  return merged;
}

function firstWord(window: string): string {
  for (const part of thaiWords!.segment(window)) return part.segment;
  return "";
}

function lastWord(window: string): string {
  let word = "";
  for (const part of thaiWords!.segment(window)) word = part.segment;
  return word;
}

/** A bare Tibetan syllable (ending in a letter or vowel sign, not a tsheg or shad), spaces, a Tibetan letter. */
const TIBETAN_SPACE_END = /[\u0F40-\u0FBC](?=[ \u00A0]+[\u0F40-\u0F6C])/g;

export function withTibetanSentenceEnds(text: string, from: number, to: number, ends: number[]): number[] {
  const found: number[] = [];
  TIBETAN_SPACE_END.lastIndex = from;
  for (let m = TIBETAN_SPACE_END.exec(text); m && m.index < to; m = TIBETAN_SPACE_END.exec(text)) {
    found.push(m.index + 1);
  }
  if (found.length === 0) return ends;
  return [...new Set([...ends, ...found])].sort((a, b) => a - b);
}
