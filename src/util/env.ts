/**
 * The environment, read in one place: the only module that touches `process.env` (biome's
 * `noProcessEnv` holds everyone else to it). Library functions take an `env` argument that defaults
 * to `processEnv()`, so tests pass their own and nothing reads a variable behind the caller's back.
 *
 * What lcm reads, and where it is interpreted:
 *   LCM_MODELS            a model root searched first, after --models (`modelsDirFromEnv`; models/registry.ts)
 *   LCM_THREADS           onnxruntime intra-op threads (`threadsFromEnv`; models/onnx-session.ts)
 *   LCM_DEBUG=1           stack traces with errors (`debugFromEnv`; cli/common.ts, the TUI's runTui)
 *   XDG_CACHE_HOME        the embedding cache (`lcmDir("cache")`; codec/embedding-cache.ts)
 *   XDG_CONFIG_HOME       templates and TUI keys (`lcmDir("config")`; tasks/templates.ts, tui/keys-config.ts)
 *   XDG_DATA_HOME         user models (`lcmDir("data")`; models/registry.ts)
 *   XDG_STATE_HOME        TUI sessions (`lcmDir("state")`; tui/session-file.ts)
 *   HOME                  the XDG defaults under it (through os.homedir(), which reads it)
 *   CI, CONTINUOUS_INTEGRATION   the TUI refuses to start (`isCiFromEnv`; Ink draws nothing there)
 *   SLURM_ARRAY_TASK_*, JOB_COMPLETION_INDEX, LCM_SHARDS   batch shards (batch/shard.ts, given `env`)
 *
 * What lcm writes: ORT_DISABLE_TELEMETRY=1 (unless set), when the ONNX seam loads
 * (`disableOnnxTelemetry`): onnxruntime otherwise writes a telemetry device id under
 * $XDG_CACHE_HOME/Microsoft on first use. It reads the variable from the process environment when the
 * first session is created, so the write has to be to `process.env` itself, before any session.
 * Colours: lcm prints none of its own; Ink and its dependencies read NO_COLOR/FORCE_COLOR themselves.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "./errors.js";

/** An environment: `process.env`, or a test's stand-in. */
export type Environment = NodeJS.ProcessEnv;

/** The process's environment, live (a variable set after start-up is seen). */
export function processEnv(): Environment {
  return process.env;
}

/** The XDG base directories lcm keeps files in. */
export type XdgKind = "cache" | "config" | "data" | "state";

const XDG: Record<XdgKind, { variable: string; fallback: readonly string[] }> = {
  cache: { variable: "XDG_CACHE_HOME", fallback: [".cache"] },
  config: { variable: "XDG_CONFIG_HOME", fallback: [".config"] },
  data: { variable: "XDG_DATA_HOME", fallback: [".local", "share"] },
  state: { variable: "XDG_STATE_HOME", fallback: [".local", "state"] },
};

/**
 * lcm's own folder in an XDG base directory: $XDG_<KIND>_HOME/lcm, or the specification's default
 * under the home folder (~/.cache/lcm, ~/.config/lcm, ~/.local/share/lcm, ~/.local/state/lcm) when the
 * variable is unset or not an absolute path (the specification says to ignore relative ones).
 */
export function lcmDir(kind: XdgKind, env: Environment = processEnv()): string {
  const { variable, fallback } = XDG[kind];
  const value = env[variable];
  const base = value?.startsWith("/") ? value : join(homedir(), ...fallback);
  return join(base, "lcm");
}

/** LCM_MODELS: a model root searched before the user's and the bundled ones; undefined when unset or empty. */
export function modelsDirFromEnv(env: Environment = processEnv()): string | undefined {
  return env.LCM_MODELS ? env.LCM_MODELS : undefined;
}

/** LCM_THREADS as a positive integer; undefined when unset or empty; a UsageError when it is not one. */
export function threadsFromEnv(env: Environment = processEnv()): number | undefined {
  const value = env.LCM_THREADS;
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`LCM_THREADS must be a positive integer, got '${value}'`);
  return n;
}

/** LCM_DEBUG=1: show stack traces with errors. */
export function debugFromEnv(env: Environment = processEnv()): boolean {
  return env.LCM_DEBUG === "1";
}

/** Running under CI (CI or CONTINUOUS_INTEGRATION set to anything but "0" or "false"). */
export function isCiFromEnv(env: Environment = processEnv()): boolean {
  return isTruthy(env.CI) || isTruthy(env.CONTINUOUS_INTEGRATION);
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== "0" && value !== "false";
}

/** Sets ORT_DISABLE_TELEMETRY=1 in the process environment unless the user set it (see the header). */
export function disableOnnxTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= "1";
}
