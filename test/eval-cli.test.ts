/**
 * `lcm eval summarization` end to end through the built CLI (npm test builds first), on the six-record
 * BBC sample: JSON and text output, predictions, a per-document command, and usage errors (exit 2).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const DATA = fileURLToPath(new URL("./fixtures/eval/bbc_sample.jsonl", import.meta.url));

function lcm(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("lcm eval summarization", () => {
  it("prints the baselines as JSON when no system is given", () => {
    const { code, stdout, stderr } = lcm("eval", "summarization", "--data", DATA);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.records).toBe(6);
    expect(report.system).toBeUndefined();
    expect(report.config.leadKSource).toBe("median reference sentences");
    expect(report.baselines.lead.name).toBe(`lead-${report.config.leadK}`);
    expect(report.baselines.centroid.rouge.rougeLsum.fmeasure).toBeGreaterThan(0.3);
  });

  it("scores a predictions file and prints a table with --format text", () => {
    const dir = mkdtempSync(join(tmpdir(), "lcm-eval-cli-"));
    const predictions = join(dir, "pred.jsonl");
    const records = readFileSync(DATA, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    writeFileSync(
      predictions,
      records.map((r) => JSON.stringify({ id: r.id, summary: r.summaries[0] })).join("\n"),
    );
    const { code, stdout } = lcm(
      "eval",
      "summarization",
      "--data",
      DATA,
      "--predictions",
      predictions,
      "--format",
      "text",
      "--lead-k",
      "2",
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^system\s+100\.00\s+100\.00\s+100\.00\s+100\.00/m);
    expect(stdout).toMatch(/^lead-2\s+\d+\.\d\d/m);
    expect(stdout).toMatch(/^centroid-2\s+\d+\.\d\d/m);
    expect(stdout).toContain("baselines use k = 2 sentences (flag)");
  });

  it("runs --system per document and reports progress on stderr only with --progress", () => {
    const { code, stdout, stderr } = lcm(
      "eval",
      "summarization",
      "--data",
      DATA,
      "--system",
      "head -c 300",
      "--no-baselines",
      "--limit",
      "2",
      "--progress",
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.records).toBe(2);
    expect(report.system.source).toBe("command");
    expect(report.system.failures).toBe(0);
    expect(stderr).toContain("lcm eval: system 2/2");
  });

  it("exits 2 with one line for bad usage", () => {
    for (const args of [
      ["--data", DATA, "--system", "cat", "--predictions", DATA],
      ["--data", DATA, "--no-baselines"],
      ["--data", "/nonexistent.jsonl"],
      ["--data", DATA, "--limit", "0"],
    ]) {
      const { code, stderr } = lcm("eval", "summarization", ...args);
      expect(code).toBe(2);
      expect(stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
