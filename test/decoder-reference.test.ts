/**
 * The codec's decoder in PyTorch (training/lcm/decode_reference.py, weights read from the shipped
 * decoder.onnx) decodes what the tool decodes: the frozen decoder the decoder-CE objective will train
 * the LCM through (issue 14) is the one users run. Real models, real sentences.
 *
 * The tool runs the int8 graph with onnxruntime's kernels, PyTorch the same weights in fp32, so two
 * nearly tied tokens can come out in either order and the greedy texts part from there (codec v2's
 * decoder did on two of these three sentences, by 0.04 and 0.05 nats). So the reference follows the
 * tool's text token by token and reports, at each step, how far the token the tool chose is below its
 * own best: the tool must always have taken the reference's best token or one within a near-tie. A
 * decoder read wrongly (a transposed or misplaced weight) puts the tool's tokens nats below the best.
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
  it("decodes the shipped codec's concepts greedily as the tool does, up to near-ties", {
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
    const decoded = join(work, "decoded.txt");
    writeFileSync(decoded, await tool(["decode", concepts, "--lang", "eng_Latn"]));
    const reference = await runCaptured(
      PY,
      [
        ...["-m", "lcm.decode_reference", "--codec", CODEC, "--concepts", concepts, "--lang", "eng_Latn"],
        ...["--follow", decoded],
      ],
      { cwd: join(ROOT, "training"), env },
    );
    expect(reference.code, reference.out).toBe(0);
    const rows = reference.out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { greedy: string; followed: string; max_gap: number });
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.followed).toMatch(/\w/);
      // nats. Measured: 0.04-0.05 at the near-ties on AVX-512/VNNI kernels; v1's decoder read as the
      // reference for v2's text: 2.5 and 3.6. The margin leaves room for other CPUs' int8 rounding.
      expect(row.max_gap, `${row.followed} vs ${row.greedy}`).toBeLessThan(0.5);
    }
  });
});
