/**
 * A document's title line is never a grounded summary sentence (src/tasks/title-line.ts): found on real
 * BBC articles (title, blank line, body), not on dialogues, prose or Markdown.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import type { DocumentFormat } from "../src/planner/outline.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { titleSentence } from "../src/tasks/title-line.js";

const BBC = readFileSync(new URL("./fixtures/eval/bbc_sample.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { id: string; document: string });

function title(text: string, format: DocumentFormat = "plain"): string | null {
  const outline = buildOutline(text, { segmenter: ruleSegmenter, format });
  const sentences = outline.sections.flatMap((s) =>
    s.concepts.map((c) => ({ id: c.id, text: c.text, span: c.span, pinned: false, lang: "eng_Latn" })),
  );
  const at = titleSentence(text, sentences);
  return at === null ? null : sentences[at].text;
}

describe("titleSentence", () => {
  it("finds the title line of every BBC article", () => {
    expect(BBC).toHaveLength(6);
    for (const record of BBC) expect(title(record.document)).toBe(record.document.split("\n")[0].trim());
  });

  it("finds none where the first line is a sentence, a dialogue turn or too little is left", () => {
    const body = BBC[0].document.split("\n\n").slice(1).join("\n\n");
    expect(title(body)).toBeNull(); // the article without its title: it opens with a sentence
    expect(
      title("#Person1#: Hi, how are you?\n#Person2#: Fine, thanks.\n#Person1#: Good.\n#Person2#: Bye."),
    ).toBeNull();
    expect(title("Ad sales boost Time Warner profit\n\nProfits rose.")).toBeNull(); // no body to summarize
    expect(title(`Dear all:\n\n${body}`)).toBeNull(); // a lead-in, not a title
  });

  it("leaves Markdown titles to the headings, which are not concepts", () => {
    expect(
      title(
        `# Ad sales boost Time Warner profit\n\n${BBC[0].document.split("\n\n").slice(1).join("\n\n")}`,
        "markdown",
      ),
    ).toBeNull();
  });
});
