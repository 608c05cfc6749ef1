import { describe, expect, it } from "vitest";
import {
  codeForAlias,
  describeLanguage,
  isKnownLanguage,
  languageName,
  languagesOfIso3,
  resolveLanguage,
  SONAR_LANGUAGE_CODES,
  SONAR_LANGUAGES,
  suggestLanguages,
} from "../src/languages/languages.js";
import { UsageError } from "../src/util/errors.js";

describe("SONAR language table", () => {
  it("has the 202 NLLB-200 codes: FLORES-200 minus arb_Latn and min_Arab, Santali as sat_Beng", () => {
    expect(SONAR_LANGUAGES).toHaveLength(202);
    expect(new Set(SONAR_LANGUAGE_CODES).size).toBe(202);
    for (const code of SONAR_LANGUAGE_CODES) expect(code).toMatch(/^[a-z]{3}_[A-Z][a-z]{3}$/);
    expect(isKnownLanguage("arb_Latn")).toBe(false);
    expect(isKnownLanguage("min_Arab")).toBe(false);
    expect(isKnownLanguage("sat_Olck")).toBe(false);
    expect(isKnownLanguage("sat_Beng")).toBe(true);
    expect(SONAR_LANGUAGES.find((l) => l.code === "sat_Beng")?.script).toBe("Olck");
  });

  it("keeps SONAR's card order, which numbers NLLB's tags (eng_Latn is 46th, zul_Latn last)", () => {
    expect(SONAR_LANGUAGE_CODES.indexOf("eng_Latn")).toBe(46);
    expect(SONAR_LANGUAGE_CODES[0]).toBe("ace_Arab");
    expect(SONAR_LANGUAGE_CODES[201]).toBe("zul_Latn");
    // Card order is not alphabetical: pes_Arab sits where fas_Arab used to be.
    expect(SONAR_LANGUAGE_CODES.indexOf("pes_Arab")).toBe(SONAR_LANGUAGE_CODES.indexOf("fao_Latn") + 1);
  });

  it("names every language, with the script where a language has two", () => {
    for (const l of SONAR_LANGUAGES) expect(l.name.length).toBeGreaterThan(1);
    expect(languageName("fra_Latn")).toBe("French");
    expect(languageName("zho_Hant")).toBe("Chinese (Traditional)");
    expect(languageName("ace_Arab")).toBe("Acehnese (Arabic script)");
    expect(new Set(SONAR_LANGUAGES.map((l) => l.name)).size).toBe(202);
    // Codes of our own training data beyond SONAR's set have names too.
    expect(languageName("srp_Latn")).toBe("Serbian (Latin)");
    expect(languageName("xyz_Latn")).toBeUndefined();
    expect(describeLanguage("zho_Hans")).toBe("zho_Hans (Chinese, Simplified)");
  });

  it("maps aliases and ISO 639-3 codes to codes", () => {
    expect(codeForAlias("fr")).toBe("fra_Latn");
    expect(codeForAlias("FA")).toBe("pes_Arab");
    expect(codeForAlias("ger")).toBe("deu_Latn");
    expect(codeForAlias("Deutsch")).toBe("deu_Latn");
    expect(languagesOfIso3("zho").map((l) => l.code)).toEqual(["zho_Hans", "zho_Hant"]);
    expect(languagesOfIso3("xxx")).toEqual([]);
  });
});

describe("suggestLanguages", () => {
  const first = (input: string) => suggestLanguages(input, 3)[0]?.code;

  it("finds the code from ISO 639-1 codes, names, endonyms and misspellings", () => {
    expect(first("fr")).toBe("fra_Latn");
    expect(first("french")).toBe("fra_Latn");
    expect(first("French")).toBe("fra_Latn");
    expect(first("frnch")).toBe("fra_Latn");
    expect(first("eng_latn")).toBe("eng_Latn");
    expect(first("en-US")).toBe("eng_Latn");
    expect(first("fre_Latn")).toBe("fra_Latn");
    expect(first("eng_Latm")).toBe("eng_Latn");
    expect(first("deutsch")).toBe("deu_Latn");
    expect(first("日本語")).toBe("jpn_Jpan");
    expect(first("persian")).toBe("pes_Arab");
    expect(first("arabic")).toBe("arb_Arab");
    expect(first("Portugese")).toBe("por_Latn");
    expect(first("sat_Olck")).toBe("sat_Beng");
  });

  it("offers every script of a language and nothing far-fetched", () => {
    expect(suggestLanguages("zh", 3).map((l) => l.code)).toEqual(["zho_Hans", "zho_Hant"]);
    expect(suggestLanguages("kas", 2).map((l) => l.code)).toEqual(["kas_Arab", "kas_Deva"]);
    expect(suggestLanguages("french", 3).map((l) => l.code)).toEqual(["fra_Latn"]);
    expect(suggestLanguages("qqqqqqqq", 3)).toEqual([]);
    expect(suggestLanguages("", 3)).toEqual([]);
  });

  it("suggests only among the given codes", () => {
    expect(suggestLanguages("fr", 3, ["eng_Latn", "deu_Latn"])).toEqual([]);
    expect(suggestLanguages("germn", 3, ["eng_Latn", "deu_Latn"]).map((l) => l.code)).toEqual(["deu_Latn"]);
  });
});

describe("resolveLanguage", () => {
  const supported = ["eng_Latn", "fra_Latn", "deu_Latn", "zho_Hans"];

  it("accepts supported codes in any case and with a hyphen", () => {
    expect(resolveLanguage("fra_Latn", supported)).toBe("fra_Latn");
    expect(resolveLanguage(" ENG-latn ", supported)).toBe("eng_Latn");
  });

  it("rejects a misspelt code with the closest supported codes", () => {
    expect(() => resolveLanguage("fre_Latn", supported)).toThrow(UsageError);
    expect(() => resolveLanguage("fre_Latn", supported)).toThrow(
      "unknown language 'fre_Latn'; did you mean fra_Latn (French)?",
    );
    expect(() => resolveLanguage("french", supported)).toThrow(/did you mean fra_Latn \(French\)\?$/);
  });

  it("rejects a real code the model lacks, suggesting only the same language in another script", () => {
    expect(() => resolveLanguage("spa_Latn", supported)).toThrow(
      "language spa_Latn (Spanish) is not supported by this model (supported: eng_Latn, fra_Latn, deu_Latn, zho_Hans)",
    );
    expect(() => resolveLanguage("zho_Hant", supported)).toThrow(
      "language zho_Hant (Chinese, Traditional) is not supported by this model; did you mean zho_Hans (Chinese, Simplified)?",
    );
  });

  it("keeps long lists and odd input out of the message", () => {
    expect(() => resolveLanguage("xx\u001b[31m", SONAR_LANGUAGE_CODES)).toThrow(
      "unknown language 'xx' (the model supports 202 languages; 'lcm models info' lists them)",
    );
  });
});
