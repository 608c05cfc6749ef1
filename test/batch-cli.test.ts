/**
 * `lcm summarize` over many inputs through the built CLI with the small real models: a directory
 * streamed as jsonl (with a failure reported and counted), --out files identical to what the
 * single-document command prints, stdin among the inputs, and the concept cache on a second run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { smokeModelsDir } from "./helpers/lcm-models.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const EXAMPLE = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
const FAST = [
  "--steps",
  "3",
  "--beam",
  "1",
  "-n",
  "2",
  "--seed",
  "4",
  "--source-lang",
  "eng_Latn",
  "--threads",
  "1",
];

let root: string;
let models: string;
const texts: Record<string, string> = {};

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
  models = smokeModelsDir();
  root = mkdtempSync(join(tmpdir(), "lcm-batch-cli-"));
  const paragraphs = EXAMPLE.split("\n\n").filter((p) => p.length > 200 && /^[A-Z]/.test(p));
  mkdirSync(join(root, "docs", "part"), { recursive: true });
  paragraphs.slice(0, 3).forEach((p, i) => {
    const name = i === 2 ? join("part", `p${i}.txt`) : `p${i}.md`;
    texts[name] = `# Paragraph ${i}\n\n${p}\n`;
    writeFileSync(join(root, "docs", name), texts[name]);
  });
  writeFileSync(join(root, "docs", "binary.txt"), Buffer.from([0x00, 0x01, 0x02, 0x41]));
});

function lcm(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, "summarize", ...args, "--models", models, ...FAST], {
    cwd: root,
    input,
    encoding: "utf8",
    env: { ...process.env, XDG_CACHE_HOME: join(root, "cache"), LCM_MODELS: "", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("lcm summarize over many documents", () => {
  it("streams a directory as jsonl; the binary file fails, is counted, and the exit code is 1", () => {
    const { code, stdout, stderr } = lcm(["docs", "--format", "jsonl"]);
    expect(code).toBe(1);
    const records = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.map((r) => [r.input, r.ok])).toEqual([
      ["docs/binary.txt", false],
      ["docs/p0.md", true],
      ["docs/p1.md", true],
      ["docs/part/p2.txt", true],
    ]);
    expect(records[0].error).toMatch(/binary/);
    for (const r of records.slice(1)) {
      const text = texts[r.input.slice("docs/".length)];
      expect(r.concepts.length).toBeGreaterThan(0);
      for (const c of r.concepts)
        for (const g of c.grounding) expect(text.slice(g.span[0], g.span[1]).length).toBeGreaterThan(10);
      expect(r.stats.encode_cache_hits).toBe(0);
    }
    expect(stderr).toMatch(/lcm: docs\/binary.txt: looks like a binary file/);
    expect(stderr).toMatch(/summarized 3 of 4 documents, 1 failed/);
  });

  it("a second run takes the concepts from the cache", () => {
    const { code, stdout } = lcm(["docs/*.md", "--format", "jsonl", "-j", "2"]);
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    for (const r of records) expect(r.stats.encode_cache_hits).toBe(r.source.sentences);
  });

  it("--out writes what the single-document command prints, and stdin can be one of the inputs", () => {
    const { code, stderr } = lcm(["docs/p0.md", "-", "--out", "out", "--format", "md"], texts["p1.md"]);
    expect(code, stderr).toBe(0);
    const single = lcm(["docs/p0.md", "--format", "md"]);
    expect(readFileSync(join(root, "out", "p0.summary.md"), "utf8")).toBe(single.stdout);
    expect(readFileSync(join(root, "out", "stdin.summary.md"), "utf8").length).toBeGreaterThan(0);
    const again = lcm(["docs/p0.md", "--out", "out", "--format", "md"]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/summarized 0 of 1 document, 1 skipped \(already done\)/);
  });

  it("runs 3 shards as separate processes: every document summarized exactly once; a rerun skips", () => {
    for (let i = 0; i < 6; i++)
      writeFileSync(join(root, "docs", `s${i}.md`), texts["p0.md"].replace("Paragraph 0", `Shard doc ${i}`));
    const shards = [0, 1, 2].map((i) =>
      lcm(["docs", "--out", "sharded", "--format", "jsonl", "--shard", `${i}/3`]),
    );
    const seen: string[] = [];
    for (const r of shards) {
      const records = r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      for (const rec of records) seen.push(rec.input);
    }
    // docs holds 10 files (binary.txt fails in whichever shard has it); each appears in one shard only.
    expect(seen.sort()).toEqual([...new Set(seen)].sort());
    expect(seen).toHaveLength(10);
    // The same shard again (a retried task) skips its finished documents and fails only the binary one.
    const retried = shards.map((r, i) => ({ r, i })).find(({ r }) => !r.stdout.includes("binary.txt"))!;
    const again = lcm(["docs", "--out", "sharded", "--format", "jsonl"], undefined, {
      SLURM_ARRAY_TASK_ID: String(retried.i),
      SLURM_ARRAY_TASK_COUNT: "3",
    });
    expect(again.code).toBe(0);
    expect(
      again.stdout
        .trim()
        .split("\n")
        .every((l) => JSON.parse(l).skipped === true),
    ).toBe(true);
  }, 180_000);

  it("checks --out before loading any model: a file, or a folder that cannot be made, is one line and exit 2", () => {
    writeFileSync(join(root, "a-file"), "x");
    for (const out of ["a-file", "/proc/lcm-no-such/out"]) {
      const r = lcm(["docs", "--out", out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^lcm: --out /);
    }
    const bad = lcm(["docs", "--out", "x", "--shard", "3/3"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard must be i\/N with 0 <= i < N/);
  });
});
