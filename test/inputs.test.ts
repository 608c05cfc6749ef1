/**
 * The documents users bring, through the built CLI: PDF, Word, EPUB and HTML found by their bytes
 * (whatever their names), read in order with their structure (headings -> sections, chapters ->
 * sections), boilerplate dropped; UTF-16 text read as text; and what cannot be read (a PDF with no
 * text layer, a ZIP that is no document) refused with one line and exit 2.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Outline, walkConcepts, walkSections } from "../src/planner/outline.js";
import { outlineFromJson } from "../src/planner/outline-json.js";
import { makeDocx, makeEpub, makeHtml, makePdf } from "./helpers/documents.js";
import { smokeModelsDir } from "./helpers/lcm-models.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const BOOK = readFileSync(join(ROOT, "examples/problems-of-philosophy.md"), "utf8");
/** The book's chapters: title and prose paragraphs. */
const CHAPTERS = BOOK.split(/^## /m)
  .slice(1)
  .map((chunk) => {
    const [title, ...rest] = chunk.split("\n");
    const paragraphs = rest
      .join("\n")
      .split(/\n\n+/)
      .map((p) => p.replace(/\s+/g, " ").trim())
      .filter((p) => p.length > 80);
    return { title: title.trim(), paragraphs };
  });
const dir = mkdtempSync(join(tmpdir(), "lcm-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
});

function lcm(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, LCM_DEBUG: "", XDG_CACHE_HOME: join(dir, "cache") },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function outlineOf(file: string): Outline {
  const r = lcm(["outline", file, "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return outlineFromJson(r.stdout);
}

const texts = (o: Outline) => [...walkConcepts(o)].map((x) => x.concept.text);
const titles = (o: Outline) => [...walkSections(o.sections)].map((x) => x.section.title).filter(Boolean);
/** Letters and single spaces only: what survives any of the formats' punctuation and layout. */
const letters = (s: string) => s.replace(/[^A-Za-z ]/g, "").replace(/\s+/g, " ");
const words = (s: string) => letters(s).split(" ").slice(0, 8).join(" ");

describe("documents users bring", () => {
  it("reads a PDF's text in order, page after page, named anything", () => {
    const paragraphs = CHAPTERS[1].paragraphs.slice(0, 12);
    writeFileSync(join(dir, "report.bin"), makePdf(paragraphs));
    const o = outlineOf("report.bin");
    const all = letters(texts(o).join(" "));
    // Every paragraph is there, in order, across the page break, with no PDF syntax.
    let at = -1;
    for (const p of paragraphs) {
      const found = all.indexOf(words(p), at + 1);
      expect(found).toBeGreaterThan(at);
      at = found;
    }
    expect(texts(o).join(" ")).not.toMatch(/endobj|\/Type|Tj/);
    expect(texts(o).length).toBeGreaterThan(paragraphs.length);
  });

  it("summarizes a PDF end to end", () => {
    writeFileSync(join(dir, "paper.pdf"), makePdf(CHAPTERS[1].paragraphs.slice(0, 6)));
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        "summarize",
        "paper.pdf",
        "--models",
        smokeModelsDir(),
        "-n",
        "2",
        "--steps",
        "3",
        "--format",
        "json",
      ],
      {
        cwd: dir,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache") },
      },
    );
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.source.sentences).toBeGreaterThan(10);
    expect(out.concepts.length).toBeGreaterThan(0);
  }, 120_000);

  it("reads a Word document's headings as sections", () => {
    writeFileSync(join(dir, "notes.docx"), makeDocx(CHAPTERS.slice(1, 3)));
    const o = outlineOf("notes.docx");
    expect(titles(o)).toEqual(CHAPTERS.slice(1, 3).map((c) => c.title));
    expect(letters(texts(o).join(" "))).toContain(
      words(CHAPTERS[2].paragraphs[0]).split(" ").slice(0, 5).join(" "),
    );
  });

  it("reads an EPUB's chapters in reading order (the spine), each a section", () => {
    writeFileSync(join(dir, "book.epub"), makeEpub(CHAPTERS));
    const o = outlineOf("book.epub");
    expect(titles(o)).toEqual(CHAPTERS.map((c) => c.title));
    expect(texts(o).join(" ")).not.toMatch(/margin:0/);
  });

  it("reads a web page's article, without navigation, scripts, styles, banners or footers", () => {
    const html = makeHtml(CHAPTERS[1].title, CHAPTERS[1].paragraphs.slice(0, 5));
    writeFileSync(join(dir, "page.html"), html);
    writeFileSync(join(dir, "page-saved-as.txt"), html); // sniffed by content, not by name
    for (const file of ["page.html", "page-saved-as.txt"]) {
      const o = outlineOf(file);
      expect(titles(o)).toEqual([CHAPTERS[1].title]);
      const all = texts(o).join(" ");
      for (const junk of [
        "World news",
        "analytics",
        "font-family",
        "cookies",
        "Copyright",
        "injected",
        "Read more",
      ])
        expect(all).not.toContain(junk);
      expect(all).toContain("By a staff writer");
      expect(letters(all)).toContain(words(CHAPTERS[1].paragraphs[4]).split(" ").slice(0, 5).join(" "));
    }
  });

  it("reads UTF-16 text instead of calling it binary", () => {
    const text = "Première phrase du document. Second sentence here.";
    writeFileSync(
      join(dir, "utf16.txt"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]),
    );
    expect(texts(outlineOf("utf16.txt"))).toEqual(["Première phrase du document.", "Second sentence here."]);
  });

  it("refuses what it cannot read with one line naming the format and what to do (exit 2)", () => {
    writeFileSync(join(dir, "scan.pdf"), makePdf(["A scanned page."], { textLayer: false }));
    writeFileSync(join(dir, "data.zip"), Buffer.from(zipSync({ "a.csv": strToU8("x,y\n1,2\n") })));
    writeFileSync(join(dir, "broken.pdf"), Buffer.from("%PDF-1.4\nthis is not really a pdf\n"));
    const cases: [string, RegExp][] = [
      ["scan.pdf", /no text layer.*OCR/],
      ["data.zip", /ZIP archive that is neither a Word document nor an EPUB/],
      ["broken.pdf", /not a readable PDF|no text layer/],
    ];
    for (const [file, message] of cases) {
      const r = lcm(["outline", file]);
      expect(r.code, file).toBe(2);
      expect(r.stderr.trim().split("\n"), file).toHaveLength(1);
      expect(r.stderr, file).toMatch(message);
    }
  });
});

describe("sniffing by content", () => {
  it("keeps text that only mentions PDF or ZIP signatures as text", () => {
    writeFileSync(
      join(dir, "about-pdf.md"),
      "# PDF files\n\nA PDF starts with %PDF-1.7 on its first line. ZIPs start with PK.\n",
    );
    expect(texts(outlineOf("about-pdf.md"))).toEqual([
      "A PDF starts with %PDF-1.7 on its first line.",
      "ZIPs start with PK.",
    ]);
  });
});
