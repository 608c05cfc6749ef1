/**
 * The codec's decoder in PyTorch (training/lcm/decode_reference.py, weights read from the shipped
 * decoder.onnx) decodes what the tool decodes: the frozen decoder the decoder-CE objective will train
 * the LCM through (issue 14) is the one users run. Real models, real sentences.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { PY, runCaptured, runSeparated } from "./helpers/run-captured.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const CODEC = join(ROOT, "models/default/codec");
const work = mkdtempSync(join(tmpdir(), "lcm-decoder-reference-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the decoder read into PyTorch", () => {
  it("decodes the shipped codec's concepts greedily to the tool's own text", {
    timeout: 180_000,
  }, async () => {
    const sentences = join(work, "sentences.txt");
    writeFileSync(
      sentences,
      "The council approved the new budget for schools on Tuesday.\n" +
        "Farmers in the south are donating hay to their neighbours after the fires.\n" +
        "She said the results would be published next week.\n",
    );
    const env = { ...process.env, LCM_THREADS: "1", XDG_CACHE_HOME: join(work, "cache") };
    const tool = async (args: string[]) => {
      const r = await runSeparated(
        process.execPath,
        [CLI, ...args, "--models", join(ROOT, "models/default")],
        {
          cwd: ROOT,
          env,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const concepts = join(work, "concepts.json");
    writeFileSync(concepts, await tool(["encode", sentences, "--format", "json"]));
    const decoded = await tool(["decode", concepts, "--lang", "eng_Latn"]);
    const reference = await runCaptured(
      PY,
      ["-m", "lcm.decode_reference", "--codec", CODEC, "--concepts", concepts, "--lang", "eng_Latn"],
      { cwd: join(ROOT, "training"), env },
    );
    expect(reference.code, reference.out).toBe(0);
    const lines = reference.out.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(decoded.trim().split("\n"));
  });
});
