/**
 * The batch runner with a stand-in summarizer (the real one is exercised in batch-cli.test.ts):
 * streaming jsonl, one file per input written atomically and never over an existing one without
 * --force, failures counted without stopping, the --jobs limit, cancellation and the progress bar.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { documentWork, estimateRemainingMs, formatProgress } from "../src/batch/progress.js";
import {
  type BatchOptions,
  batchExitCode,
  type DocumentSummary,
  type SummarizeDocument,
  summarizeBatch,
} from "../src/batch/summarize-batch.js";
import { CancelledError, RuntimeFailure } from "../src/util/errors.js";

let dir: string;
let docs: string[];

const DOCS: Record<string, string> = {
  "a.md": "# Alpha\n\nAlpha one. Alpha two.",
  "b.txt": "Bravo one. Bravo two. Bravo three.",
  "c.md": "Charlie one. FAIL here.",
  "d.txt": "Delta one.",
  "e.md": "Echo one. Echo two.",
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lcm-batch-run-"));
  mkdirSync(join(dir, "in"));
  for (const [name, text] of Object.entries(DOCS)) writeFileSync(join(dir, "in", name), text);
  writeFileSync(join(dir, "in", "empty.txt"), "");
  docs = Object.keys(DOCS).map((n) => join(dir, "in", n));
});

/** A summarizer double: the first sentence in upper case; fails on "FAIL"; `ms` per document. */
function fakeSummarizer(ms = 0, onCall: (call: number) => void = () => {}) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0 };
  const summarize: SummarizeDocument = async (doc, { signal, onConcepts }) => {
    stats.calls++;
    onCall(stats.calls);
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      const sentences = doc.text
        .replace(/^#.*$/gm, "")
        .trim()
        .split(/(?<=\.)\s+/);
      onConcepts(1);
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new CancelledError());
        const t = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          reject(new CancelledError());
        });
      });
      if (doc.text.includes("FAIL")) throw new RuntimeFailure("the model gave up");
      const summary = sentences[0].toUpperCase();
      const result: DocumentSummary = {
        concepts: sentences.length,
        render: (format) =>
          format === "json" ? JSON.stringify({ summary }) : format === "md" ? `**${summary}**` : summary,
        json: () => ({ summary, concepts: sentences.length }),
      };
      return result;
    } finally {
      stats.inFlight--;
    }
  };
  return { summarize, stats };
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      stdout: async (text: string) => {
        out.push(text);
      },
      stderr: (text: string) => {
        err.push(text);
      },
    },
  };
}

const base: BatchOptions = { format: "jsonl", jobs: 1, progress: false };

describe("streaming jsonl", () => {
  it("prints one record per document as it finishes; a failure is a record and a line, not a stop", async () => {
    const { summarize } = fakeSummarizer();
    const sink = io();
    const report = await summarizeBatch(
      [...docs, join(dir, "in", "empty.txt"), join(dir, "missing.md")],
      base,
      summarize,
      sink.io,
    );
    const records = sink.out.map((line) => JSON.parse(line));
    expect(records.map((r) => [r.input.split("/").pop(), r.ok])).toEqual([
      ["a.md", true],
      ["b.txt", true],
      ["c.md", false],
      ["d.txt", true],
      ["e.md", true],
      ["empty.txt", false],
      ["missing.md", false],
    ]);
    expect(records[0]).toMatchObject({ summary: "ALPHA ONE.", concepts: 2 });
    expect(records[2]).toMatchObject({ error: "the model gave up", exitCode: 1 });
    expect(records[5]).toMatchObject({ error: expect.stringMatching(/file is empty/), exitCode: 2 });
    expect(records[6]).toMatchObject({ error: expect.stringMatching(/no such file/) });
    expect(report).toMatchObject({ total: 7, done: 4, failed: 3, cancelled: 0, concepts: 2 + 3 + 1 + 2 }); // failed documents count no concepts
    expect(batchExitCode(report)).toBe(1);
    const stderr = sink.err.join("");
    expect(stderr).toContain(`lcm: ${join(dir, "in", "c.md")}: the model gave up\n`);
    expect(stderr).toContain(`lcm: ${join(dir, "in", "empty.txt")}: file is empty\n`);
    expect(stderr).toMatch(/lcm: summarized 4 of 7 documents, 3 failed, in \d+s/);
  });

  it("exits 0 when every document is summarized", async () => {
    const ok = docs.filter((d) => !d.endsWith("c.md"));
    const report = await summarizeBatch(ok, { ...base, quiet: true }, fakeSummarizer().summarize, io().io);
    expect(batchExitCode(report)).toBe(0);
  });

  it("refuses several documents as --format json on stdout", async () => {
    await expect(
      summarizeBatch(docs, { ...base, format: "json" }, fakeSummarizer().summarize, io().io),
    ).rejects.toThrow(/--format jsonl, or --out DIR/);
  });

  it("prints text summaries after a ==> FILE <== header each", async () => {
    const sink = io();
    await summarizeBatch(docs.slice(0, 2), { ...base, format: "text" }, fakeSummarizer().summarize, sink.io);
    expect(sink.out.join("")).toBe(`==> ${docs[0]} <==\nALPHA ONE.\n\n==> ${docs[1]} <==\nBRAVO ONE.\n\n`);
  });
});

describe("--out DIR", () => {
  it("writes one file per input, then refuses to overwrite without --force, then overwrites with it", async () => {
    const out = join(dir, "out");
    const ok = [join(dir, "in")];
    const first = await summarizeBatch(
      ok,
      { ...base, format: "md", out },
      fakeSummarizer().summarize,
      io().io,
    );
    expect(first).toMatchObject({ done: 4, failed: 2 }); // c.md fails, empty.txt is empty
    expect(readdirSync(out).sort()).toEqual(["a.summary.md", "b.summary.md", "d.summary.md", "e.summary.md"]);
    expect(readFileSync(join(out, "a.summary.md"), "utf8")).toBe("**ALPHA ONE.**\n");

    writeFileSync(join(out, "a.summary.md"), "edited by hand\n");
    const again = fakeSummarizer();
    const sink = io();
    const second = await summarizeBatch(ok, { ...base, format: "md", out }, again.summarize, sink.io);
    expect(second.done).toBe(0);
    // A rerun skips what is done (not a failure): only c.md and empty.txt fail again.
    expect(second).toMatchObject({ skipped: 4, failed: 2 });
    expect(batchExitCode(second)).toBe(1);
    expect(readFileSync(join(out, "a.summary.md"), "utf8")).toBe("edited by hand\n");
    expect(sink.err.join("")).toContain("4 skipped (already done)");
    // Outputs that exist are skipped before any work is spent on them.
    expect(again.stats.calls).toBe(1); // only c.md, which has no output yet

    const third = await summarizeBatch(
      ok,
      { ...base, format: "md", out, force: true },
      fakeSummarizer().summarize,
      io().io,
    );
    expect(third.done).toBe(4);
    expect(readFileSync(join(out, "a.summary.md"), "utf8")).toBe("**ALPHA ONE.**\n");
    expect(readdirSync(out).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("with jsonl, the summary goes to the file and the record names it", async () => {
    const out = join(dir, "json-out");
    const sink = io();
    await summarizeBatch([docs[0]], { ...base, out }, fakeSummarizer().summarize, sink.io);
    expect(JSON.parse(sink.out[0])).toEqual({
      input: docs[0],
      ok: true,
      output: join(out, "a.summary.json"),
    });
    expect(JSON.parse(readFileSync(join(out, "a.summary.json"), "utf8"))).toEqual({ summary: "ALPHA ONE." });
  });
});

describe("--jobs and cancellation", () => {
  it("runs at most --jobs documents at once", async () => {
    const many = Array.from({ length: 9 }, (_, i) => {
      const path = join(dir, "in", `doc${i}.txt`);
      writeFileSync(path, `Document ${i} sentence. Another.`);
      return path;
    });
    for (const jobs of [1, 3]) {
      const fake = fakeSummarizer(15);
      const report = await summarizeBatch(many, { ...base, jobs, quiet: true }, fake.summarize, io().io);
      expect(report.done).toBe(9);
      expect(fake.stats.maxInFlight).toBe(jobs);
    }
  });

  it("stops starting documents when cancelled; the running one is cancelled, not failed (exit 130)", async () => {
    const controller = new AbortController();
    // Ctrl-C arrives as the second document starts.
    const fake = fakeSummarizer(5, (call) => call === 2 && controller.abort());
    const sink = io();
    const report = await summarizeBatch(
      docs,
      { ...base, signal: controller.signal },
      fake.summarize,
      sink.io,
    );
    expect(report.done).toBe(1);
    expect(report.failed).toBe(0);
    expect(report.cancelled).toBe(4);
    expect(fake.stats.calls).toBe(2);
    expect(batchExitCode(report)).toBe(130);
  });
});

describe("progress", () => {
  it("draws a bar on stderr only when asked, and clears it before other lines", async () => {
    const sink = io();
    await summarizeBatch(docs, { ...base, progress: true }, fakeSummarizer().summarize, sink.io);
    const stderr = sink.err.join("");
    expect(stderr).toMatch(/\r\u001b\[Klcm summarize \[#{4}-{16}\] 1\/5 docs \| [\d.]+ concepts\/s \| ETA /);
    expect(stderr).toMatch(/5\/5 docs, 1 failed/);
    expect(stderr).toContain(`\r\u001b[Klcm: ${docs[2]}: the model gave up\n`);
    const quiet = io();
    await summarizeBatch(docs, base, fakeSummarizer().summarize, quiet.io);
    expect(quiet.err.join("")).not.toContain("\r");
  });

  it("formats counts, rate and an ETA from the bytes left", () => {
    const counts = {
      total: 10,
      done: 4,
      failed: 1,
      concepts: 500,
      bytesDone: 1000,
      bytesTotal: 3000,
      elapsedMs: 10_000,
    };
    expect(formatProgress(counts)).toBe(
      "[##########----------] 5/10 docs, 1 failed | 50 concepts/s | ETA 20s",
    );
    expect(estimateRemainingMs({ ...counts, bytesTotal: 0, bytesDone: 0 })).toBe(10_000);
    // Nothing done at all: no estimate yet.
    expect(estimateRemainingMs({ ...counts, done: 0, failed: 0, bytesDone: 0 })).toBeNull();
    expect(formatProgress({ ...counts, done: 0, failed: 0, elapsedMs: 0, concepts: 0 })).toBe(
      "[--------------------] 0/10 docs | 0.0 concepts/s | ETA --",
    );
  });

  it("estimates one long document from how far it got, and shows its stage", () => {
    // Half encoded, nothing generated yet: a quarter of the work in 10 s leaves 30 s.
    const work = documentWork({ encode: [2500, 5000] });
    expect(work).toBe(0.25);
    const one = { total: 1, done: 0, failed: 0, concepts: 2500, bytesTotal: 4000, elapsedMs: 10_000 };
    expect(estimateRemainingMs({ ...one, bytesDone: 4000 * work })).toBe(30_000);
    expect(formatProgress({ ...one, bytesDone: 1000, current: "book.md: encode 2,500/5,000" })).toBe(
      "[--------------------] 0/1 docs | 250 concepts/s | ETA 30s | book.md: encode 2,500/5,000",
    );
    expect(documentWork({ encode: [5000, 5000], generate: [3, 6] })).toBe(0.75);
  });
});
