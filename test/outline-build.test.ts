import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildOutline, PART_CONCEPTS } from "../src/planner/build-outline.js";
import { detectFormat } from "../src/planner/document-format.js";
import {
  normalizeText,
  type Outline,
  validateOutline,
  walkConcepts,
  walkSections,
} from "../src/planner/outline.js";
import { outlineStats } from "../src/planner/outline-stats.js";
import { conceptMatchesSource } from "../src/planner/span-check.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import type { Segmenter } from "../src/segment/types.js";

const plainOutline = (text: string, maxChars?: number) =>
  buildOutline(text, { segmenter: ruleSegmenter, format: "plain", maxChars });
const sentences = (outline: Outline) =>
  [...walkConcepts(outline)].map(({ concept }) => concept).filter((c) => c.kind === "sentence");

describe("plain text", () => {
  it("treats a blank line as a paragraph break and a single line break as a space", () => {
    const text =
      "A hard-wrapped sentence that goes\non over the line break. And a second\none.\n\n  \nNew paragraph here.\n";
    const outline = plainOutline(text);
    expect(sentences(outline).map((c) => c.text)).toEqual([
      "A hard-wrapped sentence that goes on over the line break.",
      "And a second one.",
      "New paragraph here.",
    ]);
    for (const c of sentences(outline))
      expect(normalizeText(text.slice(c.span![0], c.span![1]))).toBe(c.text);
    expect(outline.sections).toHaveLength(1);
    expect(outline.sections[0].level).toBe(0);
  });

  it("keeps spans exact with CRLF and lone CR line ends", () => {
    const lf = "One line\nwrapped here. Two.\n\nThree is\nhere.\n";
    for (const text of [lf.replace(/\n/g, "\r\n"), lf.replace(/\n/g, "\r")]) {
      const outline = plainOutline(text);
      expect(sentences(outline).map((c) => c.text)).toEqual([
        "One line wrapped here.",
        "Two.",
        "Three is here.",
      ]);
      for (const c of sentences(outline)) expect(conceptMatchesSource(c, text, "plain")).toBe(true);
    }
  });

  it("finds chapter headings in a plain-text book", () => {
    const text = [
      "THE TITLE OF THE BOOK",
      "By Someone",
      "CHAPTER I. THE BEGINNING",
      "It began here. Then it went on.",
      "More of the first chapter.",
      "Chapter 2: The Middle",
      "The middle part.",
      "Yet more.",
      "II.",
      "A numbered sub-part.",
      "Its second paragraph.",
      "Its third paragraph.",
      "The end of it.",
    ].join("\n\n");
    const outline = plainOutline(text);
    const tree = outline.sections.map((s) => [
      s.title,
      s.level,
      s.concepts.length,
      s.sections.map((c) => c.title),
    ]);
    expect(tree).toEqual([
      ["THE TITLE OF THE BOOK", 1, 1, []],
      ["CHAPTER I. THE BEGINNING", 1, 3, []],
      ["Chapter 2: The Middle", 1, 2, ["II."]],
    ]);
  });

  it("does not take all-caps prose or a single capitalised line for headings", () => {
    const poem = "ROSES ARE RED\n\nVIOLETS ARE BLUE\n\nSUGAR IS SWEET\n\nAND SO ARE YOU";
    expect(plainOutline(poem).sections.map((s) => s.title)).toEqual([""]);
    const once = "NOTICE\n\nThe text starts. It goes on.\n\nIt ends.";
    expect(plainOutline(once).sections.map((s) => s.title)).toEqual([""]);
  });

  it("groups long text without headings into numbered parts at paragraph boundaries", () => {
    const paragraph = (i: number) => `Paragraph ${i} opens here. It has a second sentence. And a third one.`;
    const text = Array.from({ length: 60 }, (_, i) => paragraph(i + 1)).join("\n\n");
    const outline = plainOutline(text);
    const parts = outline.sections;
    expect(parts.map((s) => s.title)).toEqual(parts.map((_, i) => `Part ${i + 1}`));
    expect(parts.length).toBe(Math.floor(180 / (PART_CONCEPTS + 2)) + 1);
    for (const part of parts.slice(0, -1)) {
      expect(part.concepts.length).toBeGreaterThanOrEqual(PART_CONCEPTS);
      expect(part.concepts[0].text).toMatch(/^Paragraph \d+ opens here\.$/);
    }
    expect(sentences(outline)).toHaveLength(180);
    validateOutline(outline);
    // Markdown without a single heading is grouped the same way.
    const markdown = buildOutline(text.replace(/Paragraph 7 /, "Paragraph *7* "), {
      segmenter: ruleSegmenter,
      format: "markdown",
    });
    expect(markdown.sections.map((s) => [s.title, s.concepts.length])).toEqual(
      parts.map((s) => [s.title, s.concepts.length]),
    );
  });
});

describe("segmentation guard", () => {
  it("holds every concept to maxChars even if a backend ignores the cap", () => {
    const careless: Segmenter = { name: "whole-block", segment: (text) => [{ start: 0, end: text.length }] };
    const text = `${"word ".repeat(200)}end.`;
    const outline = buildOutline(text, { segmenter: careless, format: "plain", maxChars: 64 });
    const all = sentences(outline);
    expect(all.length).toBeGreaterThan(10);
    for (const c of all) {
      expect(c.text.length).toBeLessThanOrEqual(64);
      expect(conceptMatchesSource(c, text, "plain")).toBe(true);
    }
    expect(all.map((c) => c.text).join(" ")).toBe(normalizeText(text));
  });

  it("rejects a backend that returns spans out of order", () => {
    const broken: Segmenter = {
      name: "broken",
      segment: () => [
        { start: 3, end: 5 },
        { start: 0, end: 2 },
      ],
    };
    expect(() => buildOutline("Hello world.", { segmenter: broken, format: "plain" })).toThrow(/bad span/);
  });
});

describe("a whole book", () => {
  // John Stuart Mill, On Liberty (Project Gutenberg #34901, public domain in the USA): 306 k characters.
  const book = gunzipSync(
    readFileSync(new URL("./fixtures/outline/on-liberty.txt.gz", import.meta.url)),
  ).toString("utf8");

  it("compresses at least 10 tokens per concept and every span maps back to its text", () => {
    const outline = plainOutline(book);
    const stats = outlineStats(outline);
    expect(stats.chars).toBe(book.length);
    expect(stats.token_source).toBe("estimate");
    expect(stats.concepts).toBeGreaterThan(1500);
    expect(stats.ratio).toBeGreaterThanOrEqual(10);
    let previousEnd = 0;
    for (const c of sentences(outline)) {
      expect(c.text.length).toBeLessThanOrEqual(256);
      expect(c.span![0]).toBeGreaterThanOrEqual(previousEnd);
      previousEnd = c.span![1];
      expect(conceptMatchesSource(c, book, "plain"), c.id).toBe(true);
    }
    // Nothing is lost or repeated between spans: headings and concepts in order hold every
    // non-space character of the book.
    const squeeze = (s: string) => s.replace(/\s+/g, "");
    const pieces = [...walkSections(outline.sections)].flatMap(({ section }) => [
      section.title,
      ...section.concepts.map((c) => c.text),
    ]);
    expect(squeeze(pieces.join(""))).toBe(squeeze(book));
    const titles = [...walkSections(outline.sections)].map(({ section }) => section.title);
    expect(titles).toContain("CHAPTER II.");
    validateOutline(outline);
  });
});

describe("format detection", () => {
  it("uses the flag, then the extension, then the content", () => {
    expect(detectFormat("notes.md", "plain words", "plain")).toBe("plain");
    expect(detectFormat("notes.MD", "plain words")).toBe("markdown");
    expect(detectFormat("notes.txt", "# Heading\n\n```\ncode\n```")).toBe("plain");
    expect(detectFormat(null, "# Heading\n\nSome text with a [link](http://x).\n")).toBe("markdown");
    expect(detectFormat(null, "Title\n=====\n\n- one\n- two\n")).toBe("markdown");
    expect(detectFormat(null, "Dear Sir,\n\nI write to you about the #1 issue.\n- Me\n")).toBe("plain");
    expect(detectFormat("book", "CHAPTER I\n\nIt was a dark and stormy night.")).toBe("plain");
  });
});
