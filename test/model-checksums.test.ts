/**
 * A model's files against the checksums its manifest records: loading catches a file cut short or
 * replaced (sizes, cheaply); `lcm models verify` catches a weight corrupted in place (sha256), and
 * passes the shipped models as they are.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, openSync, rmSync, truncateSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ConceptCodec } from "../src/codec/codec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const SHIPPED = join(ROOT, "models", "default", "codec");
const dir = mkdtempSync(join(tmpdir(), "lcm-checksums-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(models: string) {
  const r = spawnSync(process.execPath, [CLI, "models", "verify", "--models", models], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, LCM_MODELS: "", XDG_DATA_HOME: join(dir, "none") },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("model checksums", () => {
  it("the shipped codec matches its manifest", () => {
    const models = join(dir, "ok");
    cpSync(SHIPPED, join(models, "codec"), { recursive: true });
    const r = verify(models);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("every file matches the manifest's sha256");
  }, 120_000);

  it("verify finds a weight corrupted in place; loading finds a file cut short", async () => {
    const models = join(dir, "bad");
    const codec = join(models, "codec");
    cpSync(SHIPPED, codec, { recursive: true });
    const fd = openSync(join(codec, "decoder.onnx"), "r+");
    writeSync(fd, Buffer.from([0x5a, 0xa5, 0x5a, 0xa5]), 0, 4, 20_000_000); // same size, other bytes
    const r = verify(models);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/decoder\.onnx: its sha256 differs from the manifest's/);
    truncateSync(join(codec, "encoder.onnx"), 1_000_000);
    await expect(ConceptCodec.load(codec, { cache: false })).rejects.toThrow(
      /encoder\.onnx: 1000000 bytes, but the manifest records \d+: the file was changed or cut short/,
    );
  }, 120_000);
});
