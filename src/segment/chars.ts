/**
 * Character classes the rule-based segmenter reasons with: sentence terminators (per script),
 * closing and opening punctuation, letter case, and the scripts written without spaces between words.
 * Kept apart from the rules so the rules read as rules.
 */

/**
 * Terminators that end a sentence only when whitespace (or the end of the text) follows them, possibly
 * after closing quotes or brackets: Latin/Cyrillic/Greek full stop, question and exclamation marks,
 * the ellipsis, Arabic question mark and Urdu full stop, Indic danda, Armenian full stop, Ethiopic full
 * stop and question mark, Syriac, N'Ko, Canadian syllabics, Mongolian, Vai, Lisu and Javanese stops.
 */
const SPACED_TERMINATORS = new Set([
  ".",
  "!",
  "?",
  "\u2026", // … ellipsis
  "\u203C", // ‼
  "\u2047", // ⁇
  "\u2048", // ⁈
  "\u2049", // ⁉
  "\u061F", // ؟ Arabic question mark
  "\u06D4", // ۔ Urdu full stop
  "\u0964", // । danda (Devanagari, Bengali, Gurmukhi, ...)
  "\u0965", // ॥ double danda
  "\u0589", // ։ Armenian full stop
  "\u1362", // ። Ethiopic full stop
  "\u1367", // ፧ Ethiopic question mark
  "\u1368", // ፨ Ethiopic paragraph separator
  "\u0700", // ܀ Syriac end of paragraph
  "\u0701", // ܁ Syriac supralinear full stop
  "\u0702", // ܂ Syriac sublinear full stop
  "\u07F9", // ߹ N'Ko exclamation
  "\u166E", // ᙮ Canadian syllabics full stop
  "\u1803", // ᠃ Mongolian full stop
  "\u1809", // ᠉ Manchu full stop
  "\uA4FF", // ꓿ Lisu full stop
  "\uA60E", // ꘎ Vai full stop
  "\uA9C8", // ꧈ Javanese pada lingsa
  "\uA9C9", // ꧉ Javanese pada lungsi
  "\u1B5A", // ᭚ Balinese panti
  "\u1B5B", // ᭛ Balinese pamada
  "\uAAF0", // ꫰ Meetei Mayek cheikhan
  "\uAAF1", // ꫱ Meetei Mayek ahang khudam
]);

/**
 * Terminators of scripts written without spaces between sentences: a sentence ends right after them
 * (and their closing quotes) whether or not whitespace follows. CJK full stops, Burmese, Khmer and
 * Tibetan section marks.
 */
const UNSPACED_TERMINATORS = new Set([
  "\u3002", // 。 ideographic full stop
  "\uFF01", // ！ fullwidth exclamation
  "\uFF1F", // ？ fullwidth question
  "\uFF0E", // ． fullwidth full stop
  "\uFF61", // ｡ halfwidth ideographic full stop
  "\uFE12", // ︒ vertical ideographic full stop
  "\u104B", // ။ Myanmar section
  "\u17D4", // ។ Khmer khan
  "\u17D5", // ៕ Khmer bariyoosan
  "\u0F0D", // ། Tibetan shad
  "\u0F0E", // ༎ Tibetan nyis shad
  "\u0F11", // ༑ Tibetan rin chen spungs shad
  "\u0F14", // ༔ Tibetan gter tsheg
]);

/** Every character that may start a terminator run; the scanner jumps between these. */
export const CANDIDATE_PATTERN =
  /[.!?\u2026\u203C\u2047-\u2049\u061F\u06D4\u0964\u0965\u0589\u1362\u1367\u1368\u0700-\u0702\u07F9\u166E\u1803\u1809\uA4FF\uA60E\uA9C8\uA9C9\u1B5A\u1B5B\uAAF0\uAAF1\uFF01\uFF1F\u3002\uFF0E\uFF61\uFE12\u104B\u17D4\u17D5\u0F0D\u0F0E\u0F11\u0F14:;|\u1361]/g;

export function isSpacedTerminator(ch: string): boolean {
  return SPACED_TERMINATORS.has(ch);
}

export function isUnspacedTerminator(ch: string): boolean {
  return UNSPACED_TERMINATORS.has(ch);
}

/**
 * Punctuation that closes a sentence after its full stop when it touches it: quotes of every style
 * (a quote glued to a full stop is a closing one, whatever its shape: German closes with “, Danish
 * with «), closing brackets, and the invisible bidi marks right-to-left text carries after the stop.
 */
const CLOSERS = new Set([
  '"',
  "'",
  "\u201D", // ”
  "\u201C", // “ (German closing)
  "\u2019", // ’
  "\u2018", // ‘ (German closing)
  "\u00BB", // »
  "\u00AB", // « (Danish/Swedish closing)
  "\u203A", // ›
  "\u2039", // ‹
  ")",
  "]",
  "}",
  "\u300D", // 」
  "\u300F", // 』
  "\uFF09", // ）
  "\uFF3D", // ］
  "\uFF5D", // ｝
  "\u3009", // 〉
  "\u300B", // 》
  "\u3011", // 】
  "\u3015", // 〕
  "\u3017", // 〗
  "\uFF02", // ＂
  "\uFF07", // ＇
  "\uFF63", // ｣
  "\u0F3B", // ༻ Tibetan closing bracket
  "\u0F3D", // ༽
  "\u200E", // left-to-right mark
  "\u200F", // right-to-left mark
  "\u202C", // pop directional formatting
  "\u2069", // pop directional isolate
]);

export function isCloser(ch: string): boolean {
  return CLOSERS.has(ch);
}

/**
 * Quotes that open in some languages and close in others (“ opens English and Chinese quotations and
 * closes German ones): glued to a full stop they close the sentence only when no word follows them
 * directly ("。“我们" opens the next sentence's quotation).
 */
const AMBIGUOUS_QUOTES = new Set(['"', "'", "\u201C", "\u2018", "\u00AB", "\u2039", "\uFF02", "\uFF07"]);

export function isAmbiguousQuote(ch: string): boolean {
  return AMBIGUOUS_QUOTES.has(ch);
}

/** Whitespace, including no-break and ideographic spaces (what String.prototype.trim removes). */
export function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LOWER = /\p{Ll}/u;
const UPPER = /[\p{Lu}\p{Lt}]/u;
const DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u;
/** Scripts whose lowercase letters do not mark a sentence's continuation (Georgian has no case in prose). */
const UNCASED_LOWER = /\p{Script=Georgian}/u;

export function isLetterOrDigit(ch: string): boolean {
  return LETTER_OR_DIGIT.test(ch);
}

export function isLetter(ch: string): boolean {
  return LETTER.test(ch);
}

export function isDigit(ch: string): boolean {
  return DIGIT.test(ch);
}

/** A lowercase letter of a cased script: after a full stop it means the sentence goes on. */
export function isLowercase(ch: string): boolean {
  return LOWER.test(ch) && ch.toUpperCase() !== ch && !UNCASED_LOWER.test(ch);
}

export function isUppercase(ch: string): boolean {
  return UPPER.test(ch);
}

const ARMENIAN = /\p{Script=Armenian}/u;
const GREEK = /\p{Script=Greek}/u;
const ETHIOPIC = /\p{Script=Ethiopic}/u;
/** Scripts where an ASCII "|" stands in for the danda. */
const DANDA_SCRIPTS =
  /[\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}]/u;
/** Scripts written without spaces between words, where word boundaries come from Intl.Segmenter. */
const UNSPACED_SCRIPTS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;
/** Scripts whose sentences may follow a full stop without a space (Chinese, Japanese). */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303F\uFF00-\uFFEF]/u;

export function isArmenian(ch: string): boolean {
  return ARMENIAN.test(ch);
}

export function isGreek(ch: string): boolean {
  return GREEK.test(ch);
}

export function isEthiopic(ch: string): boolean {
  return ETHIOPIC.test(ch);
}

export function isDandaScript(ch: string): boolean {
  return DANDA_SCRIPTS.test(ch);
}

export function isUnspacedScript(ch: string): boolean {
  return UNSPACED_SCRIPTS.test(ch);
}

export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/** Thai or Tibetan: sentences may end at a space with no punctuation (see segment-space-ends.ts). */
export const SPACE_ENDED_SCRIPTS = /[\u0E00-\u0E7F\u0F00-\u0FFF]/;
