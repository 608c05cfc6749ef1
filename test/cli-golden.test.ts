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
 *
 * What the models compute varies with the CPU: onnxruntime picks its matrix kernels by instruction set
 * (AVX-512 with VNNI, AVX2, ...), concepts differ in the 7th digit, and diffusion sampling carries that
 * into other sentences. So the outputs of the models (MODEL_CASES) are recorded per kernel class, in
 * kernels-<class>/, and compared on a machine of that class; on a class nobody recorded they are
 * skipped, named as such, and everything else is still compared. A change to a model can only be
 * re-recorded on the machine at hand, so a recording another class can no longer match is deleted
 * (not left to fail): that case is skipped on that class until a machine of it records it again.
 * The grounded summaries pin
 * `--salience-length 0`: that default came after the AVX-512 recordings and cannot be re-recorded on
 * other CPUs; test/trust-shipped.test.ts asserts what it does.
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

/** The instruction-set class onnxruntime's CPU kernels are chosen by (Linux's /proc/cpuinfo flags). */
function kernelClass(): string {
  let flags: Set<string>;
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m);
    flags = new Set((line?.[1] ?? "").trim().split(/\s+/));
  } catch {
    return "unknown";
  }
  if (flags.has("avx512f")) return flags.has("avx512_vnni") ? "avx512-vnni" : "avx512";
  if (flags.has("avx2")) return flags.has("avx_vnni") ? "avx-vnni" : "avx2";
  return "other";
}
const KERNELS = kernelClass();
const MODEL_GOLDEN = join(GOLDEN, `kernels-${KERNELS}`);
/** Recorded for this machine's kernels (or being recorded now). */
const MODELS_RECORDED = RECORD || existsSync(MODEL_GOLDEN);
/** One model case's recording exists for this class (see the top of this file). */
const recorded = (name: string) => RECORD || existsSync(join(MODEL_GOLDEN, `${name}.out`));

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
  ["templates-list", ["templates"]],
  ["models-list", ["models", "list", "--format", "json"]],
  ["bad-input", ["summarize", "no/such/file.md"]],
];

/** Outputs the models compute: recorded per kernel class (see the top of this file). */
const MODEL_CASES: [string, string[]][] = [
  ["summarize-json", ["summarize", BOOK, "--format", "json", "--salience-length", "0"]],
  ["summarize-text", ["summarize", BOOK, "--salience-length", "0"]],
  ["summarize-abstractive", ["summarize", BOOK, "--no-grounded", "--format", "json"]],
  ["summarize-fra", ["summarize", BOOK, "--lang", "fra_Latn", "--length", "short", "--salience-length", "0"]],
  ["expand-json", ["expand", "test/fixtures/cli-golden/outline-input.md", "--format", "json"]],
  ["encode-json", ["encode", "test/fixtures/cli-golden/sentences.txt", "--format", "json"]],
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

function expectGolden(file: string, got: string): void {
  if (RECORD) writeFileSync(file, got);
  expect(existsSync(file), `${file} is missing: record it (see the top of this file)`).toBe(true);
  expect(got).toBe(readFileSync(file, "utf8"));
}

describe("the CLI's outputs on the bundled example are unchanged", () => {
  if (RECORD) mkdirSync(MODEL_GOLDEN, { recursive: true });
  for (const [name, args] of CASES) {
    it(`lcm ${args.join(" ")}`, { timeout: 120_000 }, async () => {
      expectGolden(join(GOLDEN, `${name}.out`), await run(args));
    });
  }
});

describe.skipIf(!MODELS_RECORDED)(
  `the models' outputs are unchanged (recorded for ${KERNELS} kernels)`,
  () => {
    for (const [name, args] of MODEL_CASES) {
      it.skipIf(!recorded(name))(`lcm ${args.join(" ")}`, { timeout: 120_000 }, async () => {
        expectGolden(join(MODEL_GOLDEN, `${name}.out`), await run(args));
      });
    }

    it.skipIf(!recorded("decode"))("decodes what it encoded", { timeout: 120_000 }, async () => {
      const concepts = join(work, "concepts.json");
      const enc = await runRaw(["encode", "test/fixtures/cli-golden/sentences.txt", "-o", concepts]);
      expect(enc.code, enc.stderr).toBe(0);
      expectGolden(join(MODEL_GOLDEN, "decode.out"), await run(["decode", concepts, "--lang", "eng_Latn"]));
    });
  },
);
