/**
 * The LCM families we ship (issue 15): models/default holds a Two-Tower (with its Base-LCM), a
 * One-Tower and a Quant-LCM, each its own folder on the same codec. `--model` picks one without
 * `--lcm` (the companions of tasks/engine.ts), and each summarizes the bundled book. Real models, a
 * real document.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { halfBytesToFloat32, halfToFloat } from "../src/util/half-float.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const MODELS = fileURLToPath(new URL("../models/default/", import.meta.url));
const BOOK = fileURLToPath(new URL("../examples/problems-of-philosophy.md", import.meta.url));

const cache = mkdtempSync(join(tmpdir(), "lcm-families-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

async function lcm(args: string[]) {
  const env = { ...process.env, LCM_MODELS: MODELS, LCM_THREADS: "1", XDG_CACHE_HOME: cache };
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], {
    env,
    maxBuffer: 16 << 20,
  });
  return stdout;
}

describe("the bundled LCM families", () => {
  it("are listed, one folder each, all on the bundled codec", async () => {
    const listed = JSON.parse(await lcm(["models", "list", "--format", "json"])) as {
      kind: string;
      name: string;
      family?: string;
      models?: string[];
      source: string;
    }[];
    const lcms = listed.filter((m) => m.kind === "lcm" && m.source === "LCM_MODELS");
    expect(lcms.map((m) => [m.name, m.family])).toEqual([
      ["lcm-default-two-tower", "two_tower"],
      ["lcm-default-one-tower", "one_tower"],
      ["lcm-default-quant", "quant"],
    ]);
  }, 60_000);

  for (const [model, name] of [
    ["one-tower", "lcm-default-one-tower"],
    ["quant", "lcm-default-quant"],
    ["base", "lcm-default-two-tower"],
  ]) {
    it(`summarizes the book with --model ${model} and no --lcm, grounded, at the length asked for`, async () => {
      const out = JSON.parse(
        await lcm(["summarize", BOOK, "--model", model, "-n", "4", "--format", "json", "--quiet"]),
      );
      expect(out.model).toMatchObject({ lcm: name, kind: model });
      const shown = out.concepts.filter((c: { shown: boolean }) => c.shown);
      expect(shown).toHaveLength(4);
      for (const c of shown) expect(c.marker).toMatch(/^\[s\d+\]$/);
    }, 120_000);
  }
});

describe("half-precision tables (the Quant-LCM's codebooks)", () => {
  it("reads IEEE 754 binary16 values", () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(halfToFloat(0x0000)).toBe(0);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
    const bytes = Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]); // little-endian 1, -2
    expect(Array.from(halfBytesToFloat32(bytes))).toEqual([1, -2]);
  });
});
