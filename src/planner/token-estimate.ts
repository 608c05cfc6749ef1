/**
 * Token count estimate for when no codec tokenizer is loaded. It approximates a large multilingual
 * SentencePiece vocabulary (NLLB/SONAR's 256k, or the default codec's) from character classes, in one
 * pass without allocation (Intl.Segmenter was far too slow on long texts: minutes for a book):
 *
 * - a run of letters/digits in a space-separated script (Latin, Cyrillic, Greek, Arabic, Devanagari, ...)
 *   counts 1 + floor((length - 1) / 8) tokens: one for a word of up to 8 characters, more for longer;
 * - Han, Hiragana, Katakana: 2 tokens per 3 characters (rounded up per run);
 * - Hangul: 1 token per 2 syllables (rounded up per run);
 * - Thai, Lao, Khmer, Myanmar, Tibetan (written without spaces): 1 token per 4 characters;
 * - every punctuation mark or symbol: 1 token; whitespace: none.
 *
 * On English prose (Mill's On Liberty) this gives 1.25 tokens per word, punctuation included, in line
 * with subword tokenizers (GPT-2's BPE: ~1.3).
 */

const CharClass = { Space: 0, Punct: 1, Word: 2, Han: 3, Hangul: 4, Unspaced: 5 } as const;
type CharClass = (typeof CharClass)[keyof typeof CharClass];

function classify(code: number): CharClass {
  if (code < 0x80) {
    if (code <= 0x20 || code === 0x7f) return CharClass.Space;
    if ((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) {
      return CharClass.Word;
    }
    return CharClass.Punct;
  }
  if (code <= 0xbf) return code === 0xa0 || code === 0x85 ? CharClass.Space : CharClass.Punct;
  if (code === 0xd7 || code === 0xf7) return CharClass.Punct;
  // Sentence and clause marks inside letter blocks: Arabic ، ؛ ؟ ۔, Armenian ։, Devanagari । ॥, Ethiopic ።
  if (code === 0x060c || code === 0x061b || code === 0x061f || code === 0x06d4 || code === 0x0589) {
    return CharClass.Punct;
  }
  if (code === 0x0964 || code === 0x0965 || (code >= 0x1361 && code <= 0x1368)) return CharClass.Punct;
  if (code >= 0x0e00 && code <= 0x0eff) return CharClass.Unspaced; // Thai, Lao
  if (code >= 0x0f00 && code <= 0x0fff) return CharClass.Unspaced; // Tibetan
  if (code >= 0x1000 && code <= 0x109f) return CharClass.Unspaced; // Myanmar
  if (code >= 0x1100 && code <= 0x11ff) return CharClass.Hangul; // Hangul Jamo
  if (code >= 0x1780 && code <= 0x17ff) return CharClass.Unspaced; // Khmer
  if (code >= 0x2000 && code <= 0x200a) return CharClass.Space;
  if (code >= 0x2028 && code <= 0x2029) return CharClass.Space;
  if (code >= 0x200b && code <= 0x2bff) return CharClass.Punct; // general punctuation, symbols, arrows
  if (code === 0x3000) return CharClass.Space;
  if (code >= 0x3001 && code <= 0x303f) return CharClass.Punct; // CJK punctuation
  if (code >= 0x3040 && code <= 0x30ff) return CharClass.Han; // Hiragana, Katakana
  if (code >= 0x3400 && code <= 0x9fff) return CharClass.Han;
  if (code >= 0xac00 && code <= 0xd7af) return CharClass.Hangul;
  if (code >= 0xd800 && code <= 0xdbff) return CharClass.Han; // astral: mostly CJK extensions and emoji
  if (code >= 0xdc00 && code <= 0xdfff) return CharClass.Space; // second half of a pair: already counted
  if (code >= 0xf900 && code <= 0xfaff) return CharClass.Han;
  if (code >= 0xfe30 && code <= 0xfe4f) return CharClass.Punct;
  if (code >= 0xff01 && code <= 0xff0f) return CharClass.Punct; // full-width punctuation
  if (code >= 0xff1a && code <= 0xff20) return CharClass.Punct;
  return CharClass.Word;
}

function runCost(c: CharClass, n: number): number {
  switch (c) {
    case CharClass.Space:
      return 0;
    case CharClass.Punct:
      return n;
    case CharClass.Word:
      return 1 + Math.floor((n - 1) / 8);
    case CharClass.Han:
      return Math.ceil((n * 2) / 3);
    case CharClass.Hangul:
      return Math.ceil(n / 2);
    default:
      return Math.ceil(n / 4);
  }
}

export function estimateTokens(text: string): number {
  let tokens = 0;
  let runClass: CharClass = CharClass.Space;
  let runLength = 0;
  for (let i = 0; i < text.length; i++) {
    const c = classify(text.charCodeAt(i));
    if (c === runClass) {
      runLength++;
      continue;
    }
    // Combining marks (Devanagari vowel signs etc.) sit in the Word class, so words stay whole.
    tokens += runCost(runClass, runLength);
    runClass = c;
    runLength = 1;
  }
  return tokens + runCost(runClass, runLength);
}
