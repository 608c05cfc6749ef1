/**
 * Which writing system a text uses, by Unicode block: enough to pick between a language's scripts
 * (Acehnese in Arabic or Latin letters), to tell Japanese from Chinese by its kana, and Simplified
 * from Traditional Chinese by characters that differ between the two.
 * Script codes are ISO 15924, as in FLORES codes ("Latn", "Cyrl", "Hani"; kana counts as "Kana").
 */

/** [first, last, script] code point ranges, sorted. */
const RANGES: readonly (readonly [number, number, string])[] = [
  [0x0041, 0x005a, "Latn"],
  [0x0061, 0x007a, "Latn"],
  [0x00c0, 0x024f, "Latn"],
  [0x0370, 0x03ff, "Grek"],
  [0x0400, 0x052f, "Cyrl"],
  [0x0530, 0x058f, "Armn"],
  [0x0590, 0x05ff, "Hebr"],
  [0x0600, 0x06ff, "Arab"],
  [0x0750, 0x077f, "Arab"],
  [0x0780, 0x07bf, "Thaa"],
  [0x08a0, 0x08ff, "Arab"],
  [0x0900, 0x097f, "Deva"],
  [0x0980, 0x09ff, "Beng"],
  [0x0a00, 0x0a7f, "Guru"],
  [0x0a80, 0x0aff, "Gujr"],
  [0x0b00, 0x0b7f, "Orya"],
  [0x0b80, 0x0bff, "Taml"],
  [0x0c00, 0x0c7f, "Telu"],
  [0x0c80, 0x0cff, "Knda"],
  [0x0d00, 0x0d7f, "Mlym"],
  [0x0d80, 0x0dff, "Sinh"],
  [0x0e00, 0x0e7f, "Thai"],
  [0x0e80, 0x0eff, "Laoo"],
  [0x0f00, 0x0fff, "Tibt"],
  [0x1000, 0x109f, "Mymr"],
  [0x10a0, 0x10ff, "Geor"],
  [0x1100, 0x11ff, "Hang"],
  [0x1200, 0x139f, "Ethi"],
  [0x1400, 0x167f, "Cans"],
  [0x1780, 0x17ff, "Khmr"],
  [0x19e0, 0x19ff, "Khmr"],
  [0x1c50, 0x1c7f, "Olck"],
  [0x1c80, 0x1c8f, "Cyrl"],
  [0x1c90, 0x1cbf, "Geor"],
  [0x1e00, 0x1eff, "Latn"],
  [0x1f00, 0x1fff, "Grek"],
  [0x2c60, 0x2c7f, "Latn"],
  [0x2d00, 0x2d2f, "Geor"],
  [0x2d30, 0x2d7f, "Tfng"],
  [0x2d80, 0x2ddf, "Ethi"],
  [0x2de0, 0x2dff, "Cyrl"],
  [0x3040, 0x30ff, "Kana"],
  [0x3130, 0x318f, "Hang"],
  [0x31f0, 0x31ff, "Kana"],
  [0x3400, 0x4dbf, "Hani"],
  [0x4e00, 0x9fff, "Hani"],
  [0xa640, 0xa69f, "Cyrl"],
  [0xa720, 0xa7ff, "Latn"],
  [0xa8e0, 0xa8ff, "Deva"],
  [0xa960, 0xa97f, "Hang"],
  [0xa9e0, 0xa9ff, "Mymr"],
  [0xaa60, 0xaa7f, "Mymr"],
  [0xab00, 0xab2f, "Ethi"],
  [0xac00, 0xd7ff, "Hang"],
  [0xf900, 0xfaff, "Hani"],
  [0xfb1d, 0xfb4f, "Hebr"],
  [0xfb50, 0xfdff, "Arab"],
  [0xfe70, 0xfeff, "Arab"],
  [0xff21, 0xff3a, "Latn"],
  [0xff41, 0xff5a, "Latn"],
  [0xff66, 0xff9f, "Kana"],
  [0x20000, 0x2fa1f, "Hani"],
];

/** Script of one code point, or undefined for digits, punctuation, symbols and unlisted scripts. */
export function scriptOf(cp: number): string | undefined {
  let lo = 0;
  let hi = RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last, script] = RANGES[mid];
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return script;
  }
  return undefined;
}

/** Letters per script in (at most the first `limit` code points of) `text`. */
export function scriptCounts(text: string, limit = 4096): Map<string, number> {
  const counts = new Map<string, number>();
  let seen = 0;
  for (const ch of text) {
    if (++seen > limit) break;
    const script = scriptOf(ch.codePointAt(0)!);
    if (script !== undefined) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  return counts;
}

/**
 * The script most of the text's letters are in, with Japanese ("Jpan": kana plus the kanji around
 * it) when at least a tenth of its Han/kana letters are kana, and "Hans"/"Hant" for Chinese.
 * Undefined when the text has no letters of a listed script.
 */
export function dominantScript(text: string): string | undefined {
  const counts = scriptCounts(text);
  const kana = counts.get("Kana") ?? 0;
  const han = counts.get("Hani") ?? 0;
  if (kana > 0 && kana >= 0.1 * (kana + han)) {
    counts.set("Jpan", kana + han);
    counts.delete("Kana");
    counts.delete("Hani");
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [script, count] of counts) {
    if (count > bestCount) [best, bestCount] = [script, count];
  }
  if (best === "Hani") return chineseVariant(text);
  return best;
}

// Frequent characters written differently in Simplified and Traditional Chinese (same order).
const SIMPLIFIED =
  "这个们说国会来时为对发经学过后还么没现开关长见东问门车马书电话语让认应实种动与间样两边进头听钱业产从万无网员区乐写报场张";
const TRADITIONAL =
  "這個們說國會來時為對發經學過後還麼沒現開關長見東問門車馬書電話語讓認應實種動與間樣兩邊進頭聽錢業產從萬無網員區樂寫報場張";
const SIMPLIFIED_SET = new Set(SIMPLIFIED);
const TRADITIONAL_SET = new Set(TRADITIONAL);

/** "Hant" when characters only Traditional Chinese uses outnumber Simplified-only ones, else "Hans". */
export function chineseVariant(text: string): "Hans" | "Hant" {
  let simplified = 0;
  let traditional = 0;
  for (const ch of text) {
    if (SIMPLIFIED_SET.has(ch)) simplified++;
    else if (TRADITIONAL_SET.has(ch)) traditional++;
  }
  return traditional > simplified ? "Hant" : "Hans";
}
