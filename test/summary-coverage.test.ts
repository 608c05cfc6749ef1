/**
 * Which sections a summary covers (issue 14, long documents): every summary sentence names the section
 * of the source sentence it stands for, the JSON reports the share of sections represented, and a
 * document past the context says so under its summary. Real models (models/default), a real document:
 * the bundled book, and the book with a second part appended (452 sentences, past the 256-concept context).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summaryCoverage } from "../src/tasks/coverage.js";
import { readSourceDocument } from "../src/tasks/source-concepts.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const MODELS = fileURLToPath(new URL("../models/default/", import.meta.url));
const BOOK = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
/** The book, then its chapters again as a second part (no second title heading). */
const LONG_BOOK = `${BOOK}\n${BOOK.split("\n")
  .slice(BOOK.split("\n").indexOf("## Preface"))
  .join("\n")
  .replace("## Preface", "## Second preface")
  .replace("## Chapter I.", "## Part Two, Chapter I.")
  .replace("## Chapter II.", "## Part Two, Chapter II.")}`;

const book = readSourceDocument(BOOK, { format: "markdown", supported: ["eng_Latn"] });
const concept = (sourceIndex: number | null, nearest: number, rendering = "source") => ({
  sourceIndex,
  grounding: [{ index: nearest, score: 0.5, span: null }],
  rendering: rendering as "source",
});

describe("summaryCoverage", () => {
  it("takes the book's sections under its title heading, the title's own opening text first", () => {
    const coverage = summaryCoverage(book.units, book.sentences, [], null)!;
    expect(coverage.by).toBe("section");
    expect(coverage.sections.map((s) => s.title)).toEqual([
      "The Problems of Philosophy",
      "Preface",
      "Chapter I. Appearance and Reality",
      "Chapter II. The Existence of Matter",
    ]);
    // The sections tile the sentences, and each spans its text in the input.
    expect(coverage.sections[0].start).toBe(0);
    expect(coverage.sections.at(-1)!.end).toBe(book.sentences.length);
    for (const s of coverage.sections) expect(BOOK.slice(...s.span!)).toContain(book.sentences[s.start].text);
    expect(coverage).toMatchObject({ covered: 0, share: 0 });
  });

  it("counts a sentence for the section of its source: shown, else nearest; never a sentinel", () => {
    const chapter2 = book.units.find((u) => u.title === "The Problems of Philosophy")!.children![2];
    const coverage = summaryCoverage(
      book.units,
      book.sentences,
      [
        concept(chapter2.start + 3, 0), // grounded: the sentence shown counts, not the nearest
        concept(null, 10, "decoded"), // the decoder's text: its nearest source sentence
        concept(null, 2, "sentinel"),
      ],
      null,
    )!;
    expect(coverage.sections.map((s) => s.concepts)).toEqual([[], [], [1], [0]]);
    expect(coverage).toMatchObject({ covered: 2, share: 0.5 });
  });

  it("takes a document without headings in the parts the summarizer read, or not at all", () => {
    const plain = readSourceDocument("One sentence here. Another one there. A third one.", {
      format: "plain",
      supported: ["eng_Latn"],
    });
    expect(summaryCoverage(plain.units, plain.sentences, [concept(0, 0)], null)).toBeNull();
    const parts = summaryCoverage(
      plain.units,
      plain.sentences,
      [concept(2, 2)],
      [
        { start: 0, end: 2 },
        { start: 2, end: 3 },
      ],
    )!;
    expect(parts.by).toBe("part");
    expect(parts.sections.map((s) => [s.title, s.concepts])).toEqual([
      ["part 1 of 2", []],
      ["part 2 of 2", [0]],
    ]);
  });
});

describe("lcm summarize on a document past the context (shipped models)", () => {
  let work: string;
  let longPath: string;
  const run = async (args: string[]) => {
    const env = { ...process.env, LCM_MODELS: MODELS, LCM_THREADS: "1", XDG_CACHE_HOME: join(work, "cache") };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, "summarize", ...args, "--seed", "0"],
      {
        env,
        maxBuffer: 16 << 20,
      },
    );
    return stdout;
  };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "lcm-coverage-"));
    longPath = join(work, "long.md");
    writeFileSync(longPath, LONG_BOOK);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("reports each sentence's section and the share covered in JSON, and lists them under the text", async () => {
    const json = JSON.parse(await run([longPath, "--format", "json", "--quiet"]));
    expect(json.hierarchical).toBe(true);
    const { coverage } = json;
    expect(coverage.by).toBe("section");
    expect(coverage.sections.map((s: { title: string }) => s.title)).toEqual([
      "The Problems of Philosophy",
      "Preface",
      "Chapter I. Appearance and Reality",
      "Chapter II. The Existence of Matter",
      "Second preface",
      "Part Two, Chapter I. Appearance and Reality",
      "Part Two, Chapter II. The Existence of Matter",
    ]);
    const covered = coverage.sections.filter((s: { concepts: number[] }) => s.concepts.length > 0).length;
    expect(coverage).toMatchObject({ total: 7, covered, share: Math.round((covered / 7) * 1e4) / 1e4 });
    type Concept = {
      shown: boolean;
      covers: number | null;
      source_index: number | null;
      grounding: { index: number }[];
    };
    for (const [i, c] of (json.concepts as Concept[]).entries()) {
      if (!c.shown) {
        expect(c.covers).toBeNull();
        continue;
      }
      const section = coverage.sections[c.covers!];
      expect(section.concepts).toContain(i);
      const source = c.source_index ?? c.grounding[0].index;
      expect(source).toBeGreaterThanOrEqual(section.start);
      expect(source).toBeLessThan(section.end);
    }

    const text = await run([longPath, "--quiet"]);
    const footer = text.trimEnd().split("\n").slice(-8);
    expect(footer[0]).toBe(
      `Sections covered: ${covered} of 7 (${Math.round((covered / 7) * 100)}%), by the summary's sentences:`,
    );
    expect(footer.slice(1).map((line) => line.replace(/: .*$/, "").trim())).toEqual(
      coverage.sections.map((s: { title: string }) => s.title),
    );
  }, 180_000);

  it("keeps a document that fits the context as it was: coverage in JSON, no list under the text", async () => {
    const bookPath = join(work, "book.md");
    writeFileSync(bookPath, BOOK);
    const json = JSON.parse(await run([bookPath, "--format", "json", "--quiet"]));
    expect(json.hierarchical).toBe(false);
    expect(json.coverage.total).toBe(4);
    expect(await run([bookPath, "--quiet"])).not.toContain("Sections covered");
  }, 180_000);
});
