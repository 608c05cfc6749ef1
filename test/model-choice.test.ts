/**
 * Choosing the model (issue 15): `--model two-tower|diffusion|one-tower|quant|base` on summarize and
 * expand, the server's params.model, and `lcm models list|info|verify` saying what each LCM is, on real
 * models: the smoke codec (test/global-setup.ts) with the One-Tower fixture
 * (test/fixtures/lcm-one-tower-parity), the Quant-LCM fixture (test/fixtures/lcm-quant-parity) and the
 * Two-Tower smoke LCM with its Base-LCM (test/fixtures/lcm-parity). Both LCMs were trained on
 * another build of the smoke codec, so their text is noise: these tests check behaviour (which model
 * runs, what the output reports, what is refused and in what words), not summary quality.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddingCache } from "../src/codec/embedding-cache.js";
import { serve } from "../src/server/index.js";
import { silentLogger } from "../src/server/logger.js";
import { RpcTestClient } from "./helpers/rpc-client.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
const ONE_TOWER = fileURLToPath(new URL("./fixtures/lcm-one-tower-parity/", import.meta.url));
const TWO_TOWER = fileURLToPath(new URL("./fixtures/lcm-parity/", import.meta.url));
const QUANT = fileURLToPath(new URL("./fixtures/lcm-quant-parity/", import.meta.url));
const NOTE = `The harbour reopened in the spring after a long winter of repairs.
Fishing boats came back within a week, and the market on the quay filled again.
The town council had paid for a new sea wall, which the storms of March had tested hard.
Tourists returned too, and the cafés along the front put their tables out.
`;
const OUTLINE =
  "# The harbour\n- The harbour reopened in spring. <!-- pinned -->\n- Fishing boats came back.\n";

let work: string;
let env: NodeJS.ProcessEnv;
let notePath: string;
/** The smoke codec and the One-Tower LCM. */
let oneTower: string;
/** The smoke codec and the Two-Tower LCM (with its Base-LCM). */
let twoTower: string;
/** The smoke codec and both LCMs: "lcm" (Two-Tower, found first) and "one-tower". */
let both: string;
/** The smoke codec and the Quant-LCM. */
let quant: string;

/** A models folder with the smoke codec and the LCM fixtures given (folder name -> fixture). */
function modelsDir(lcms: Record<string, string>): string {
  const dir = mkdtempSync(join(work, "models-"));
  cpSync(smokeCodecDir(), join(dir, "codec"), { recursive: true });
  for (const [name, fixture] of Object.entries(lcms)) {
    cpSync(fixture, join(dir, name), { recursive: true, filter: (src) => !src.endsWith("parity.json") });
  }
  return dir;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "lcm-model-choice-"));
  oneTower = modelsDir({ "one-tower": ONE_TOWER });
  twoTower = modelsDir({ lcm: TWO_TOWER });
  both = modelsDir({ lcm: TWO_TOWER, "one-tower": ONE_TOWER });
  quant = modelsDir({ quant: QUANT });
  notePath = join(work, "harbour.txt");
  writeFileSync(notePath, NOTE);
  writeFileSync(join(work, "outline.md"), OUTLINE);
  env = {
    ...process.env,
    XDG_CACHE_HOME: join(work, "cache"),
    XDG_DATA_HOME: join(work, "data"),
    XDG_CONFIG_HOME: join(work, "config"),
    LCM_THREADS: "1",
  };
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function lcm(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, timeout: 120_000, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** A fast summary (2 concepts, 4 steps when diffusing, greedy decoding) as JSON. */
function summary(models: string, ...flags: string[]) {
  const r = lcm([
    "summarize",
    notePath,
    "--models",
    models,
    "-n",
    "2",
    "--beam",
    "1",
    "--format",
    "json",
    ...flags,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

/** The command's one-line refusal: exit 2, nothing on stdout. */
function refusal(args: string[]): string {
  const r = lcm(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  return r.stderr.trim();
}

describe("summarize and expand --model", () => {
  it("runs the One-Tower with --model one-tower, and by default on a One-Tower LCM", () => {
    const out = summary(oneTower, "--model", "one-tower", "--steps", "4");
    expect(out.model).toEqual({ lcm: "lcm-smoke-one-tower", codec: "lcm-smoke-codec", kind: "one-tower" });
    expect(out.settings.steps).toBe(4);
    expect(out.concepts.length).toBeGreaterThanOrEqual(1);
    // Diffused: one prefix run per generated concept, denoiser steps for each.
    expect(out.stats.denoiser_runs).toBeGreaterThan(0);
    expect(out.stats.context_runs).toBeGreaterThanOrEqual(out.stats.generated);
    const byDefault = summary(oneTower, "--steps", "4");
    expect(byDefault.model.kind).toBe("one-tower");
    // Same seed, same model: the same concepts.
    expect(byDefault.concepts.map((c: { text: string }) => c.text)).toEqual(
      out.concepts.map((c: { text: string }) => c.text),
    );
  });

  it("expands an outline with the One-Tower and says so in its settings", () => {
    const r = lcm([
      "expand",
      join(work, "outline.md"),
      "--models",
      oneTower,
      "--model",
      "one-tower",
      "--steps",
      "4",
      "--beam",
      "1",
      "--format",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.settings.model).toBe("one-tower");
    expect(out.concepts.some((c: { pinned: boolean }) => c.pinned)).toBe(true);
    expect(out.stats.denoiser_runs).toBeGreaterThan(0);
  });

  it("runs the Two-Tower as two-tower or by its older name diffusion, and reports the name asked for", () => {
    const twoTowerOut = summary(twoTower, "--model", "two-tower", "--steps", "4");
    const diffusion = summary(twoTower, "--model", "diffusion", "--steps", "4");
    const byDefault = summary(twoTower, "--steps", "4");
    expect(twoTowerOut.model.kind).toBe("two-tower");
    expect(diffusion.model.kind).toBe("diffusion");
    // The default keeps the name outputs have always given it.
    expect(byDefault.model.kind).toBe("diffusion");
    const texts = (out: { concepts: { text: string }[] }) => out.concepts.map((c) => c.text);
    expect(texts(twoTowerOut)).toEqual(texts(diffusion));
    expect(texts(byDefault)).toEqual(texts(diffusion));
    expect(summary(twoTower, "--model", "base").model.kind).toBe("base");
  });

  it("refuses a model the LCM does not have with one line naming what it has (exit 2)", () => {
    expect(refusal(["summarize", notePath, "--models", twoTower, "--model", "one-tower"])).toBe(
      "lcm: the LCM 'lcm-smoke' has no One-Tower diffusion model (model one-tower); it has: " +
        // the bundled One-Tower is in another folder, so it is named, not run in its place
        "two-tower (also: diffusion), base; 'lcm-default-one-tower' has one (choose it with --lcm lcm-default-one-tower)",
    );
    expect(
      refusal(["expand", join(work, "outline.md"), "--models", twoTower, "--model", "one-tower"]),
    ).toMatch(/^lcm: the LCM 'lcm-smoke' has no One-Tower diffusion model/);
    // A One-Tower directory has no Base-LCM; the bundled Two-Tower has one, and the line says so.
    expect(
      refusal([
        "summarize",
        notePath,
        "--models",
        oneTower,
        "--lcm",
        "lcm-smoke-one-tower",
        "--model",
        "base",
      ]),
    ).toBe(
      "lcm: the LCM 'lcm-smoke-one-tower' has no Base-LCM graph (model base); it has: one-tower; " +
        "'lcm-default-two-tower' has one (choose it with --lcm lcm-default-two-tower)",
    );
    // Not a model at all: commander's refusal, the choices listed.
    const unknown = lcm(["summarize", notePath, "--models", twoTower, "--model", "quantized"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toMatch(
      /argument 'quantized' is invalid\. Allowed choices are two-tower, diffusion, one-tower, quant, base\.$/,
    );
  });

  it("refuses the diffusion settings for the Base-LCM instead of ignoring them", () => {
    for (const [flag, value, label] of [
      ["--steps", "10", "steps"],
      ["--initial-noise", "0.5", "initial noise"],
    ]) {
      expect(refusal(["summarize", notePath, "--models", twoTower, "--model", "base", flag, value])).toBe(
        `lcm: ${label} applies to the diffusion models (two-tower, one-tower), not to model base`,
      );
    }
    expect(refusal(["summarize", notePath, "--models", twoTower, "--model", "base", "--guidance", "2"])).toBe(
      "lcm: guidance applies to the diffusion models and the Quant-LCM (two-tower, one-tower, quant), not to model base",
    );
    // The seed is not one of them (a deterministic model just does not draw from it).
    expect(summary(twoTower, "--model", "base", "--seed", "3").model.kind).toBe("base");
  });

  it("runs the Quant-LCM with --model quant and its sampling flags, and by default on a Quant-LCM", () => {
    const out = summary(quant, "--model", "quant", "--temperature", "0.8", "--top-p", "0.9");
    expect(out.model).toEqual({ lcm: "lcm-smoke-quant", codec: "lcm-smoke-codec", kind: "quant" });
    expect(out.settings).toMatchObject({ temperature: 0.8, top_p: 0.9, top_k: 3 });
    expect(out.concepts.length).toBeGreaterThanOrEqual(1);
    // One prefix run per generated concept, one step run per codebook (4) of each.
    expect(out.stats.denoiser_runs).toBe(4 * out.stats.context_runs);
    const again = summary(quant, "--temperature", "0.8", "--top-p", "0.9", "--top-k", "3", "--guidance", "2");
    expect(again.model.kind).toBe("quant");
    expect(again.settings).toMatchObject({ guidance: 2, top_k: 3 });
  });

  it("refuses the Quant-LCM's flags for the other models and bad values, one line, exit 2", () => {
    expect(refusal(["summarize", notePath, "--models", quant, "--top-p", "1.5"])).toBe(
      "lcm: --top-p must be a number in (0, 1], got '1.5'",
    );
    expect(refusal(["summarize", notePath, "--models", quant, "--top-p", "0"])).toMatch(
      /^lcm: --top-p must be/,
    );
    expect(refusal(["summarize", notePath, "--models", twoTower, "--temperature", "0.8"])).toBe(
      "lcm: temperature applies to the Quant-LCM (quant), not to model diffusion",
    );
    expect(refusal(["summarize", notePath, "--models", oneTower, "--top-k", "3"])).toBe(
      "lcm: top-k applies to the Quant-LCM (quant), not to model one-tower",
    );
    expect(refusal(["summarize", notePath, "--models", quant, "--steps", "4"])).toBe(
      "lcm: steps applies to the diffusion models (two-tower, one-tower), not to model quant",
    );
    expect(refusal(["summarize", notePath, "--models", quant, "--model", "one-tower"])).toMatch(
      /^lcm: the LCM 'lcm-smoke-quant' has no One-Tower diffusion model \(model one-tower\); it has: quant;/,
    );
  });

  it("with both families in one folder, --model runs the LCM beside the first that has it; --lcm is kept", () => {
    expect(summary(both, "--steps", "4").model.lcm).toBe("lcm-smoke");
    // The bundled families are one folder each: asking for the One-Tower runs the one beside the Two-Tower.
    const beside = summary(both, "--model", "one-tower", "--steps", "4");
    expect(beside.model).toMatchObject({ lcm: "lcm-smoke-one-tower", kind: "one-tower" });
    // A named LCM is the only one a request runs on: the line names the one that has the model.
    expect(
      refusal(["summarize", notePath, "--models", both, "--lcm", "lcm-smoke", "--model", "one-tower"]),
    ).toBe(
      "lcm: the LCM 'lcm-smoke' has no One-Tower diffusion model (model one-tower); it has: " +
        "two-tower (also: diffusion), base; 'lcm-smoke-one-tower' has one (choose it with --lcm lcm-smoke-one-tower)",
    );
    const chosen = summary(both, "--lcm", "lcm-smoke-one-tower", "--model", "one-tower", "--steps", "4");
    expect(chosen.model).toMatchObject({ lcm: "lcm-smoke-one-tower", kind: "one-tower" });
  });
});

describe("lcm models", () => {
  it("list shows each LCM's family and the --model values it runs, as JSON and text", () => {
    const r = lcm(["models", "list", "--models", both, "--format", "json"]);
    expect(r.code).toBe(0);
    const lcms = JSON.parse(r.stdout).filter((e: { kind: string }) => e.kind === "lcm");
    const mine = lcms.filter((e: { source: string }) => e.source === "--models");
    expect(
      mine.map((e: { name: string; family: string; models: string[] }) => [e.name, e.family, e.models]),
    ).toEqual([
      ["lcm-smoke", "two_tower", ["two-tower", "diffusion", "base"]],
      ["lcm-smoke-one-tower", "one_tower", ["one-tower"]],
    ]);
    const text = lcm(["models", "list", "--models", both]).stdout;
    expect(text).toMatch(
      /^lcm\s+lcm-smoke v\d+ {2}Two-Tower \(--model two-tower, diffusion, base\), on codec/m,
    );
    expect(text).toMatch(
      /^lcm\s+lcm-smoke-one-tower v1 {2}One-Tower \(--model one-tower\), on codec lcm-smoke-codec/m,
    );
  });

  it("info names the family; verify runs the One-Tower's graphs", () => {
    const info = lcm(["models", "info", "lcm-smoke-one-tower", "--models", oneTower]);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain("  family: One-Tower (--model one-tower)");
    const json = JSON.parse(
      lcm(["models", "info", "lcm-smoke-one-tower", "--models", oneTower, "--format", "json"]).stdout,
    );
    expect([json.family, json.models, json.manifest.family]).toEqual([
      "one_tower",
      ["one-tower"],
      "one_tower",
    ]);
    const verify = lcm(["models", "verify", "--models", oneTower, "--format", "json"]);
    expect(verify.stderr).toBe("");
    expect(verify.code).toBe(0);
    const report = JSON.parse(verify.stdout).find((r: { name: string }) => r.name === "lcm-smoke-one-tower");
    expect(report.ok).toBe(true);
    expect(report.note).toMatch(/^pairs with codec lcm-smoke-codec; One-Tower graphs run/);
  });
});

describe("the server's params.model", () => {
  function server(models: string) {
    const input = new PassThrough();
    const output = new PassThrough();
    const exit = serve({
      input,
      output,
      models,
      threads: 1,
      cache: new EmbeddingCache(mkdtempSync(join(work, "cache-"))),
      env: { ...env, XDG_CONFIG_HOME: join(work, "config") },
      log: silentLogger,
      progressIntervalMs: 0,
    });
    const client = new RpcTestClient(input, output);
    return {
      client,
      async close() {
        client.request("shutdown");
        client.notify("exit");
        expect(await exit).toBe(0);
      },
    };
  }

  it("summarizes with the One-Tower, and initialize says what the LCM runs", async () => {
    const { client, close } = server(oneTower);
    try {
      const init = (await client.call("initialize")).result as {
        models: { lcm: { name: string; family: string; models: string[] } };
      };
      expect(init.models.lcm).toMatchObject({
        name: "lcm-smoke-one-tower",
        family: "one_tower",
        models: ["one-tower"],
      });
      const answer = await client.call("summarize", {
        text: NOTE,
        model: "one-tower",
        steps: 4,
        maxConcepts: 2,
        decode: { beam: 1, maxTokens: 12 },
      });
      expect(answer.error).toBeUndefined();
      const result = answer.result as { settings: { model: string }; concepts: unknown[] };
      expect(result.settings.model).toBe("one-tower");
      expect(result.concepts.length).toBeGreaterThanOrEqual(1);
      const base = await client.call("summarize", { text: NOTE, model: "base" });
      expect(base.error?.code).toBe(-32602);
      expect(base.error?.message).toMatch(
        /the LCM 'lcm-smoke-one-tower' has no Base-LCM graph \(model base\)/,
      );
    } finally {
      await close();
    }
  });

  it("runs a request for the One-Tower on the LCM beside the session's Two-Tower, and lists it", async () => {
    const { client, close } = server(both);
    try {
      const init = (await client.call("initialize")).result as {
        models: { lcm: { name: string; models: string[] } };
      };
      expect(init.models.lcm.name).toBe("lcm-smoke");
      expect(init.models.lcm.models).toEqual(["two-tower", "diffusion", "base", "one-tower"]);
      const params = { text: NOTE, steps: 4, maxConcepts: 2, decode: { beam: 1, maxTokens: 12 } };
      // The companion opens once and stays beside the session's LCM.
      for (const model of ["one-tower", "two-tower", "one-tower"]) {
        const answer = await client.call("summarize", { ...params, model });
        expect(answer.error, model).toBeUndefined();
        expect((answer.result as { settings: { model: string } }).settings.model).toBe(model);
      }
    } finally {
      await close();
    }
  });

  it("refuses a model the LCM lacks, an unknown one, and diffusion settings for base with -32602", async () => {
    const { client, close } = server(twoTower);
    try {
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { model: "one-tower" },
          /the LCM 'lcm-smoke' has no One-Tower diffusion model \(model one-tower\); it has: two-tower \(also: diffusion\), base/,
        ],
        [{ model: "quantized" }, /params\.model must be one of two-tower, diffusion, one-tower, quant, base/],
        [
          { model: "base", guidance: 2 },
          /guidance applies to the diffusion models and the Quant-LCM \(two-tower, one-tower, quant\), not to model base/,
        ],
        [{ temperature: 0.8 }, /temperature applies to the Quant-LCM \(quant\), not to model diffusion/],
        [{ topP: 1.5 }, /params\.topP must be a number in \(0, 1\], got 1\.5/],
      ];
      for (const [params, message] of cases) {
        const answer = await client.call("summarize", { text: NOTE, ...params });
        expect(answer.error?.code, JSON.stringify(params)).toBe(-32602);
        expect(answer.error?.message).toMatch(message);
        expect(answer.error?.message).not.toContain("\n");
      }
    } finally {
      await close();
    }
  });
});
