import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { buildOutline } from "../src/planner/build-outline.js";
import { findConcept, type Outline, walkConcepts, walkSections } from "../src/planner/outline.js";
import { applyEdit, nextConceptId, nextSectionId, type OutlineEdit } from "../src/planner/outline-edits.js";
import { loadOutline, saveOutline } from "../src/planner/outline-file.js";
import { outlineFromJson, outlineJsonChunks, outlineToJson } from "../src/planner/outline-json.js";
import {
  isOutlineMarkdown,
  outlineFromMarkdown,
  outlineToMarkdown,
} from "../src/planner/outline-markdown.js";
import { outlineStats } from "../src/planner/outline-stats.js";
import { ruleSegmenter } from "../src/segment/rules.js";
import { writeFileAtomic, writeFileAtomicSync } from "../src/util/atomic-write.js";
import { UsageError } from "../src/util/errors.js";

const example = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
const book = gunzipSync(
  readFileSync(new URL("./fixtures/outline/on-liberty.txt.gz", import.meta.url)),
).toString("utf8");
const md = (text: string) => buildOutline(text, { segmenter: ruleSegmenter, format: "markdown" });

const TRICKY = [
  "Before any heading, with a <!-- c99 span=1-2 --> comment look-alike.",
  "",
  "# Title with `code` and C#",
  "",
  "- A list item.",
  "- # Not a heading, an item",
  "",
  "```md",
  "# Not a heading inside code",
  "<!-- /c5 -->",
  "- not a concept",
  "```",
  "",
  "<!-- an html comment block -->",
  "",
  "## Sub",
  "",
  "Windows line\r\nends in here.\r\n\r\n    indented code\r\n    with CRLF",
  "",
  "###### Deepest",
  "",
  "Last.",
].join("\n");

function editedExample(): Outline {
  let o = md(example);
  const ids = [...walkConcepts(o)].map(({ concept }) => concept);
  const sentence = (i: number) => ids.filter((c) => c.kind === "sentence")[i].id;
  const sections = [...walkSections(o.sections)].map(({ section }) => section.id);
  const edits: OutlineEdit[] = [
    { op: "pin", concept: sentence(3) },
    { op: "rewrite", concept: sentence(4), text: "A rewritten sentence." },
    { op: "target", section: sections[2], length: 7 },
    { op: "target", section: sections[0], length: 2 },
    { op: "add", section: sections[3], text: "A sentence the user wrote.", index: 0 },
    { op: "delete", concept: sentence(10) },
    { op: "split", concept: sentence(12), offset: 20 },
    { op: "merge", concept: sentence(19) },
    { op: "add_section", parent: sections[1], title: "" },
    { op: "indent", section: sections[4] },
    { op: "move", concept: sentence(30), section: sections[1], index: 0 },
  ];
  for (const e of edits) o = applyEdit(o, e, { source: example });
  return o;
}

describe("Markdown outline files", () => {
  it("round-trip: outline -> Markdown -> outline is the same outline, and the text is stable", () => {
    for (const outline of [
      md(example),
      md(TRICKY),
      buildOutline(book, { segmenter: ruleSegmenter, format: "plain" }),
      editedExample(),
    ]) {
      const text = outlineToMarkdown(outline);
      const back = outlineFromMarkdown(text);
      expect(back).toEqual(outline);
      expect(outlineToMarkdown(back)).toBe(text);
    }
  });

  it("writes headings, one line per sentence and opaque blocks verbatim", () => {
    const outline = md(TRICKY);
    const text = outlineToMarkdown(outline);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(
      /^<!-- lcm-outline v1 format=markdown chars=\d+ max-chars=256 next=c\d+,s\d+ -->$/,
    );
    expect(lines).toContain("<!-- s1 -->");
    expect(text).toContain("- A list item. <!-- c");
    expect(text).toContain("\n# Title with code and C# <!-- s2 span=");
    expect(text).toContain("\n###### Deepest <!-- s");
    const code = [...walkConcepts(outline)].find(({ concept }) => concept.block === "code")!.concept;
    expect(text).toContain(
      `opaque=code span=${code.span![0]}-${code.span![1]} lines=5 -->\n${code.text}\n<!-- /${code.id} -->`,
    );
  });

  it("reads hand edits: new lines get fresh ids, bullets of any kind, no header needed", () => {
    const outline = outlineFromMarkdown(
      [
        "Loose opening text.",
        "# Plan <!-- s4 target=3 -->",
        "- Kept idea. <!-- c7 span=10-20 pinned -->",
        "* A new idea typed by hand.",
        "1. Another one.",
        "",
        "## New heading",
        "Plain line.",
      ].join("\r\n"),
    );
    expect(outline.source).toBeNull();
    expect(outline.nextConceptId).toBe(12);
    expect(outline.nextSectionId).toBe(7);
    const [opening, plan] = outline.sections;
    expect(opening).toMatchObject({
      id: "s5",
      level: 0,
      concepts: [{ id: "c8", text: "Loose opening text." }],
    });
    expect(plan).toMatchObject({ id: "s4", title: "Plan", targetLength: 3 });
    expect(plan.concepts.map((c) => [c.id, c.text, c.pinned, c.span])).toEqual([
      ["c7", "Kept idea.", true, [10, 20]],
      ["c9", "A new idea typed by hand.", false, null],
      ["c10", "Another one.", false, null],
    ]);
    expect(plan.sections[0]).toMatchObject({
      id: "s6",
      title: "New heading",
      level: 2,
      concepts: [{ id: "c11" }],
    });
    // Counters never fall behind an id in the file, whatever the header says.
    expect(
      outlineFromMarkdown("<!-- lcm-outline v1 next=c1,s1 -->\n# A <!-- s3 -->\n- x <!-- c4 -->"),
    ).toMatchObject({
      nextConceptId: 5,
      nextSectionId: 4,
    });
  });

  it("refuses broken files with the line at fault", () => {
    const bad = (text: string, message: RegExp) => {
      expect(() => outlineFromMarkdown(text)).toThrow(UsageError);
      expect(() => outlineFromMarkdown(text)).toThrow(message);
    };
    bad("# A <!-- s1 -->\n- x <!-- c1 span=5-x -->", /line 2: span=5-x is not a span/);
    bad("# A <!-- s1 -->\n<!-- c2 opaque=code -->\ncode", /line 2: .*no closing/);
    bad("# A <!-- s1 -->\n# B <!-- s1 -->", /duplicate id 's1'/);
    bad("- x <!-- c1 -->\n<!-- s1 -->", /untitled section can only open/);
    bad("# A <!-- c1 -->", /heading carries concept id/);
  });
});

describe("JSON outlines", () => {
  it("round-trip, streamed in chunks, with sentences in concepts and opaque blocks apart", () => {
    for (const outline of [md(TRICKY), editedExample(), md(example)]) {
      const stats = outlineStats(outline);
      const json = [...outlineJsonChunks(outline, stats)].join("");
      const value = JSON.parse(json);
      expect(Object.keys(value)).toEqual(["stats", "version", "source", "max_chars", "next_ids", "sections"]);
      expect(value.stats).toEqual(stats);
      expect(outlineFromJson(json)).toEqual(outline);
      expect(outlineFromJson(outlineToJson(outline))).toEqual(outline);
    }
    const value = JSON.parse(outlineToJson(md(TRICKY)));
    const title = value.sections[1];
    expect(title.title).toBe("Title with code and C#");
    expect(title.concepts.map((c: { text: string }) => c.text)).toEqual([
      "A list item.",
      "Not a heading, an item",
    ]);
    expect(title.opaque.map((o: { kind: string; at: number }) => [o.kind, o.at])).toEqual([
      ["code", 2],
      ["html", 2],
    ]);
    expect(Object.keys(title.concepts[0])).toEqual(["id", "text", "span", "pinned"]);
  });

  it("streams large sections in chunks that join to valid JSON", () => {
    const outline = buildOutline(book, { segmenter: ruleSegmenter, format: "plain" });
    const big = {
      ...outline,
      sections: [{ ...outline.sections[3], concepts: [...walkConcepts(outline)].map((x) => x.concept) }],
    };
    const chunks = [...outlineJsonChunks(big)];
    expect(chunks.length).toBeGreaterThan(3);
    const value = JSON.parse(chunks.join(""));
    expect(value.sections[0].concepts).toHaveLength(outlineStats(outline).concepts);
  });

  it("refuses malformed JSON with the path at fault", () => {
    const good = JSON.parse(outlineToJson(md("# A\n\nOne. Two.\n")));
    const bad = (mutate: (v: typeof good) => void, message: RegExp) => {
      const v = structuredClone(good);
      mutate(v);
      expect(() => outlineFromJson(v)).toThrow(message);
    };
    expect(() => outlineFromJson("{not json")).toThrow(/not valid JSON/);
    bad((v) => (v.version = 2), /unsupported version 2/);
    bad((v) => (v.sections[0].concepts[0].text = 5), /sections\[0\]\.concepts\[0\]\.text must be a string/);
    bad((v) => (v.sections[0].concepts[1].span = [1]), /span must be \[start, end\]/);
    bad((v) => (v.sections[0].concepts[1].id = "c1"), /duplicate id 'c1'/);
    bad((v) => (v.sections[0].level = 9), /bad level 9/);
    bad((v) => (v.sections[0].concepts[0].span = [0, 10_000]), /past the source/);
  });
});

describe("saving outlines", () => {
  const dir = mkdtempSync(join(tmpdir(), "lcm-outline-"));
  afterAll(() => {});

  it("saves Markdown or JSON by extension, atomically, and loads them back", async () => {
    const outline = editedExample();
    for (const name of ["plan.md", "plan.json"]) {
      const path = join(dir, name);
      await saveOutline(path, outline);
      expect(await loadOutline(path)).toEqual(outline);
    }
    expect(readFileSync(join(dir, "plan.md"), "utf8")).toBe(outlineToMarkdown(outline));
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await expect(loadOutline(join(dir, "missing.md"))).rejects.toThrow(/missing\.md: no such file/);
    writeFileSync(join(dir, "broken.json"), "[]");
    await expect(loadOutline(join(dir, "broken.json"))).rejects.toThrow(
      /broken\.json: outline JSON: outline must be an object/,
    );
  });

  it("leaves the old file whole when a write fails, and keeps its permissions", async () => {
    const path = join(dir, "keep.md");
    writeFileSync(path, "old contents");
    chmodSync(path, 0o600);
    function* failing() {
      yield "new ";
      throw new Error("disk on fire");
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow(/disk on fire/);
    expect(readFileSync(path, "utf8")).toBe("old contents");
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    await writeFileAtomic(path, "new contents");
    expect(readFileSync(path, "utf8")).toBe("new contents");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileAtomicSync(path, "sync contents");
    expect(readFileSync(path, "utf8")).toBe("sync contents");
    await expect(writeFileAtomic(join(dir, "no-such-dir", "x.md"), "x")).rejects.toThrow(/ENOENT/);
  });

  it("keeps ids stable across save, load and further edits", async () => {
    const path = join(dir, "ids.md");
    let outline = md(example);
    await saveOutline(path, outline);
    outline = await loadOutline(path);
    const first = [...walkConcepts(outline)][1].concept.id;
    const added = nextConceptId(outline);
    outline = applyEdit(outline, { op: "delete", concept: first });
    outline = applyEdit(outline, { op: "add", section: outline.sections[1].id, text: "New." });
    await saveOutline(path, outline);
    const reloaded = await loadOutline(path);
    expect(findConcept(reloaded, first)).toBeNull();
    expect(findConcept(reloaded, added)!.concept.text).toBe("New.");
    expect(nextConceptId(reloaded)).toBe(nextConceptId(outline));
    expect(nextSectionId(reloaded)).toBe(nextSectionId(outline));
  });
});

describe("outline markers written by hand", () => {
  it("are read without ids: <!-- pinned --> on a sentence, <!-- target=N --> on a heading", () => {
    const text = [
      "# Plan",
      "",
      "- First we build the house. <!-- pinned -->",
      "- Then we paint it.",
      "",
      "## Costs <!-- target=4 -->",
      "",
      "- It costs a lot. <!-- TODO check the figure -->",
      "",
    ].join("\n");
    expect(isOutlineMarkdown(text)).toBe(true);
    const outline = outlineFromMarkdown(text);
    const [plan] = outline.sections;
    expect(plan.concepts.map((c) => [c.text, c.pinned])).toEqual([
      ["First we build the house.", true],
      ["Then we paint it.", false],
    ]);
    expect(plan.sections[0].targetLength).toBe(4);
    // A comment that is no marker stays the sentence's own text.
    expect(plan.sections[0].concepts[0].text).toBe("It costs a lot. <!-- TODO check the figure -->");
    // A document that merely contains a comment is still a document.
    expect(isOutlineMarkdown("Some prose here. <!-- pinned -->\nMore prose.\n")).toBe(false);
  });
});
