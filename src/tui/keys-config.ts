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
import { homedir } from "node:os";
import { join } from "node:path";
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

export function keysConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith("/") ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(base, "lcm", "keys.json");
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
      const near = closestCommands(name);
      const hint = near.length > 0 ? `; did you mean ${near.map((n) => `'${n}'`).join(" or ")}?` : "";
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

/** Commands within a small edit distance of `name` (case-insensitive), closest first. */
function closestCommands(name: string): string[] {
  const target = name.toLowerCase();
  return COMMAND_IDS.map((id) => ({ id, d: editDistance(target, id.toLowerCase()) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(target.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .map((c) => c.id);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}
