/**
 * Source-language detection for the encoder's language tag. franc-all (franc's 414-language build:
 * trigram profiles, ISO 639-3 answers such as "fra", "cmn", "arb") does the work; the smaller franc
 * build lacks ~30 SONAR languages (Welsh, Basque, Irish, Icelandic, Maltese ...). This module maps
 * franc's answers onto the FLORES codes a model supports, choosing the script from the text when a
 * language has several (Chinese Simplified/Traditional, Acehnese Arabic/Latin, Serbian Cyrillic/
 * Latin ...), and falls back on the writing system when the text is too short for trigrams.
 *
 * Not detectable (no franc profile): the Arabic dialects (answered as arb_Arab), Assamese and
 * Meitei (Bengali script, answered as ben_Beng), Cantonese (answered as Chinese), Bashkir, Sindhi,
 * Kashmiri, Banjar, Tamasheq and a few more; pass the language explicitly for those.
 *
 * confidence is a rough 0..1 score, not a probability: trigram answers get m / (m + 2), where m is
 * franc's margin between the best language and the best one that maps to another code, scaled by
 * the text length (about "how many trigrams' worth" the winner is ahead). Near-identical languages
 * (Bosnian/Croatian/Serbian, Norwegian Bokmål/Nynorsk, Indonesian/Malay) score low, which is when
 * per-paragraph callers should lean on the document's language.
 */
import { francAll } from "franc-all";
import { codeForAlias, SONAR_LANGUAGE_CODES } from "./languages.js";
import { dominantScript, scriptCounts } from "./scripts.js";

export interface Detection {
  /** FLORES code, one of the supported codes. */
  lang: string;
  confidence: number;
  /**
   * trigrams: franc's answer; script: the only (or the usual) supported language of the text's
   * writing system; document: a short or unsure paragraph that took its document's language;
   * fallback: nothing to go on (no letters), the fallback language.
   */
  method: "trigrams" | "script" | "document" | "fallback";
}

export interface DetectOptions {
  /** Codes the model accepts (default: SONAR's 202). Only these are ever returned. */
  supported?: readonly string[];
  /** Answer when the text gives nothing to go on (default eng_Latn, else the first supported). */
  fallback?: string;
  /** Fewer letters than this skip trigram detection (default 12). */
  minLetters?: number;
}

/** franc's ISO 639-3 codes whose FLORES code uses another ISO 639-3 code. */
const FRANC_ISO: Readonly<Record<string, string>> = {
  cmn: "zho",
  zlm: "zsm",
  pbu: "pbt",
  ekk: "est",
  quz: "quy",
  qug: "quy",
  fuf: "fuv",
  dip: "dik",
  kng: "kon",
  src: "srd",
  zgh: "tzm",
};

/**
 * Where the language's own script is not supported, the closest supported code for text in this
 * script (language:script -> codes in order of preference). Serbian in Latin letters reads as
 * Bosnian/Croatian rather than Cyrillic Serbian, Kurdish in Latin letters is Kurmanji, and so on.
 */
const SCRIPT_SUBSTITUTES: Readonly<Record<string, readonly string[]>> = {
  "srp:Latn": ["srp_Latn", "bos_Latn", "hrv_Latn"],
  "bos:Cyrl": ["srp_Cyrl"],
  "ckb:Latn": ["kmr_Latn"],
  "uzn:Cyrl": ["uzn_Cyrl", "uzn_Latn"],
  "azj:Cyrl": ["azj_Latn"],
  "tuk:Cyrl": ["tuk_Latn"],
  "zho:Hant": ["zho_Hant", "yue_Hant", "zho_Hans"],
  "zho:Hans": ["zho_Hans", "yue_Hans", "zho_Hant"],
};

/** The usual language of a script when trigrams cannot decide (short text). */
const SCRIPT_DEFAULTS: Readonly<Record<string, string>> = {
  Latn: "eng_Latn",
  Cyrl: "rus_Cyrl",
  Arab: "arb_Arab",
  Deva: "hin_Deva",
  Beng: "ben_Beng",
  Hans: "zho_Hans",
  Hant: "zho_Hant",
  Jpan: "jpn_Jpan",
  Hang: "kor_Hang",
  Ethi: "amh_Ethi",
  Hebr: "heb_Hebr",
  Mymr: "mya_Mymr",
  Tibt: "bod_Tibt",
  Tfng: "tzm_Tfng",
  Olck: "sat_Beng",
};

function scriptOfCode(code: string): string {
  return code === "sat_Beng" ? "Olck" : code.slice(4);
}

/**
 * The supported FLORES code for franc's ISO 639-3 answer, given the text's dominant script;
 * undefined when the model supports no code for that language in that script (or a substitute).
 */
export function francToFlores(
  iso3: string,
  script: string | undefined,
  supported: readonly string[],
): string | undefined {
  const lang = FRANC_ISO[iso3] ?? iso3;
  // Kana make Japanese even where kanji outnumber them and franc answers Chinese.
  if (lang === "jpn" || (lang === "zho" && script === "Jpan")) {
    return supported.includes("jpn_Jpan") ? "jpn_Jpan" : undefined;
  }
  const candidates = supported.filter((code) => code.slice(0, 3) === lang);
  if (script !== undefined) {
    const same = candidates.find((code) => scriptOfCode(code) === script);
    if (same !== undefined) return same;
    for (const substitute of SCRIPT_SUBSTITUTES[`${lang}:${script}`] ?? []) {
      if (supported.includes(substitute)) return substitute;
    }
  }
  // Text in another script than all of the language's codes: not this language after all (franc
  // has Latin-script profiles for some languages SONAR writes in Arabic script, e.g. azb).
  if (script !== undefined) return undefined;
  if (candidates.length > 0) return candidates[0];
  // A macrolanguage or ISO 639-1 alias franc might use (e.g. "ara"): its usual code.
  const alias = codeForAlias(lang);
  return alias !== undefined && supported.includes(alias) ? alias : undefined;
}

/** franc languages that can map onto `supported`, for franc's `only` option (memoized per list). */
const francOnlyCache = new WeakMap<readonly string[], string[]>();
const FRANC_LANGUAGES = [
  ...new Set([
    ...SONAR_LANGUAGE_CODES.map((c) => c.slice(0, 3)),
    ...Object.keys(FRANC_ISO),
    "srp",
    "bos",
    "hrv",
  ]),
];

function francOnly(supported: readonly string[]): string[] {
  let only = francOnlyCache.get(supported);
  if (only === undefined) {
    const langs = new Set(supported.map((c) => c.slice(0, 3)));
    only = FRANC_LANGUAGES.filter((iso) => {
      const lang = FRANC_ISO[iso] ?? iso;
      if (langs.has(lang)) return true;
      return Object.entries(SCRIPT_SUBSTITUTES).some(
        ([key, codes]) => key.startsWith(`${lang}:`) && codes.some((c) => supported.includes(c)),
      );
    });
    francOnlyCache.set(supported, only);
  }
  return only;
}

function letterCount(text: string): number {
  let n = 0;
  for (const count of scriptCounts(text).values()) n += count;
  return n;
}

function defaultFallback(supported: readonly string[], fallback?: string): string {
  if (fallback !== undefined && supported.includes(fallback)) return fallback;
  return supported.includes("eng_Latn") ? "eng_Latn" : supported[0];
}

/** Best guess from the writing system alone. */
function byScript(script: string | undefined, supported: readonly string[], fallback?: string): Detection {
  if (script !== undefined) {
    const inScript = supported.filter((code) => scriptOfCode(code) === script);
    if (inScript.length === 1) return { lang: inScript[0], confidence: 0.9, method: "script" };
    if (fallback !== undefined && inScript.includes(fallback))
      return { lang: fallback, confidence: 0.3, method: "script" };
    const usual = SCRIPT_DEFAULTS[script];
    if (usual !== undefined && inScript.includes(usual))
      return { lang: usual, confidence: 0.3, method: "script" };
    if (inScript.length > 0) return { lang: inScript[0], confidence: 0.2, method: "script" };
  }
  return { lang: defaultFallback(supported, fallback), confidence: 0, method: "fallback" };
}

/** Detects the language of `text` among the supported codes. */
export function detectLanguage(text: string, options: DetectOptions = {}): Detection {
  const supported = options.supported ?? SONAR_LANGUAGE_CODES;
  if (supported.length === 0) throw new RangeError("detectLanguage needs at least one supported language");
  const script = dominantScript(text);
  const letters = letterCount(text);
  if (letters < (options.minLetters ?? 12)) return byScript(script, supported, options.fallback);

  const sample = text.length > 4096 ? text.slice(0, 4096) : text;
  const ranked = francAll(sample, { only: francOnly(supported), minLength: 1 });
  let best: string | undefined;
  let bestScore = 0;
  for (const [iso3, score] of ranked) {
    if (iso3 === "und") continue;
    const code = francToFlores(iso3, script, supported);
    if (code === undefined) continue;
    if (best === undefined) {
      best = code;
      bestScore = score;
      continue;
    }
    if (code !== best) {
      const margin = (bestScore - score) * Math.min(sample.length, 2048);
      return { lang: best, confidence: round(margin / (margin + 2)), method: "trigrams" };
    }
  }
  if (best !== undefined) return { lang: best, confidence: 1, method: "trigrams" };
  return byScript(script, supported, options.fallback);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export interface DocumentDetection {
  /** The language most of the document's letters are in (by confident paragraphs). */
  document: Detection;
  /** One per paragraph; short or unsure paragraphs in the document's script take its language. */
  paragraphs: Detection[];
}

/**
 * Per-paragraph detection for mixed documents. Every paragraph is detected on its own; the
 * document's language is the one with the most letters among confident paragraphs; a paragraph
 * with fewer than `minParagraphLetters` letters or a confidence under `minConfidence` takes the
 * document's language when it is written in the same script (a Cyrillic quote inside an English
 * text keeps its own answer).
 */
export function detectParagraphLanguages(
  paragraphs: readonly string[],
  options: DetectOptions & { minParagraphLetters?: number; minConfidence?: number } = {},
): DocumentDetection {
  const minLetters = options.minParagraphLetters ?? 40;
  const minConfidence = options.minConfidence ?? 0.5;
  const own = paragraphs.map((p) => detectLanguage(p, options));
  const weight = new Map<string, number>();
  own.forEach((d, i) => {
    if (d.method === "fallback") return;
    const letters = letterCount(paragraphs[i]);
    const trusted = letters >= minLetters && d.confidence >= minConfidence;
    weight.set(d.lang, (weight.get(d.lang) ?? 0) + letters * (trusted ? 1 : 0.25));
  });
  let document: Detection;
  if (weight.size === 0) {
    document = detectLanguage(paragraphs.join("\n\n"), options);
  } else {
    const total = [...weight.values()].reduce((a, b) => a + b, 0);
    const [lang, w] = [...weight].reduce((a, b) => (b[1] > a[1] ? b : a));
    document = { lang, confidence: round(w / total), method: "trigrams" };
  }
  const docScript = scriptOfCode(document.lang);
  const result = own.map((d, i) => {
    const unsure = letterCount(paragraphs[i]) < minLetters || d.confidence < minConfidence;
    if (!unsure) return d;
    const script = dominantScript(paragraphs[i]);
    const sameScript = script === undefined || script === docScript;
    return sameScript ? { lang: document.lang, confidence: d.confidence, method: "document" as const } : d;
  });
  return { document, paragraphs: result };
}
