/**
 * The user's key bindings: $XDG_CONFIG_HOME/lcm/keys.json (default ~/.config/lcm/keys.json).
 *
 *   { "summarize": "S", "delete": ["d", "ctrl+d"], "paneDown": [] }
 *
 * Each entry replaces the default keys of one command (an empty list unbinds it); commands not named
 * keep their defaults. A broken file is refused with one line that names the file and the problem
 * (unknown command with the closest names, a key that isn't one, two commands on one key), rather than
 * starting with bindings the user did not ask for.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { closestNames, didYouMean } from "../util/did-you-mean.js";
import { type Environment, lcmDir, processEnv } from "../util/env.js";
import { UsageError } from "../util/errors.js";
import { toDisplayLine } from "../util/sanitize.js";
import {
  buildKeymap,
  COMMAND_IDS,
  type CommandId,
  isCommandId,
  type Keymap,
  normalizeKeySpec,
} from "./keymap.js";

export function keysConfigPath(env: Environment = processEnv()): string {
  return join(lcmDir("config", env), "keys.json");
}

/** The keymap from the config file at `path`; the defaults when there is no file. */
export async function loadKeymap(path: string): Promise<Keymap> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return buildKeymap();
    throw new UsageError(`${path}: cannot read (${code ?? "error"})`);
  }
  try {
    return buildKeymap(parseKeysConfig(text));
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** keys.json text -> command overrides; UsageError naming the first problem. */
export function parseKeysConfig(text: string): Partial<Record<CommandId, readonly string[]>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError('expected an object of command -> keys, e.g. {"summarize": "S"}');
  }
  const overrides: Partial<Record<CommandId, readonly string[]>> = {};
  for (const [name, keys] of Object.entries(value as Record<string, unknown>)) {
    if (!isCommandId(name)) {
      const near = closestNames(name, COMMAND_IDS, { limit: 2 });
      const hint = didYouMean(
        near.map((n) => `'${n}'`),
        " or ",
      );
      throw new UsageError(`unknown command '${toDisplayLine(name).slice(0, 40)}'${hint}`);
    }
    const list = typeof keys === "string" ? [keys] : keys;
    if (!Array.isArray(list) || list.some((k) => typeof k !== "string")) {
      throw new UsageError(`'${name}': expected a key or a list of keys, like "S" or ["S", "ctrl+g"]`);
    }
    overrides[name] = list.map((key: string) => {
      try {
        return normalizeKeySpec(key);
      } catch (error) {
        throw new UsageError(`'${name}': ${(error as Error).message}`);
      }
    });
  }
  return overrides;
}
