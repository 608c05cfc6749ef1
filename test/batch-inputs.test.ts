/**
 * Batch inputs and outputs: directories walked for documents, glob patterns, stdin, duplicates,
 * missing files kept for reporting, and output paths that mirror the tree without collisions.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { expandGlob, parseGlob } from "../src/batch/glob.js";
import { expandInputs } from "../src/batch/inputs.js";
import { outputPathFor, planOutputs } from "../src/batch/output-paths.js";
import { isBatchInvocation } from "../src/batch/summarize-batch.js";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lcm-batch-inputs-"));
  const files: Record<string, string> = {
    "docs/a.md": "# A\n\nOne.",
    "docs/b.txt": "Two.",
    "docs/c.markdown": "Three.",
    "docs/image.png": "not a document",
    "docs/.hidden.md": "hidden",
    "docs/.git/x.md": "in a hidden folder",
    "docs/sub/d.MD": "Four.",
    "docs/sub/deeper/e.txt": "Five.",
    "docs/summaries/old.summary.md": "a previous run's output",
    "other/a.md": "Another a.",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  symlinkSync(join(root, "docs"), join(root, "docs", "sub", "loop"));
});

const rel = (paths: string[]) => paths.map((p) => p.slice(root.length + 1));

describe("expandInputs", () => {
  it("walks a directory recursively for .md/.markdown/.txt, sorted, skipping hidden entries and --out", async () => {
    const inputs = await expandInputs([join(root, "docs")], { exclude: join(root, "docs", "summaries") });
    expect(rel(inputs.map((i) => i.path))).toEqual([
      "docs/a.md",
      "docs/b.txt",
      "docs/c.markdown",
      "docs/sub/d.MD",
      "docs/sub/deeper/e.txt",
    ]);
    expect(inputs.map((i) => i.relativePath)).toEqual([
      "a.md",
      "b.txt",
      "c.markdown",
      "sub/d.MD",
      "sub/deeper/e.txt",
    ]);
    expect(inputs[0].bytes).toBe(9);
  });

  it("expands glob patterns (*, **, {a,b}, [..]) and keeps the path under the pattern's base", async () => {
    const star = await expandInputs([join(root, "docs/*.md")]);
    expect(rel(star.map((i) => i.path))).toEqual(["docs/a.md"]);
    const deep = await expandInputs([join(root, "docs/**/*.{txt,MD}")]);
    expect(rel(deep.map((i) => i.path))).toEqual(["docs/b.txt", "docs/sub/d.MD", "docs/sub/deeper/e.txt"]);
    expect(deep.map((i) => i.relativePath)).toEqual(["b.txt", "sub/d.MD", "sub/deeper/e.txt"]);
    expect(rel(await expandGlob(join(root, "docs/[ab].*")))).toEqual(["docs/a.md", "docs/b.txt"]);
    expect(rel(await expandGlob(join(root, "docs/.*.md")))).toEqual(["docs/.hidden.md"]);
  });

  it("keeps order, drops duplicates, takes - for stdin, and keeps a missing file to report it", async () => {
    const a = join(root, "docs/a.md");
    const inputs = await expandInputs([a, "-", join(root, "docs/*.md"), join(root, "nope.md"), "-"]);
    expect(inputs.map((i) => i.path)).toEqual([a, "-", join(root, "nope.md")]);
  });

  it("fails clearly for a pattern matching nothing and a folder without documents", async () => {
    await expect(expandInputs([join(root, "docs/*.rst")])).rejects.toThrow(/no files match/);
    mkdirSync(join(root, "empty"), { recursive: true });
    await expect(expandInputs([join(root, "empty")])).rejects.toThrow(
      /no documents \(.md, .markdown, .txt, .pdf/,
    );
    await expect(expandInputs([])).rejects.toThrow(/no inputs/);
  });
});

describe("output paths", () => {
  it("mirror the tree under --out with .summary.<ext>", async () => {
    const inputs = await expandInputs([join(root, "docs")]);
    const outputs = planOutputs(inputs, "/out", "md").map((p) => p.replaceAll("\\", "/"));
    expect(outputs).toContain("/out/a.summary.md");
    expect(outputs).toContain("/out/sub/deeper/e.summary.md");
    expect(outputPathFor({ path: "-", relativePath: "stdin", bytes: 0 }, "o", "jsonl")).toBe(
      join("o", "stdin.summary.json"),
    );
    expect(outputPathFor({ path: "../x/y.txt", relativePath: "../x/y.txt", bytes: 0 }, "o", "text")).toBe(
      join("o", "y.summary.txt"),
    );
  });

  it("refuses two inputs that would share an output", async () => {
    const inputs = await expandInputs([join(root, "docs/a.md"), join(root, "other/a.md")]);
    expect(() => planOutputs(inputs, "/out", "text")).toThrow(/would both be summarized to/);
  });
});

describe("isBatchInvocation", () => {
  it("is a batch for several inputs, a directory, a pattern, --out or jsonl; not for one file or -", async () => {
    expect(await isBatchInvocation([join(root, "docs/a.md")], {})).toBe(false);
    expect(await isBatchInvocation(["-"], { format: "json" })).toBe(false);
    expect(await isBatchInvocation([join(root, "docs/a.md"), join(root, "docs/b.txt")], {})).toBe(true);
    expect(await isBatchInvocation([join(root, "docs")], {})).toBe(true);
    expect(await isBatchInvocation([join(root, "docs/*.md")], {})).toBe(true);
    expect(await isBatchInvocation([join(root, "docs/a.md")], { out: "x" })).toBe(true);
    expect(await isBatchInvocation([join(root, "docs/a.md")], { format: "jsonl" })).toBe(true);
    expect(await isBatchInvocation([join(root, "missing.md")], {})).toBe(false);
  });

  it("parses a pattern into its literal base", () => {
    expect(parseGlob("docs/**/*.md").base).toBe("docs");
    expect(parseGlob("*.md").base).toBe(".");
    expect(parseGlob("/abs/dir/x?.txt").base).toBe("/abs/dir");
  });
});
