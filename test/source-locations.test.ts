/**
 * Every concept of a converted document leads back to the file the user has: a page of a PDF, a
 * chapter (and element) of an EPUB, an element of a web page, a paragraph of a Word document. Checked
 * against the files themselves: a PDF concept's words are on the page pdf.js reads for its number; an
 * EPUB concept is in the chapter (and paragraph) the book holds it in; a web page concept's path
 * names the article paragraph it came from.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../src/codec/embedding-cache.js";
import { locate, locationLabel, type SourceMap } from "../src/inputs/source-locations.js";
import { serve } from "../src/server/index.js";
import { silentLogger } from "../src/server/logger.js";
import { makeDocx, makeEpub, makeHtml, makePdf } from "./helpers/documents.js";
import { RpcTestClient } from "./helpers/rpc-client.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const dir = mkdtempSync(join(tmpdir(), "lcm-locations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BOOK = readFileSync(join(ROOT, "examples/problems-of-philosophy.md"), "utf8");
/** Prose paragraphs of the bundled book, as single lines. */
const PARAGRAPHS = BOOK.split(/\n\n+/)
  .map((p) => p.replace(/\s+/g, " ").trim())
  .filter((p) => p.length > 200 && !p.startsWith("#") && /^[A-Z]/.test(p));

interface LocatedConcept {
  text: string;
  span: [number, number];
  location?: {
    page?: number;
    chapter?: number;
    chapter_title?: string;
    file?: string;
    path?: string;
    paragraph?: number;
  };
}

function lcm(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
    // The shipped models (the test setup points LCM_MODELS at the smoke codec).
    env: { ...process.env, XDG_CACHE_HOME: join(dir, "cache"), LCM_MODELS: join(ROOT, "models/default") },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function conceptsOf(file: string): LocatedConcept[] {
  const r = lcm(["outline", file, "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const out: LocatedConcept[] = [];
  const visit = (s: { concepts: LocatedConcept[]; sections: unknown[] }) => {
    out.push(...s.concepts);
    for (const child of s.sections) visit(child as typeof s);
  };
  for (const s of JSON.parse(r.stdout).sections) visit(s);
  return out;
}

/** Letters only, lower case: what survives the PDF's layout and hyphenation. */
const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, "");

describe("where each concept is in the file", () => {
  it("PDF: the page number, and the concept's words are on that page", async () => {
    const file = join(dir, "report.pdf");
    writeFileSync(file, makePdf(PARAGRAPHS.slice(0, 14)));
    const pdfjs = await import("pdfjs-dist/legacy/build/pdf.mjs");
    const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0 }).promise;
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(letters(content.items.map((i) => ("str" in i ? i.str : "")).join("")));
    }
    await doc.destroy();
    expect(pages.length).toBeGreaterThan(2);

    const concepts = conceptsOf(file);
    expect(concepts.length).toBeGreaterThan(20);
    const seen = new Set<number>();
    let last = 0;
    for (const c of concepts) {
      const page = c.location?.page;
      expect(page, c.text).toBeDefined();
      expect(page!).toBeGreaterThanOrEqual(last);
      last = page!;
      seen.add(page!);
      // A sentence may run onto the next page; its start is on its own page.
      expect(pages[page! - 1], `${c.text} on page ${page}`).toContain(letters(c.text).slice(0, 24));
    }
    expect(seen.size).toBe(pages.length);

    const text = lcm(["outline", file]);
    expect(text.stdout).toMatch(/^ {2}1\. .* ‹p\. 1›$/m);
    expect(text.stdout).toContain(`‹p. ${pages.length}›`);
  });

  it("PDF summaries: each sentence taken from the source names its page ([sN, p. K], JSON grounding)", {
    timeout: 180_000,
  }, () => {
    const file = join(dir, "long-report.pdf");
    writeFileSync(file, makePdf(PARAGRAPHS.slice(0, 30)));
    const pages = conceptsOf(file).map((c) => c.location?.page);
    const r = lcm(["summarize", file, "--format", "json", "--length", "long"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const taken = result.concepts.filter((c: { rendering: string }) => c.rendering === "source");
    expect(taken.length).toBeGreaterThan(0);
    for (const c of taken) {
      const n = Number(/^\[s(\d+), p\. (\d+)\]$/.exec(c.marker)?.[1]);
      const page = Number(/, p\. (\d+)\]$/.exec(c.marker)?.[1]);
      expect(page, c.marker).toBe(pages[n - 1]);
    }
    for (const c of result.concepts)
      for (const g of c.grounding) expect(g.location).toEqual({ page: pages[g.index] });
    const text = lcm(["summarize", file]);
    expect(text.stdout).toMatch(/\[s\d+, p\. \d+\]/);
  });

  it("EPUB: chapter number, title and file, and the paragraph inside it", () => {
    const chapters = [
      { title: "The Harbour", paragraphs: PARAGRAPHS.slice(0, 3) },
      { title: "The Market", paragraphs: PARAGRAPHS.slice(3, 5) },
      { title: "The Storm", paragraphs: PARAGRAPHS.slice(5, 8) },
    ];
    const file = join(dir, "book.epub");
    writeFileSync(file, makeEpub(chapters));
    const concepts = conceptsOf(file);
    for (const c of concepts) {
      const loc = c.location;
      expect(loc, c.text).toBeDefined();
      const chapter = chapters[loc!.chapter! - 1];
      expect(loc!.chapter_title).toBe(chapter.title);
      // makeEpub names the files backwards, so only the spine order gives chapter numbers.
      expect(loc!.file).toBe(`OEBPS/ch${chapters.length - loc!.chapter! + 1}.xhtml`);
      const k = Number(/^p\[(\d+)\]$/.exec(loc!.path!)?.[1]);
      expect(chapter.paragraphs[k - 1], `${c.text} at ${loc!.path}`).toContain(c.text.slice(0, 40));
    }
    expect(new Set(concepts.map((c) => c.location!.chapter))).toEqual(new Set([1, 2, 3]));
  });

  it("HTML: the element path of the article paragraph", () => {
    const paragraphs = PARAGRAPHS.slice(8, 12);
    const file = join(dir, "page.html");
    writeFileSync(file, makeHtml("Tables and sense-data", paragraphs));
    const concepts = conceptsOf(file);
    // The heading (h1) is the section's title; the byline is the first concept.
    const outline = JSON.parse(lcm(["outline", file, "--format", "json"]).stdout);
    expect(outline.sections[0].location).toEqual({ path: "article > header > h1[1]" });
    expect(concepts[0].location?.path).toBe("article > header > p[1]");
    for (const c of concepts.slice(1)) {
      const k = Number(/^article > p\[(\d+)\]$/.exec(c.location?.path ?? "")?.[1]);
      expect(paragraphs[k - 1], `${c.text} at ${c.location?.path}`).toContain(c.text.slice(0, 40));
    }
  });

  it("Word: the paragraph number", () => {
    const file = join(dir, "notes.docx");
    writeFileSync(file, makeDocx([{ title: "Notes", paragraphs: PARAGRAPHS.slice(0, 3) }]));
    const concepts = conceptsOf(file);
    // Paragraph 1 is the heading, the section's title.
    expect(concepts[0].location?.paragraph).toBe(2);
    for (const c of concepts) {
      const k = c.location!.paragraph!;
      expect(PARAGRAPHS[k - 2], c.text).toContain(c.text.slice(0, 40));
    }
  });

  it("Markdown and text have spans only: no locations, the outline unchanged", () => {
    const file = join(dir, "notes.md");
    writeFileSync(file, `# Notes\n\n${PARAGRAPHS[0]}\n`);
    expect(conceptsOf(file).every((c) => c.location === undefined)).toBe(true);
    expect(lcm(["outline", file]).stdout).not.toContain("‹");
  });

  it("locate finds the block a span starts in", () => {
    const map: SourceMap = [
      { start: 0, location: { page: 1 } },
      { start: 100, location: { page: 2 } },
      { start: 250, location: { page: 4 } },
    ];
    expect(locate(map, [0, 10])).toEqual({ page: 1 });
    expect(locate(map, [99, 120])).toEqual({ page: 1 });
    expect(locate(map, [100, 120])).toEqual({ page: 2 });
    expect(locate(map, 1_000)).toEqual({ page: 4 });
    expect(locate(map, null)).toBeUndefined();
    expect(locate([{ start: 5, location: { paragraph: 1 } }], 2)).toBeUndefined();
    expect(locationLabel({ chapter: 3, chapterTitle: "X", path: "p[2]" })).toBe("ch. 3 › p[2]");
  });
});

describe("the server reads files itself (params.path) and says where each concept is", () => {
  it("outline, summarize and render of a PDF carry pages; text and path together are refused", {
    timeout: 180_000,
  }, async () => {
    const file = join(dir, "served.pdf");
    writeFileSync(file, makePdf(PARAGRAPHS.slice(0, 16)));
    const input = new PassThrough();
    const output = new PassThrough();
    const exit = serve({
      input,
      output,
      models: join(ROOT, "models/default"),
      threads: 2,
      cache: new EmbeddingCache(join(dir, "server-cache")),
      env: { ...process.env, XDG_CONFIG_HOME: join(dir, "config") },
      log: silentLogger,
      progressIntervalMs: 0,
    });
    const client = new RpcTestClient(input, output);
    try {
      const outline = (await client.call("outline", { path: file })).result as {
        uri: string;
        sections: { concepts: LocatedConcept[] }[];
      };
      expect(outline.uri).toBe(file);
      const concepts = outline.sections.flatMap((s) => s.concepts);
      expect(concepts.length).toBeGreaterThan(20);
      expect(concepts.every((c) => (c.location?.page ?? 0) >= 1)).toBe(true);
      const pages = concepts.map((c) => c.location!.page);

      const summary = (await client.call("summarize", { path: file, length: "long" }, 150_000)).result as {
        resultId: string;
        concepts: { marker: string | null; grounding: { index: number; location?: { page: number } }[] }[];
      };
      expect(summary.concepts.some((c) => c.marker !== null)).toBe(true);
      for (const c of summary.concepts) {
        for (const g of c.grounding) expect(g.location).toEqual({ page: pages[g.index] });
        if (c.marker) expect(c.marker).toMatch(/^\[s\d+( decoded)?, p\. \d+\]$/);
      }
      const render = (await client.call("render", { resultId: summary.resultId, lang: "eng_Latn" }))
        .result as {
        concepts: { marker: string | null }[];
      };
      expect(render.concepts.map((c) => c.marker)).toEqual(summary.concepts.map((c) => c.marker));

      const both = await client.call("outline", { path: file, text: "Two inputs." });
      expect(both.error?.code).toBe(-32602);
      expect(both.error?.message).toContain("either params.text");
      const missing = await client.call("outline", { path: join(dir, "nope.pdf") });
      expect(missing.error?.code).toBe(-32602);
      expect(missing.error?.message).toContain("no such file");
    } finally {
      client.request("shutdown");
      client.notify("exit");
      expect(await exit).toBe(0);
    }
  });
});
