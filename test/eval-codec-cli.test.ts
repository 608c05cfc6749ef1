/**
 * `lcm eval codec` end to end through the built CLI on the smoke codec (a tiny real model made by
 * test/global-setup.ts; its scores are near zero, so this checks the wiring, not quality: the metric
 * arithmetic is covered by test/eval-codec.test.ts and the golden sacrebleu tests). Data: the first four
 * Multi30k validation sentences in English, French, German and Czech (test/fixtures/eval/multiway).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const DATA = fileURLToPath(new URL("./fixtures/eval/multiway", import.meta.url));

function lcm(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("lcm eval codec", () => {
  it("reports auto-encoding, translation and xsim for every language and direction", () => {
    const models = smokeCodecDir();
    const args = ["eval", "codec", "--data", DATA, "--langs", "eng_Latn,fra_Latn", "--models", models];
    const { code, stdout, stderr } = lcm(...args, "--limit", "2", "--greedy", "--batch-size", "2");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.codec.name).toBe("lcm-smoke-codec");
    expect(report.sentences).toBe(2);
    expect(report.config.beam).toBe(1);
    expect(report.autoencoding.map((r: { lang: string }) => r.lang)).toEqual(["eng_Latn", "fra_Latn"]);
    expect(
      report.translation.map((r: { source: string; target: string }) => `${r.source}>${r.target}`),
    ).toEqual(["fra_Latn>eng_Latn", "eng_Latn>fra_Latn"]);
    for (const row of [...report.autoencoding, ...report.translation]) {
      for (const metric of [row.chrf, row.chrfpp, row.bleu]) expect(metric).toBeGreaterThanOrEqual(0);
      expect(row.chrf).toBeLessThanOrEqual(100);
      expect(row.sentences).toBe(2);
    }
    for (const x of report.xsim) {
      expect(x.sentences).toBe(2);
      expect(x.errorRate).toBeCloseTo(x.errors / 2, 12);
    }
  });

  it("exits 2 for a language the codec does not have, or a pair outside --langs", () => {
    const models = smokeCodecDir();
    const unsupported = lcm(
      "eval",
      "codec",
      "--data",
      DATA,
      "--langs",
      "eng_Latn,ces_Latn",
      "--models",
      models,
      "--limit",
      "1",
    );
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/ces_Latn/);
    const badPair = lcm(
      "eval",
      "codec",
      "--data",
      DATA,
      "--langs",
      "eng_Latn",
      "--pairs",
      "eng_Latn:deu_Latn",
      "--models",
      models,
    );
    expect(badPair.code).toBe(2);
    expect(badPair.stderr.trim()).toBe("lcm: --pairs: deu_Latn is not in --langs");
  });

  it("exits 2 when a language has no data file", () => {
    const { code, stderr } = lcm(
      "eval",
      "codec",
      "--data",
      DATA,
      "--langs",
      "eng_Latn,spa_Latn",
      "--models",
      smokeCodecDir(),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/no spa_Latn\.txt or spa_Latn\.txt\.gz/);
  });
});
