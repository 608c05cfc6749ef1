/**
 * vitest global setup: makes the smoke codec (a tiny real model, trained by training/smoke.sh in about
 * a minute) once per change of the training code, and hands its directory to the tests.
 *
 * The model is cached under node_modules/.cache/lcm-smoke-codec/<key>, key = sha256 of every
 * training/**\/*.py and training/smoke.sh plus the committed training slice it learns from, so a change
 * to the pipeline retrains it and the test suite keeps the pipeline from rotting. A lock folder lets
 * concurrent test runs share one training. `LCM_SMOKE_CODEC=DIR` uses a ready model directory instead.
 *
 * When Python or its packages are missing the setup does not fail the whole suite: it records why,
 * and every test that needs the model fails with that message (CI installs them; nothing skips).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export type SmokeCodec = { dir: string } | { error: string };

declare module "vitest" {
  export interface ProvidedContext {
    smokeCodec: SmokeCodec;
  }
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = join(ROOT, "node_modules", ".cache", "lcm-smoke-codec");
const LOCK_STALE_MS = 15 * 60_000;
const TRAIN_TIMEOUT_MS = 12 * 60_000;

export default async function setup(project: TestProject): Promise<void> {
  project.provide("smokeCodec", await ensureSmokeCodec());
}

export async function ensureSmokeCodec(): Promise<SmokeCodec> {
  const given = process.env.LCM_SMOKE_CODEC;
  if (given) {
    return existsSync(join(given, "manifest.json"))
      ? { dir: given }
      : { error: `LCM_SMOKE_CODEC=${given} has no manifest.json` };
  }
  const key = inputsKey();
  const dir = join(CACHE, key);
  if (existsSync(join(dir, "manifest.json"))) return touched(dir);
  const python = process.env.PYTHON ?? "/usr/bin/python3";
  const check = spawnSync(python, ["-c", "import torch, onnx, sentencepiece, numpy"], { encoding: "utf8" });
  if (check.status !== 0) {
    const why = (check.stderr || check.error?.message || "").trim().split("\n").pop();
    return {
      error:
        `tests that need the smoke codec need ${python} with torch, onnx, sentencepiece and numpy ` +
        `(apt-get install python3-torch python3-onnx python3-sentencepiece python3-numpy libopenblas0-openmp): ${why}`,
    };
  }
  await mkdir(CACHE, { recursive: true });
  const lock = join(CACHE, `${key}.lock`);
  while (!(await tryLock(lock))) {
    // Another run is training the same model: wait for it.
    await new Promise((r) => setTimeout(r, 1000));
    if (existsSync(join(dir, "manifest.json"))) return { dir };
  }
  try {
    if (existsSync(join(dir, "manifest.json"))) return { dir };
    const temp = join(CACHE, `${key}.tmp-${process.pid}`);
    await rm(temp, { recursive: true, force: true });
    const result = await run("bash", [join(ROOT, "training", "smoke.sh"), temp], TRAIN_TIMEOUT_MS);
    if (result.code !== 0 || !existsSync(join(temp, "manifest.json"))) {
      await rm(temp, { recursive: true, force: true });
      const tail = result.output.trim().split("\n").slice(-5).join(" | ");
      return { error: `training/smoke.sh failed (exit ${result.code}): ${tail}` };
    }
    await rename(temp, dir);
    await pruneOldModels(key);
    return { dir };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Hash of everything the smoke model is made from. */
function inputsKey(): string {
  const files = [
    ...listFiles(join(ROOT, "training")).filter((f) => f.endsWith(".py") && !f.includes("/data/")),
    join(ROOT, "training", "smoke.sh"),
    ...listFiles(join(ROOT, "test", "fixtures", "codec-smoke")),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

/** Marks a cached model as used now (pruning goes by last use). */
function touched(dir: string): SmokeCodec {
  const now = new Date();
  try {
    utimesSync(dir, now, now);
  } catch {
    // read-only cache: fine
  }
  return { dir };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === "__pycache__" || entry.name === "runs" ? [] : listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch {
    try {
      if (Date.now() - (await stat(lock)).mtimeMs > LOCK_STALE_MS)
        await rm(lock, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    return false;
  }
}

/**
 * Keeps the cache small without pulling a model from under a concurrent test run that uses another
 * key (the training code changed between the two): only models unused for a day go, newest three stay.
 */
async function pruneOldModels(keep: string): Promise<void> {
  const models = readdirSync(CACHE)
    .filter((name) => name !== keep && !name.endsWith(".lock") && !name.includes(".tmp-"))
    .map((name) => ({ path: join(CACHE, name), mtime: statSync(join(CACHE, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const model of models.slice(2)) {
    if (Date.now() - model.mtime > 24 * 3600_000) await rm(model.path, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 1, output: error.message });
    });
  });
}
