import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { markdownStructure } from "../src/planner/markdown-structure.js";
import { type Outline, type Section, walkConcepts, walkSections } from "../src/planner/outline.js";
import { conceptMatchesSource } from "../src/planner/span-check.js";
import { ruleSegmenter } from "../src/segment/rules.js";

const outlineOf = (text: string) => buildOutline(text, { segmenter: ruleSegmenter, format: "markdown" });
const concepts = (outline: Outline) => [...walkConcepts(outline)].map(({ concept }) => concept);
const texts = (outline: Outline) =>
  concepts(outline)
    .filter((c) => c.kind === "sentence")
    .map((c) => c.text);
const slice = (text: string, span: readonly [number, number] | null) =>
  span ? text.slice(span[0], span[1]) : null;

/** Every concept's span reads back to its text, and spans come in document order without overlap. */
function expectExactSpans(outline: Outline, source: string): void {
  let previousEnd = 0;
  for (const concept of concepts(outline)) {
    expect(concept.span, concept.id).not.toBeNull();
    expect(concept.span![0], `${concept.id} starts after the previous concept`).toBeGreaterThanOrEqual(
      previousEnd,
    );
    previousEnd = concept.span![1];
    expect(conceptMatchesSource(concept, source, "markdown"), `${concept.id}: ${concept.text}`).toBe(true);
  }
}

function shape(sections: readonly Section[]): unknown[] {
  return sections.map((s) => [
    s.level,
    s.title,
    s.concepts.length,
    ...(s.sections.length ? [shape(s.sections)] : []),
  ]);
}

describe("Markdown headings", () => {
  it("nest sections by level, ATX and setext alike, with the text before the first heading untitled", () => {
    const doc = [
      "Intro sentence.",
      "",
      "# Book",
      "",
      "Book text.",
      "",
      "## Chapter one",
      "",
      "One text. More text.",
      "",
      "### Detail",
      "",
      "Detail text.",
      "",
      "Chapter two",
      "-----------",
      "",
      "Two text.",
      "",
      "Appendix",
      "========",
      "",
      "Appendix text.",
    ].join("\n");
    const outline = outlineOf(doc);
    expect(shape(outline.sections)).toEqual([
      [0, "", 1],
      [
        1,
        "Book",
        1,
        [
          [2, "Chapter one", 2, [[3, "Detail", 1]]],
          [2, "Chapter two", 1],
        ],
      ],
      [1, "Appendix", 1],
    ]);
    const book = outline.sections[1];
    expect(slice(doc, book.span)).toBe("# Book");
    expect(slice(doc, book.sections[1].span)).toBe("Chapter two\n-----------");
    expectExactSpans(outline, doc);
  });

  it("strips inline markup from titles and skips levels without inventing sections", () => {
    const outline = outlineOf(
      "## A *styled* `title` [link](http://x)\n\nText.\n\n#### Deep\n\nMore.\n\n# Top\n\nLast.\n",
    );
    expect(shape(outline.sections)).toEqual([
      [2, "A styled title link", 1, [[4, "Deep", 1]]],
      [1, "Top", 1],
    ]);
  });
});

describe("Markdown prose", () => {
  it("cuts paragraphs into sentences; a single line break is not a boundary", () => {
    const doc = "The first sentence is\nwrapped over two lines. The second\none too.\n\nA new paragraph.\n";
    const outline = outlineOf(doc);
    expect(texts(outline)).toEqual([
      "The first sentence is wrapped over two lines.",
      "The second one too.",
      "A new paragraph.",
    ]);
    expect(slice(doc, concepts(outline)[0].span)).toBe("The first sentence is\nwrapped over two lines.");
    expectExactSpans(outline, doc);
  });

  it("keeps inline markup inside the span but not in the text", () => {
    const doc =
      'This is **very** important. See [the docs](http://example.com/a "A title") for `npm ci`. ' +
      "Fish &amp; chips cost \\*nothing\\*. *Emphasised sentence.* Last <b>bold</b> one.\n";
    const outline = outlineOf(doc);
    expect(texts(outline)).toEqual([
      "This is very important.",
      "See the docs for npm ci.",
      "Fish & chips cost *nothing*.",
      "Emphasised sentence.",
      "Last bold one.",
    ]);
    const spans = concepts(outline).map((c) => slice(doc, c.span));
    expect(spans).toEqual([
      "This is **very** important.",
      'See [the docs](http://example.com/a "A title") for `npm ci`.',
      "Fish &amp; chips cost \\*nothing\\*.",
      "*Emphasised sentence.*",
      "Last <b>bold</b> one.",
    ]);
    expectExactSpans(outline, doc);
  });

  it("makes every list item a concept, nested and loose lists and task lists too", () => {
    const doc = [
      "- First item.",
      "- Second item, wrapped",
      "  onto a second line.",
      "  - Nested item one.",
      "  - Nested item two.",
      "- [ ] A task to do.",
      "- [x] A task done.",
      "",
      "1. Loose item.",
      "",
      "   Its second paragraph.",
      "",
      "2. Another loose item.",
      "",
    ].join("\n");
    const outline = outlineOf(doc);
    expect(texts(outline)).toEqual([
      "First item.",
      "Second item, wrapped onto a second line.",
      "Nested item one.",
      "Nested item two.",
      "A task to do.",
      "A task done.",
      "Loose item.",
      "Its second paragraph.",
      "Another loose item.",
    ]);
    expect(slice(doc, concepts(outline)[1].span)).toBe("Second item, wrapped\n  onto a second line.");
    expect(slice(doc, concepts(outline)[4].span)).toBe("A task to do.");
    expectExactSpans(outline, doc);
  });

  it("reads blockquote paragraphs as prose, with spans over the quote markers between lines", () => {
    const doc =
      "> Quoted first sentence\n> continues here. Second one.\n>\n> > Nested quote.\n\nAfter it all.\n";
    const outline = outlineOf(doc);
    expect(texts(outline)).toEqual([
      "Quoted first sentence continues here.",
      "Second one.",
      "Nested quote.",
      "After it all.",
    ]);
    expect(slice(doc, concepts(outline)[0].span)).toBe("Quoted first sentence\n> continues here.");
    expectExactSpans(outline, doc);
  });

  it("treats headings inside lists and quotes as prose, not sections", () => {
    const outline = outlineOf("# Real\n\n> ## Quoted heading\n\n- # Item heading\n");
    expect(outline.sections.map((s) => s.title)).toEqual(["Real"]);
    expect(texts(outline)).toEqual(["Quoted heading", "Item heading"]);
  });
});

describe("Markdown opaque blocks", () => {
  const doc = [
    "---",
    "title: Test",
    "tags: [a, b]",
    "---",
    "",
    "# Section",
    "",
    "Before code.",
    "",
    "```js",
    "const x = 1; // Not a sentence. Really.",
    "```",
    "",
    "    indented code block",
    "",
    "| a | b |",
    "|---|---|",
    "| 1 | 2 |",
    "",
    '<div class="note">',
    "HTML block. Not prose.",
    "</div>",
    "",
    "***",
    "",
    "[ref]: http://example.com",
    "",
    "After.",
  ].join("\n");

  it("keeps code, tables, HTML, rules, definitions and front matter verbatim and out of the sentences", () => {
    const outline = outlineOf(doc);
    const all = concepts(outline);
    expect(all.map((c) => (c.kind === "opaque" ? c.block : c.text))).toEqual([
      "front_matter",
      "Before code.",
      "code",
      "code",
      "table",
      "html",
      "rule",
      "definition",
      "After.",
    ]);
    for (const c of all.filter((c) => c.kind === "opaque")) expect(slice(doc, c.span)).toBe(c.text);
    expect(all[0].text).toBe("---\ntitle: Test\ntags: [a, b]\n---");
    expect(all[2].text).toBe("```js\nconst x = 1; // Not a sentence. Really.\n```");
    expect(all[5].text).toBe('<div class="note">\nHTML block. Not prose.\n</div>');
    expect(outline.sections[0].level).toBe(0);
    expectExactSpans(outline, doc);
  });

  it("recognises TOML front matter, and needs the closing fence", () => {
    const toml = outlineOf('+++\ntitle = "x"\n+++\nText.\n');
    expect(concepts(toml)[0].block).toBe("front_matter");
    const unclosed = markdownStructure("---\nnot front matter\n");
    expect(unclosed.some((b) => b.kind === "opaque" && b.block === "front_matter")).toBe(false);
  });

  it("gives the same structure and exact spans for CRLF line ends", () => {
    const crlf = doc.replace(/\n/g, "\r\n");
    const lf = outlineOf(doc);
    const outline = outlineOf(crlf);
    expect(texts(outline)).toEqual(texts(lf));
    concepts(outline).forEach((c, i) => {
      expect(slice(crlf, c.span)!.replace(/\r\n/g, "\n")).toBe(slice(doc, concepts(lf)[i].span));
    });
    expectExactSpans(outline, crlf);
    expect(slice(crlf, outline.sections[1].span)).toBe("# Section");
  });
});

describe("Markdown on a real document", () => {
  it("outlines the bundled example with exact spans", () => {
    const text = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
    const outline = outlineOf(text);
    const titles = [...walkSections(outline.sections)].map(({ section }) => section.title);
    // The front matter sits in the untitled opening section.
    expect(titles).toEqual([
      "",
      "The Problems of Philosophy",
      "Preface",
      "Chapter I. Appearance and Reality",
      "Chapter II. The Existence of Matter",
    ]);
    expect(concepts(outline)[0].block).toBe("front_matter");
    expect(texts(outline).length).toBeGreaterThan(150);
    expectExactSpans(outline, text);
    expectExactSpans(outlineOf(text.replace(/\n/g, "\r\n")), text.replace(/\n/g, "\r\n"));
  });
});
