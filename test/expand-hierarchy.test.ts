/**
 * Hierarchical summarization plans: chunks that fit the model's context, cut along the outline's
 * sections (a real document's outline: examples/problems-of-philosophy.md), packed evenly.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Chunk,
  chunkSummaryCap,
  maxChunkLength,
  needsHierarchy,
  planChunks,
  type SourceUnit,
} from "../src/tasks/hierarchy.js";
import { readSourceDocument } from "../src/tasks/source-concepts.js";

const book = readSourceDocument(
  readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8"),
  {
    format: "markdown",
    supported: ["eng_Latn"],
  },
);

function expectTiling(chunks: Chunk[], total: number, maxChunk: number): void {
  expect(chunks[0].start).toBe(0);
  expect(chunks[chunks.length - 1].end).toBe(total);
  chunks.forEach((c, i) => {
    expect(c.end - c.start).toBeGreaterThan(0);
    expect(c.end - c.start).toBeLessThanOrEqual(maxChunk);
    if (i > 0) expect(c.start).toBe(chunks[i - 1].end);
  });
}

describe("when a source needs levels", () => {
  it("counts the source, the model turn and the summary against the context", () => {
    expect(needsHierarchy(500, 10, 512)).toBe(false);
    expect(needsHierarchy(502, 10, 512)).toBe(true);
    expect(needsHierarchy(501, 10, 512)).toBe(false);
  });

  it("caps chunk summaries at a quarter of the context so every level shrinks the material", () => {
    expect(chunkSummaryCap(10, 512)).toBe(10);
    expect(chunkSummaryCap(200, 512)).toBe(127);
    expect(chunkSummaryCap(10, 4)).toBe(1);
    expect(maxChunkLength(512, 10)).toBe(501);
  });
});

describe("planChunks", () => {
  it("reads the book's outline: a title section holding the preface and two chapters", () => {
    const top = book.units.find((u) => u.title === "The Problems of Philosophy")!;
    expect(top.children!.map((c) => c.title)).toEqual([
      "Preface",
      "Chapter I. Appearance and Reality",
      "Chapter II. The Existence of Matter",
    ]);
    expect(book.sentences.length).toBe(226);
  });

  it("cuts the book into chunks that fit, never across the chapter boundary", () => {
    const total = book.sentences.length;
    const chapter2 = book.units[1].children![2].start;
    for (const maxChunk of [40, 53, 120, 225]) {
      const chunks = planChunks(book.units, total, maxChunk);
      expectTiling(chunks, total, maxChunk);
      expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(total / maxChunk));
      expect(chunks.some((c) => c.start < chapter2 && c.end > chapter2)).toBe(false);
    }
  });

  it("splits a chapter longer than a chunk into near-equal numbered parts", () => {
    const chunks = planChunks(book.units, book.sentences.length, 53);
    const parts = chunks.flatMap((c) => c.titles).filter((t) => t.startsWith("Chapter I. "));
    expect(parts).toEqual([
      "Chapter I. Appearance and Reality (1/3)",
      "Chapter I. Appearance and Reality (2/3)",
      "Chapter I. Appearance and Reality (3/3)",
    ]);
    // The preface is small: it shares the first chunk with the opening of chapter I.
    expect(chunks[0].titles.slice(0, 2)).toEqual(["The Problems of Philosophy", "Preface"]);
  });

  it("packs many small sections into few even chunks along their boundaries", () => {
    const units: SourceUnit[] = Array.from({ length: 20 }, (_, i) => ({
      title: `S${i + 1}`,
      start: i * 10,
      end: i * 10 + 10,
    }));
    const chunks = planChunks(units, 200, 53);
    expectTiling(chunks, 200, 53);
    expect(chunks.length).toBe(4);
    for (const c of chunks) expect(c.start % 10).toBe(0);
  });

  it("keeps text outside any section as untitled pieces, and a source that fits as one chunk", () => {
    const chunks = planChunks([{ title: "Middle", start: 5, end: 8 }], 12, 20);
    expect(chunks).toEqual([{ start: 0, end: 12, titles: ["", "Middle", ""] }]);
  });

  it("rejects overlapping units", () => {
    expect(() =>
      planChunks(
        [
          { title: "a", start: 0, end: 6 },
          { title: "b", start: 5, end: 9 },
        ],
        9,
        4,
      ),
    ).toThrow(RangeError);
  });
});
