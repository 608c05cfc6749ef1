import { describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { outlineStats } from "../src/planner/outline-stats.js";
import { estimateTokens } from "../src/planner/token-estimate.js";
import { ruleSegmenter } from "../src/segment/rules.js";

describe("token estimate", () => {
  it("counts about one token per English word plus punctuation, more for long words", () => {
    expect(estimateTokens("The cat sat on the mat.")).toBe(7);
    expect(estimateTokens("internationalization")).toBe(3);
    expect(estimateTokens("sentence")).toBe(1);
    expect(estimateTokens("  \n\t ")).toBe(0);
    expect(estimateTokens("Hello, world!")).toBe(4);
  });

  it("counts scripts without spaces by characters", () => {
    expect(estimateTokens("今日は晴れです。")).toBe(5 + 1); // 7 CJK chars -> ceil(14/3) = 5, plus 。
    expect(estimateTokens("สวัสดีครับ")).toBe(3); // 10 Thai chars -> ceil(10/4)
    expect(estimateTokens("안녕하세요 세계")).toBe(3 + 1); // 5 and 2 syllables
    expect(estimateTokens("Привет, мир.")).toBe(4);
    expect(estimateTokens("नमस्ते दुनिया।")).toBe(3); // vowel signs stay inside their words
  });
});

describe("outline stats", () => {
  const doc = "# Title\n\nOne short sentence here. Another one follows it.\n\n```\nignored code block\n```\n";
  const outline = buildOutline(doc, { segmenter: ruleSegmenter, format: "markdown" });

  it("counts sentence concepts and their tokens, leaving opaque blocks out", () => {
    expect(outlineStats(outline)).toEqual({
      chars: doc.length,
      tokens: 5 + 5,
      concepts: 2,
      ratio: 5,
      token_source: "estimate",
      sections: 1,
      opaque_blocks: 1,
    });
  });

  it("uses the codec tokenizer when one is given", () => {
    const stats = outlineStats(outline, (text) => text.length);
    expect(stats).toMatchObject({ tokens: 24 + 23, concepts: 2, ratio: 23.5, token_source: "tokenizer" });
  });
});
