/**
 * Where models are found. Roots are searched in this order (docs/architecture.md, Models):
 *
 *   1. `--models DIR`, else the LCM_MODELS environment variable
 *   2. the user's data dir: $XDG_DATA_HOME/lcm/models (default ~/.local/share/lcm/models)
 *   3. the bundled models/default of this package
 *
 * A root holds one folder per model (models/default/codec, models/default/lcm), each with a
 * manifest.json whose `kind` says what it is. A root may also be a model folder itself, so
 * `--models path/to/codec` works. A root given by the user must exist; the data dir and the bundled
 * folder are skipped when absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Environment, lcmDir, modelsDirFromEnv, processEnv } from "../util/env.js";
import { NoModelError, UsageError } from "../util/errors.js";
import {
  type CodecManifest,
  checkLcmCodecPairing,
  type LcmManifest,
  MANIFEST_FILE,
  type ModelManifest,
  readManifest,
} from "./manifest.js";

export type RootSource = "--models" | "LCM_MODELS" | "user data dir" | "bundled";

export interface ModelRoot {
  dir: string;
  source: RootSource;
}

export interface ModelEntry {
  root: ModelRoot;
  dir: string;
  /** The parsed manifest, or the error that reading it gave (listed, and raised when it matters). */
  manifest: ModelManifest | null;
  error: Error | null;
}

export interface DiscoveryOptions {
  /** `--models DIR`; wins over LCM_MODELS. */
  models?: string;
  env?: Environment;
  /** Leave out the user data dir and the bundled models (tests, `--models` only searches). */
  onlyExplicit?: boolean;
}

/** The package root (holds package.json and models/), found from this module's location. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, "utf8")).name === "lcm") return dir;
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the lcm package root");
    dir = parent;
  }
}

export function bundledModelsDir(): string {
  return join(packageRoot(), "models", "default");
}

export function userModelsDir(env: Environment = processEnv()): string {
  return join(lcmDir("data", env), "models");
}

export function modelRoots(options: DiscoveryOptions = {}): ModelRoot[] {
  const env = options.env ?? processEnv();
  const roots: ModelRoot[] = [];
  const fromEnv = modelsDirFromEnv(env);
  if (options.models) roots.push({ dir: resolve(options.models), source: "--models" });
  else if (fromEnv) roots.push({ dir: resolve(fromEnv), source: "LCM_MODELS" });
  if (!options.onlyExplicit) {
    roots.push({ dir: userModelsDir(env), source: "user data dir" });
    roots.push({ dir: bundledModelsDir(), source: "bundled" });
  }
  return roots;
}

/** Every model folder under the roots, in discovery order. */
export async function scanModels(options: DiscoveryOptions = {}): Promise<ModelEntry[]> {
  const entries: ModelEntry[] = [];
  for (const root of modelRoots(options)) {
    for (const dir of await modelDirsIn(root)) {
      try {
        entries.push({ root, dir, manifest: await readManifest(dir), error: null });
      } catch (error) {
        entries.push({ root, dir, manifest: null, error: error as Error });
      }
    }
  }
  return entries;
}

/**
 * The other LCMs in the models folder `lcm` was found in, paired with the same codec: the companions a
 * request for a model `lcm` lacks may run on (tasks/engine.ts; the bundled families are one folder each).
 */
export function companionLcms(entries: readonly ModelEntry[], lcm: LcmManifest): LcmManifest[] {
  const root = entries.find((e) => e.manifest === lcm)?.root.dir;
  return entries.flatMap((e) =>
    e.root.dir === root &&
    e.manifest?.kind === "lcm" &&
    e.manifest !== lcm &&
    e.manifest.codec.name === lcm.codec.name
      ? [e.manifest]
      : [],
  );
}

async function modelDirsIn(root: ModelRoot): Promise<string[]> {
  const explicit = root.source === "--models" || root.source === "LCM_MODELS";
  try {
    const info = await stat(root.dir);
    if (!info.isDirectory()) {
      if (explicit) throw new UsageError(`${root.source} ${root.dir}: not a directory`);
      return [];
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (explicit) throw new UsageError(`${root.source} ${root.dir}: no such directory`);
    return [];
  }
  if (existsSync(join(root.dir, MANIFEST_FILE))) return [root.dir];
  const names = (await readdir(root.dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(join(root.dir, d.name, MANIFEST_FILE)))
    .map((d) => d.name)
    .sort();
  if (explicit && names.length === 0) {
    throw new UsageError(
      `${root.source} ${root.dir}: no model folders (a folder with a ${MANIFEST_FILE}) in it`,
    );
  }
  return names.map((name) => join(root.dir, name));
}

/**
 * The codec to use: the one named `name`, else the first codec in discovery order. A broken model
 * folder met before the choice is an error (silently skipping the user's model would be worse).
 */
export async function findCodec(options: DiscoveryOptions & { name?: string } = {}): Promise<CodecManifest> {
  return pick(await scanModels(options), "codec", options.name) as Promise<CodecManifest>;
}

/** The LCM to use, checked against the codec it will work with. */
export async function findLcm(
  codec: CodecManifest,
  options: DiscoveryOptions & { name?: string } = {},
): Promise<LcmManifest> {
  const lcm = (await pick(await scanModels(options), "lcm", options.name)) as LcmManifest;
  checkLcmCodecPairing(lcm, codec);
  return lcm;
}

async function pick(entries: ModelEntry[], kind: "codec" | "lcm", name?: string): Promise<ModelManifest> {
  for (const entry of entries) {
    if (entry.error) {
      if (name === undefined) throw entry.error;
      continue;
    }
    const m = entry.manifest!;
    if (m.kind === kind && (name === undefined || m.name === name)) return m;
  }
  const broken = entries.find((e) => e.error);
  if (broken) throw broken.error;
  const searched = [...new Set(entries.map((e) => e.root.dir))];
  if (name !== undefined) {
    const names = entries.filter((e) => e.manifest?.kind === kind).map((e) => e.manifest!.name);
    const known = names.length > 0 ? ` (found: ${names.join(", ")})` : "";
    throw new NoModelError(`no ${kind} model named '${name}'${known}`, kind, name);
  }
  const where = searched.length > 0 ? ` in ${searched.join(", ")}` : "";
  throw new NoModelError(
    `no ${kind} model found${where}; give one with --models DIR or LCM_MODELS (see 'lcm models list')`,
    kind,
  );
}
