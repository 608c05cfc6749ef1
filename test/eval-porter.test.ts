/**
 * Golden test: our Porter stemmer against nltk 3.10.3's PorterStemmer (NLTK_EXTENSIONS, what rouge-score
 * uses) on ~9,000 words from BBC news and Gutenberg non-fiction plus the rule edge cases. Fixture made by
 * training/eval_fixtures/make_metric_fixtures.py.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { porterStem } from "../src/eval/porter.js";

const fixture = JSON.parse(readFileSync(new URL("./fixtures/eval/porter.json", import.meta.url), "utf8")) as {
  words: string[];
  stems: string[];
};

describe("porterStem", () => {
  it("matches nltk's PorterStemmer on every fixture word", () => {
    expect(fixture.words.length).toBeGreaterThan(5000);
    const mismatches = fixture.words
      .map((word, i) => ({ word, ours: porterStem(word), nltk: fixture.stems[i] }))
      .filter((row) => row.ours !== row.nltk);
    expect(mismatches).toEqual([]);
  });

  it("applies NLTK's extensions, not the original 1980 rules", () => {
    expect(porterStem("dying")).toBe("die"); // irregular-forms table
    expect(porterStem("ties")).toBe("tie"); // four-letter "ies" -> "ie"
    expect(porterStem("cried")).toBe("cri");
    expect(porterStem("happy")).toBe("happi");
    expect(porterStem("sky")).toBe("sky");
    expect(porterStem("generalization")).toBe("gener");
    expect(porterStem("is")).toBe("is"); // one- and two-letter words are left alone
  });
});
