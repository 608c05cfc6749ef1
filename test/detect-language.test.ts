import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectLanguage, detectParagraphLanguages, francToFlores } from "../src/languages/detect-language.js";
import { SONAR_LANGUAGE_CODES } from "../src/languages/languages.js";
import { chineseVariant, dominantScript } from "../src/languages/scripts.js";

// Three NTREX-128 sentences per language (see the file's "source").
const fixture = JSON.parse(readFileSync(new URL("./fixtures/lang-detect.json", import.meta.url), "utf8")) as {
  sentences: Record<string, string[]>;
};
const s = fixture.sentences;

describe("dominantScript", () => {
  it("tells scripts, Japanese and the two Chinese variants apart", () => {
    expect(dominantScript(s.rus_Cyrl[0])).toBe("Cyrl");
    expect(dominantScript(s.arb_Arab[0])).toBe("Arab");
    expect(dominantScript(s.jpn_Jpan[0])).toBe("Jpan");
    expect(dominantScript(s.zho_Hans[0])).toBe("Hans");
    expect(dominantScript(s.zho_Hant[0])).toBe("Hant");
    expect(dominantScript("12 + 7 = 19 !")).toBeUndefined();
    expect(chineseVariant("这个国家")).toBe("Hans");
    expect(chineseVariant("這個國家")).toBe("Hant");
  });
});

describe("francToFlores", () => {
  it("maps franc's ISO 639-3 answers to FLORES codes with the text's script", () => {
    expect(francToFlores("fra", "Latn", SONAR_LANGUAGE_CODES)).toBe("fra_Latn");
    expect(francToFlores("cmn", "Hans", SONAR_LANGUAGE_CODES)).toBe("zho_Hans");
    expect(francToFlores("cmn", "Hant", SONAR_LANGUAGE_CODES)).toBe("zho_Hant");
    expect(francToFlores("cmn", "Jpan", SONAR_LANGUAGE_CODES)).toBe("jpn_Jpan");
    expect(francToFlores("zlm", "Latn", SONAR_LANGUAGE_CODES)).toBe("zsm_Latn");
    expect(francToFlores("ace", "Arab", SONAR_LANGUAGE_CODES)).toBe("ace_Arab");
    expect(francToFlores("ace", "Latn", SONAR_LANGUAGE_CODES)).toBe("ace_Latn");
  });

  it("uses a same-script substitute, or nothing, when the language's script is not supported", () => {
    expect(francToFlores("srp", "Latn", SONAR_LANGUAGE_CODES)).toBe("bos_Latn");
    expect(francToFlores("srp", "Latn", [...SONAR_LANGUAGE_CODES, "srp_Latn"])).toBe("srp_Latn");
    expect(francToFlores("srp", "Cyrl", SONAR_LANGUAGE_CODES)).toBe("srp_Cyrl");
    expect(francToFlores("azb", "Latn", SONAR_LANGUAGE_CODES)).toBeUndefined();
    expect(francToFlores("fra", "Latn", ["eng_Latn"])).toBeUndefined();
  });
});

describe("detectLanguage", () => {
  const clear = [
    "eng_Latn",
    "fra_Latn",
    "spa_Latn",
    "ita_Latn",
    "nld_Latn",
    "pol_Latn",
    "ces_Latn",
    "vie_Latn",
    "rus_Cyrl",
    "ukr_Cyrl",
    "bul_Cyrl",
    "ell_Grek",
    "arb_Arab",
    "urd_Arab",
    "heb_Hebr",
    "hin_Deva",
    "mar_Deva",
    "ben_Beng",
    "tam_Taml",
    "tha_Thai",
    "kor_Hang",
    "jpn_Jpan",
    "zho_Hans",
    "zho_Hant",
    "kat_Geor",
    "hye_Armn",
    "cym_Latn",
    "eus_Latn",
    "isl_Latn",
    "swh_Latn",
    "khm_Khmr",
    "mya_Mymr",
  ];

  it("recognizes real sentences in 32 languages and scripts", () => {
    const wrong: string[] = [];
    for (const lang of clear) {
      for (const sentence of s[lang]) {
        const d = detectLanguage(sentence);
        if (d.lang !== lang) wrong.push(`${lang} -> ${d.lang}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("is confident on clear cases and unsure between near-identical languages", () => {
    expect(detectLanguage(s.fra_Latn[0]).confidence).toBeGreaterThan(0.8);
    expect(detectLanguage(s.kor_Hang[0]).confidence).toBe(1);
    const serbian = s.srp_Latn.map((x) => detectLanguage(x));
    for (const d of serbian) expect(["bos_Latn", "hrv_Latn"]).toContain(d.lang);
    expect(Math.min(...serbian.map((d) => d.confidence))).toBeLessThan(0.5);
  });

  it("only answers supported codes", () => {
    const supported = ["eng_Latn", "deu_Latn", "rus_Cyrl"];
    for (const lang of ["fra_Latn", "spa_Latn", "ukr_Cyrl", "arb_Arab"]) {
      expect(supported).toContain(detectLanguage(s[lang][0], { supported }).lang);
    }
    expect(detectLanguage(s.srp_Latn[0], { supported: [...SONAR_LANGUAGE_CODES, "srp_Latn"] }).lang).toBe(
      "srp_Latn",
    );
  });

  it("falls back on the script, then on the fallback language, for short text", () => {
    expect(detectLanguage("안녕하세요")).toEqual({ lang: "kor_Hang", confidence: 0.9, method: "script" });
    expect(detectLanguage("Привет")).toEqual({ lang: "rus_Cyrl", confidence: 0.3, method: "script" });
    expect(detectLanguage("Hallo!", { fallback: "deu_Latn" })).toEqual({
      lang: "deu_Latn",
      confidence: 0.3,
      method: "script",
    });
    expect(detectLanguage("こんにちは").lang).toBe("jpn_Jpan");
    expect(detectLanguage("12345 !!!")).toEqual({ lang: "eng_Latn", confidence: 0, method: "fallback" });
    expect(detectLanguage("", { supported: ["fra_Latn", "deu_Latn"] }).lang).toBe("fra_Latn");
  });
});

describe("detectParagraphLanguages", () => {
  it("detects each paragraph of a mixed document; short ones take the document's language", () => {
    const paragraphs = [
      s.eng_Latn.join(" "),
      s.fra_Latn.join(" "),
      "OK, thanks.",
      s.eng_Latn.slice(0, 2).join(" "),
      s.rus_Cyrl[0],
      "Да.",
    ];
    const { document, paragraphs: found } = detectParagraphLanguages(paragraphs);
    expect(document.lang).toBe("eng_Latn");
    expect(found.map((d) => d.lang)).toEqual([
      "eng_Latn",
      "fra_Latn",
      "eng_Latn",
      "eng_Latn",
      "rus_Cyrl",
      "rus_Cyrl",
    ]);
    expect(found[2].method).toBe("document");
    // "Да." is Cyrillic: it does not take the (Latin) document language.
    expect(found[5].method).toBe("script");
  });
});
