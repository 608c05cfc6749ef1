/**
 * Terminal layout: widths of wide (CJK) characters, cutting and wrapping by display width, and the
 * source pane's window with the span marked and control sequences gone.
 */
import { describe, expect, it } from "vitest";
import { plainLines, sourceWindow } from "../src/tui/source-view.js";
import { displayWidth, fitTo, truncate, wrapParagraph, wrapText } from "../src/tui/text-layout.js";

const lineText = (line: readonly { text: string }[]) => line.map((s) => s.text).join("");

describe("display width", () => {
  it("counts wide characters as two columns and combining marks as none", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("日本語")).toBe(6);
    expect(displayWidth("한국어")).toBe(6);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("Ｆｕｌｌ")).toBe(8);
  });

  it("truncates to a width with an ellipsis, never splitting a wide character or a grapheme", () => {
    expect(truncate("hello world", 8)).toBe("hello w…");
    expect(truncate("日本語のテキスト", 7)).toBe("日本語…");
    expect(displayWidth(truncate("日本語のテキスト", 8))).toBeLessThanOrEqual(8);
    expect(truncate("👩‍👩‍👧‍👦 family", 3)).toBe("👩‍👩‍👧‍👦…");
    expect(truncate("short", 10)).toBe("short");
    expect(fitTo("日本", 6)).toBe("日本  ");
    expect(fitTo("日本語です", 5)).toBe("日本…");
  });
});

describe("wrapping", () => {
  it("wraps at spaces and cuts words longer than a line", () => {
    expect(wrapParagraph("the quick brown fox jumps", 10)).toEqual(["the quick", "brown fox", "jumps"]);
    expect(wrapParagraph("abcdefghijklmnop", 6)).toEqual(["abcdef", "ghijkl", "mnop"]);
  });

  it("wraps CJK text between characters, by columns", () => {
    const lines = wrapParagraph("我思故我在。这是一个很长的句子，没有空格。", 10);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(10);
    expect(lines.join("")).toBe("我思故我在。这是一个很长的句子，没有空格。");
    expect(lines[0]).toBe("我思故我在");
  });

  it("keeps every line within the width on mixed text", () => {
    const text = "Russell wrote 哲学问题 in 1912; the book — «Problems» — is short.\tTabs too.";
    for (const width of [5, 9, 13, 40]) {
      for (const line of wrapText(text, width)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
  });
});

describe("source window", () => {
  const doc = [
    "# Title",
    "",
    "First paragraph, line one.",
    "Second line with the SENTENCE we want and more text after it.",
    "Third line.",
    "",
    "Last paragraph.",
  ].join("\n");

  it("marks exactly the span, wrapped to the width", () => {
    const start = doc.indexOf("SENTENCE");
    const window = sourceWindow(doc, [start, start + "SENTENCE we want".length], 15, 10);
    const marked = window.lines.flatMap((l) => l.filter((s) => s.highlight).map((s) => s.text));
    expect(marked.join("|")).toBe("SENTENCE we|want");
    expect(window.spanLine).toBeGreaterThanOrEqual(0);
    expect(lineText(window.lines[window.spanLine])).toContain("SENTENCE");
    for (const line of window.lines) expect(displayWidth(lineText(line))).toBeLessThanOrEqual(15);
  });

  it("puts the span a third of the way down a long document", () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const text = lines.join("\n");
    const at = text.indexOf("line 150");
    const window = sourceWindow(text, [at, at + 8], 40, 12);
    expect(window.lines).toHaveLength(12);
    expect(window.spanLine).toBe(4);
    expect(lineText(window.lines[4])).toBe("line 150");
    expect(lineText(window.lines[0])).toBe("line 146");
  });

  it("never shows terminal control sequences from the document", () => {
    const text =
      "Before \u001b[31mred\u001b[0m text. The \u001b]0;evil title\u0007span\u009b2J here.\r\nAfter.";
    const start = text.indexOf("The");
    const window = sourceWindow(text, [start, text.indexOf(" here")], 30, 5);
    const all = window.lines.map(lineText).join("\n");
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(all).toContain("Before red text.");
    expect(window.lines.flatMap((l) => l.filter((s) => s.highlight).map((s) => s.text)).join("")).toBe(
      "The span",
    );
  });

  it("handles spans in CJK text and at the very end", () => {
    const text = "第一句。第二句很长很长很长很长。第三句。";
    const start = text.indexOf("第二句");
    const end = text.indexOf("第三句");
    const window = sourceWindow(text, [start, end], 8, 6);
    const marked = window.lines.flatMap((l) => l.filter((s) => s.highlight).map((s) => s.text)).join("");
    expect(marked).toBe("第二句很长很长很长很长。");
    for (const line of window.lines) expect(displayWidth(lineText(line))).toBeLessThanOrEqual(8);
    const last = sourceWindow(text, [text.length - 4, text.length], 8, 3);
    expect(last.lines.flatMap((l) => l.filter((s) => s.highlight).map((s) => s.text)).join("")).toBe(
      "第三句。",
    );
  });

  it("plain lines wrap and clean text for notes and output", () => {
    const lines = plainLines("Zeile eins\u0007 und \u001b[1mzwei\u001b[0m.", 12).map(lineText);
    expect(lines).toEqual(["Zeile eins", "und zwei."]);
  });
});
