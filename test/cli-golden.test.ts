/**
 * The CLI's outputs on the bundled example, byte for byte against outputs recorded before the
 * architecture redesign (issue 17: "behaviour stays the same"). Every subcommand's --help, the outline
 * in each format, grounded and abstractive summaries (JSON and text, English and French), an expansion
 * and an encode/decode round trip, all on the shipped models. A change that alters what a user sees
 * fails here; when the change is meant, re-record with `LCM_RECORD_GOLDEN=1 npx vitest run
 * test/cli-golden.test.ts` and review the diff of test/fixtures/cli-golden/ like any other change.
 *
 * What varies from run to run or checkout to checkout is masked: `timings_ms` values, the codec id's
 * hash (it covers the encoder file's mtime) and the repository's path (written as <root>).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runSeparated } from "./helpers/run-captured.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const CLI = join(ROOT, "dist/src/cli.js");
const GOLDEN = join(ROOT, "test/fixtures/cli-golden");
const BOOK = "examples/problems-of-philosophy.md";
const RECORD = process.env.LCM_RECORD_GOLDEN === "1";

const work = mkdtempSync(join(tmpdir(), "lcm-golden-"));
const env = {
  ...process.env,
  XDG_CACHE_HOME: join(work, "cache"),
  XDG_CONFIG_HOME: join(work, "config"),
  XDG_STATE_HOME: join(work, "state"),
  LCM_MODELS: "",
  LCM_THREADS: "2",
  NO_COLOR: "1",
  COLUMNS: "100",
};
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SUBCOMMANDS = [
  "outline",
  "summarize",
  "expand",
  "templates",
  "eval",
  "encode",
  "decode",
  "models",
  "serve",
  "tui",
];

/** name -> argv (run from the repository root). */
const CASES: [string, string[]][] = [
  ["help", ["--help"]],
  ...SUBCOMMANDS.map((c): [string, string[]] => [`help-${c}`, [c, "--help"]]),
  ["help-eval-next-concept", ["eval", "next-concept", "--help"]],
  ["outline-text", ["outline", BOOK]],
  ["outline-json", ["outline", BOOK, "--format", "json"]],
  ["outline-md", ["outline", BOOK, "--format", "md"]],
  ["summarize-json", ["summarize", BOOK, "--format", "json"]],
  ["summarize-text", ["summarize", BOOK]],
  ["summarize-abstractive", ["summarize", BOOK, "--no-grounded", "--format", "json"]],
  ["summarize-fra", ["summarize", BOOK, "--lang", "fra_Latn", "--length", "short"]],
  ["expand-json", ["expand", "test/fixtures/cli-golden/outline-input.md", "--format", "json"]],
  ["templates-list", ["templates"]],
  ["models-list", ["models", "list", "--format", "json"]],
  ["encode-json", ["encode", "test/fixtures/cli-golden/sentences.txt", "--format", "json"]],
  ["bad-input", ["summarize", "no/such/file.md"]],
];

function normalise(text: string): string {
  return text
    .split(ROOT)
    .join("<root>")
    .split(work)
    .join("<work>")
    .replace(/("timings_ms":\{)[^}]*\}/g, "$1<masked>}")
    .replace(/("[a-z_]*_ms":)\d+(\.\d+)?/g, "$1<ms>")
    .replace(/("id":"[\w.-]+-)[0-9a-f]{16}"/g, '$1<mtime hash>"');
}

/** Runs the CLI without blocking the test worker. */
function runRaw(args: string[]) {
  return runSeparated(process.execPath, [CLI, ...args], { cwd: ROOT, env });
}

async function run(args: string[]): Promise<string> {
  const r = await runRaw(args);
  return normalise(`exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);
}

describe("the CLI's outputs on the bundled example are unchanged", () => {
  if (RECORD) mkdirSync(GOLDEN, { recursive: true });
  for (const [name, args] of CASES) {
    it(`lcm ${args.join(" ")}`, { timeout: 120_000 }, async () => {
      const got = await run(args);
      const file = join(GOLDEN, `${name}.out`);
      if (RECORD) writeFileSync(file, got);
      expect(existsSync(file), `${file} is missing: record it (see the top of this file)`).toBe(true);
      expect(got).toBe(readFileSync(file, "utf8"));
    });
  }

  it("decodes what it encoded", { timeout: 120_000 }, async () => {
    const concepts = join(work, "concepts.json");
    const enc = await runRaw(["encode", "test/fixtures/cli-golden/sentences.txt", "-o", concepts]);
    expect(enc.code, enc.stderr).toBe(0);
    const got = await run(["decode", concepts, "--lang", "eng_Latn"]);
    const file = join(GOLDEN, "decode.out");
    if (RECORD) writeFileSync(file, got);
    expect(got).toBe(readFileSync(file, "utf8"));
  });
});
