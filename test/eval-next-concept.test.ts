/**
 * `lcm eval next-concept` (issue 15): the LCM paper's pre-training metrics on any documents. The
 * contrastive-accuracy and paraphrase definitions are pinned on hand-made vectors; the command runs end
 * to end through the built CLI on the bundled models (Two-Tower + Base-LCM) over a slice of the bundled
 * book, and its baselines are checked against the concepts `lcm encode` writes for the same document,
 * computed here from the paper's definitions. The Quant-LCM runs on its fixture with the smoke codec
 * (test/global-setup.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContrastBatch, paraphraseRatio } from "../src/eval/next-concept.js";
import { runSeparated } from "./helpers/run-captured.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const BOOK = join(ROOT, "examples/problems-of-philosophy.md");
const QUANT = join(ROOT, "test/fixtures/lcm-quant-parity");

const work = mkdtempSync(join(tmpdir(), "lcm-next-concept-"));
const env = {
  ...process.env,
  XDG_CACHE_HOME: join(work, "cache"),
  XDG_DATA_HOME: join(work, "data"),
  LCM_MODELS: "",
  LCM_THREADS: "2",
};
let doc: string;

beforeAll(() => {
  // Chapter I's opening paragraphs: real prose, 21 sentences.
  const lines = readFileSync(BOOK, "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Chapter I."));
  doc = join(work, "chapter-1.md");
  writeFileSync(doc, `${lines.slice(start, start + 7).join("\n")}\n`);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function lcm(...args: string[]) {
  return runSeparated(process.execPath, [CLI, ...args], { cwd: ROOT, env });
}

const v = (...xs: number[]) => Float32Array.from(xs);

describe("the paper's definitions", () => {
  it("contrastive accuracy: the share of the batch, less x_n and its context, farther than x_n", () => {
    const batch = new ContrastBatch([{ vectors: [v(0), v(1), v(2)] }, { vectors: [v(10), v(-5)] }]);
    // x̂_1 = 1.2 of document 0: x_0 and x_1 are left out; 2, 10 and -5 are all farther than 0.2.
    expect(batch.accuracy(v(1.2), 0, 1)).toBe(1);
    // x̂_1 = 1.9: x_2 = 2 is nearer (0.1) than x_1 (0.9); 10 and -5 are farther.
    expect(batch.accuracy(v(1.9), 0, 1)).toBeCloseTo(2 / 3, 12);
    // Document 1's x̂_1 = -4: every concept of document 0 is a candidate, all farther than x_1 = -5.
    expect(batch.accuracy(v(-4), 1, 1)).toBe(1);
    expect(batch.accuracy(v(1), 1, 1)).toBe(0);
    const alone = new ContrastBatch([{ vectors: [v(0), v(1)] }]);
    expect(alone.accuracy(v(1), 0, 1)).toBeNull();
  });

  it("paraphrase: max cosine of x̂_n to the context over that of x_n", () => {
    const context = [v(1, 0), v(0, 1)];
    // x̂ copies a context concept (cosine 1); the truth is halfway (cosine 1/√2 to both).
    expect(paraphraseRatio(v(1, 0), v(1, 1), context)).toBeCloseTo(Math.SQRT2, 6);
    expect(paraphraseRatio(v(1, 1), v(1, 1), context)).toBeCloseTo(1, 6);
    // A truth pointing away from the whole context has no ratio.
    expect(paraphraseRatio(v(1, 0), v(-1, -1), context)).toBeNull();
  });
});

interface Scores {
  l2: number;
  l2_r: number;
  contrastive_accuracy: number;
  paraphrase: number;
  positions: number;
}

function expectScores(s: Scores, positions: number): void {
  expect(Object.keys(s)).toEqual(
    expect.arrayContaining(["l2", "l2_r", "contrastive_accuracy", "paraphrase", "positions"]),
  );
  expect(s.positions).toBe(positions);
  for (const x of [s.l2, s.l2_r, s.paraphrase]) {
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeGreaterThan(0);
  }
  expect(s.contrastive_accuracy).toBeGreaterThanOrEqual(0);
  expect(s.contrastive_accuracy).toBeLessThanOrEqual(1);
}

const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
const cos = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
};

describe("lcm eval next-concept", () => {
  it("scores the Base-LCM and the baselines; the copy baseline agrees with lcm encode's concepts", {
    timeout: 180_000,
  }, async () => {
    const P = 4;
    const run = await lcm("eval", "next-concept", doc, "--model", "base", "--max-positions", String(P));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.model.name).toBe("base");
    expect(report.lcm.name).toBe("lcm-default-two-tower");
    expect(report.settings.sampler).toBeNull();
    expect(report.documents).toEqual([{ name: doc, lang: "eng_Latn", sentences: 21, positions: P }]);
    expectScores(report.model, P);
    expectScores(report.baselines.copy_previous, P);
    expectScores(report.baselines.context_mean, P);
    expect(report.codec_round_trip.l2).toBeGreaterThan(0);

    const enc = await lcm("encode", doc, "--format", "json", "--no-cache");
    expect(enc.code).toBe(0);
    const x: number[][] = JSON.parse(enc.stdout).concepts.map((c: { vector: number[] }) => c.vector);
    const positions = [1, 2, 3, 4];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const copy = report.baselines.copy_previous;
    // Encoding 5 sentences or 21 batches them differently (int8 activations): agreement to ~1e-3.
    expect(copy.l2).toBeCloseTo(mean(positions.map((n) => dist(x[n - 1], x[n]))), 2);
    const par = positions.map((n) => 1 / Math.max(...x.slice(0, n).map((m) => cos(x[n], m))));
    expect(copy.paraphrase).toBeCloseTo(mean(par), 2);
    // CA of copying x_{n-1}: the batch is this document's kept concepts after x_n (x_{n+1}..x_4). A
    // candidate within the encodings' disagreement of x_n's distance may count either way.
    const ca = (slack: number) =>
      mean(
        [1, 2, 3].map((n) => {
          const own = dist(x[n - 1], x[n]);
          const others = x.slice(n + 1, P + 1);
          return others.filter((c) => dist(x[n - 1], c) > own + slack).length / others.length;
        }),
      );
    expect(copy.contrastive_accuracy).toBeGreaterThanOrEqual(ca(0.01) - 1e-12);
    expect(copy.contrastive_accuracy).toBeLessThanOrEqual(ca(-0.01) + 1e-12);
    expect(ca(-0.01) - ca(0.01)).toBeLessThanOrEqual(1 / 3 + 1e-12);
    expect(copy.contrastive_positions).toBe(3);
  });

  it("runs the Two-Tower by default, seeded, with numbers of its own; text is a table", {
    timeout: 180_000,
  }, async () => {
    const args = ["eval", "next-concept", doc, "--max-positions", "3"];
    const [json, base, text, seeded] = [
      await lcm(...args),
      await lcm(...args, "--model", "base"),
      await lcm(...args, "--format", "text"),
      await lcm(...args, "--seed", "1"),
    ];
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    const other = JSON.parse(base.stdout);
    expect(report.model.name).toBe("two-tower");
    expect(report.model.kind).toBe("diffusion");
    expect(report.settings.sampler).toMatchObject({ steps: 40, guidance: 3 });
    expectScores(report.model, 3);
    expect(report.model.l2).not.toBeCloseTo(other.model.l2, 3);
    // The baselines do not depend on the model.
    expect(report.baselines.copy_previous.l2).toBe(other.baselines.copy_previous.l2);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^\s+l2\s+l2_r\s+CA\s+PAR$/m);
    expect(text.stdout).toMatch(/^two-tower\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d\.\d{3}\s+\d+\.\d{3}$/m);
    expect(text.stdout).toContain("copy previous concept");
    // The same seed samples the same concepts (the text run), another seed others.
    expect(text.stdout).toContain(report.model.l2.toFixed(3));
    expect(JSON.parse(seeded.stdout).model.l2).not.toBe(report.model.l2);
  });

  it("samples the Quant-LCM with its unit-sampling settings (smoke codec + quant fixture)", {
    timeout: 120_000,
  }, async () => {
    // The fixture was trained on another build of the smoke codec: this checks the wiring, not quality.
    const models = join(work, "quant-models");
    mkdirSync(models);
    cpSync(smokeCodecDir(), join(models, "codec"), { recursive: true });
    cpSync(QUANT, join(models, "quant"), { recursive: true, filter: (src) => !src.endsWith("parity.json") });
    const run = await lcm(
      ...["eval", "next-concept", doc, "--models", models, "--max-positions", "3", "--temperature", "0.5"],
    );
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.lcm).toEqual({ name: "lcm-smoke-quant", family: "quant" });
    expect(report.model).toMatchObject({ name: "quant", kind: "quant", positions: 3 });
    expect(report.settings.sampler).toMatchObject({ temperature: 0.5 });
    expect(report.settings.sampler).not.toHaveProperty("steps");
    for (const x of [report.model.l2, report.model.l2_r]) expect(Number.isFinite(x)).toBe(true);
  });

  it("refuses bad input with one line and exit 2", { timeout: 180_000 }, async () => {
    const one = join(work, "one.txt");
    writeFileSync(one, "Only one sentence here.\n");
    const cases: [string[], RegExp][] = [
      [["no/such/file.md"], /^lcm: no\/such\/file\.md: no such file$/],
      // Every family is bundled now: a named LCM that lacks the model asked for is refused.
      [
        [doc, "--lcm", "lcm-default-one-tower", "--model", "base"],
        /^lcm: the LCM 'lcm-default-one-tower' has no Base-LCM graph .*'lcm-default-two-tower' has one/,
      ],
      [[doc, "--model", "base", "--steps", "10"], /steps/],
      [[doc, "--max-positions", "0"], /^lcm: --max-positions must be a positive integer, got '0'$/],
      [[one], /^lcm: no document has two sentences to predict from/],
    ];
    for (const [args, message] of cases) {
      const r = await lcm("eval", "next-concept", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    const none = await lcm("eval", "next-concept");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing required argument 'inputs'/);
  });
});
