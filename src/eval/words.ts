/**
 * Language-neutral word tokens for the metrics that the reference packages do not define (OVL-3, REP-4,
 * length statistics, the extractive baseline): NFKC, lowercase, then runs of letters, marks and digits
 * (an apostrophe inside a word keeps it whole: "don't"). Scripts written without spaces (Han, kana, Thai,
 * Lao, Khmer, Myanmar, Tibetan) have no word boundaries to find without a dictionary, so each of their
 * characters is one token, as sacrebleu's "zh" tokenizer does for Chinese.
 */

const WORD = /[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}\p{N}]+)*/gu;
const UNSPACED_CHAR =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]/u;
const UNSPACED_OR_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]\p{M}*|[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]+/gu;

export function wordTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const [word] of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    if (!UNSPACED_CHAR.test(word)) {
      tokens.push(word);
      continue;
    }
    for (const [piece] of word.matchAll(UNSPACED_OR_RUN)) tokens.push(piece);
  }
  return tokens;
}

/** Consecutive n-grams as space-joined keys (tokens never contain spaces). */
export function ngrams(tokens: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(" "));
  return out;
}
