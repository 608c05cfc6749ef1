/**
 * The Python training code (training/) stays a clean package: pyflakes, the linter Debian ships
 * (python3-pyflakes), finds nothing in it, and no module edits sys.path: every entry point runs as
 * `python3 -m PACKAGE.MODULE` from training/ (training/pyproject.toml, training/README.md).
 * A machine without pyflakes fails here, naming the package to install; nothing skips.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { PY, runCaptured } from "./helpers/run-captured.js";

const ROOT = join(import.meta.dirname, "..");
const TRAINING = join(ROOT, "training");
// git-ignored outputs of training runs (.gitignore), not code
const NOT_CODE = new Set(["data", "runs", "checkpoints", "__pycache__"]);

function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return runCaptured(cmd, args, { cwd: TRAINING });
}

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dir === TRAINING && NOT_CODE.has(entry.name) ? [] : pythonFiles(path);
    return entry.name.endsWith(".py") ? [path] : [];
  });
}

describe("training/ Python code", () => {
  const files = pythonFiles(TRAINING).map((f) => relative(TRAINING, f));

  it("has Python modules to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it("is clean under pyflakes", async () => {
    const probe = await run(PY, ["-m", "pyflakes", "--version"]);
    expect(
      probe.code,
      `pyflakes is not available to ${PY}: apt-get install python3-pyflakes\n${probe.out.trim()}`,
    ).toBe(0);
    const r = await run(PY, ["-m", "pyflakes", ...files]);
    expect(r.out.trim(), "pyflakes findings in training/").toBe("");
    expect(r.code).toBe(0);
  });

  it("never edits sys.path (modules run as python3 -m from training/)", () => {
    const offenders = files.filter((f) => readFileSync(join(TRAINING, f), "utf8").includes("sys.path"));
    expect(offenders).toEqual([]);
  });
});
