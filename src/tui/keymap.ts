/**
 * Key bindings as data: every command the outline view understands, with its default keys and the
 * description the help screen shows. A user's keys.json replaces the keys of the commands it names
 * (keys-config.ts); everything else keeps its defaults.
 *
 * Key spec grammar (case matters for single characters: "G" is shift+g):
 *   [ctrl+][alt+][shift+]NAME   NAME = a printable character, or one of KEY_NAMES
 * Examples: "j", "G", "?", "ctrl+z", "alt+up", "shift+tab", "pagedown", "space", "enter", "esc".
 *
 * Dialogs (text prompts, the language picker, confirmations) use fixed keys listed in DIALOG_KEYS:
 * typing must reach the text field, so those are not remappable.
 */
import { UsageError } from "../util/errors.js";

export type CommandGroup = "Move" | "Edit" | "Generate" | "Files";

export interface CommandInfo {
  readonly group: CommandGroup;
  readonly description: string;
  readonly keys: readonly string[];
}

/** The command table: id -> group, description, default keys. Order is the help screen's order. */
export const COMMANDS = {
  up: { group: "Move", description: "previous row", keys: ["up", "k"] },
  down: { group: "Move", description: "next row", keys: ["down", "j"] },
  pageUp: { group: "Move", description: "page up", keys: ["pageup", "ctrl+b"] },
  pageDown: { group: "Move", description: "page down", keys: ["pagedown", "ctrl+f"] },
  top: { group: "Move", description: "first row", keys: ["home", "g"] },
  bottom: { group: "Move", description: "last row", keys: ["end", "G"] },
  prevSection: { group: "Move", description: "previous section heading", keys: ["["] },
  nextSection: { group: "Move", description: "next section heading", keys: ["]"] },
  collapse: { group: "Move", description: "fold the section, or go to its heading", keys: ["left", "h"] },
  expand: { group: "Move", description: "unfold the section, or go into it", keys: ["right", "l"] },
  toggleFold: { group: "Move", description: "fold or unfold the section", keys: ["space", "z"] },
  foldAll: { group: "Move", description: "fold every section", keys: ["-"] },
  unfoldAll: { group: "Move", description: "unfold every section", keys: ["+", "="] },
  zoomIn: { group: "Move", description: "zoom into the section (show only it)", keys: ["enter"] },
  zoomOut: { group: "Move", description: "zoom out one level", keys: ["backspace"] },
  search: { group: "Move", description: "search concepts and headings", keys: ["/"] },
  searchNext: { group: "Move", description: "next search match", keys: ["n"] },
  searchPrev: { group: "Move", description: "previous search match", keys: ["N"] },
  switchPane: { group: "Move", description: "right pane: source text / output", keys: ["tab"] },
  paneDown: { group: "Move", description: "scroll the right pane down", keys: ["ctrl+d"] },
  paneUp: { group: "Move", description: "scroll the right pane up", keys: ["ctrl+u"] },

  addConcept: { group: "Edit", description: "add a concept after the selection", keys: ["a", "o"] },
  addSection: { group: "Edit", description: "add a section after this one", keys: ["A", "O"] },
  rewrite: { group: "Edit", description: "rewrite the concept / rename the section", keys: ["e", "r"] },
  delete: { group: "Edit", description: "delete the concept or section", keys: ["d"] },
  moveUp: { group: "Edit", description: "move the concept or section up", keys: ["K", "alt+up"] },
  moveDown: { group: "Edit", description: "move the concept or section down", keys: ["J", "alt+down"] },
  indent: { group: "Edit", description: "make the section a subsection of the one above", keys: [">"] },
  outdent: { group: "Edit", description: "lift the section one level up", keys: ["<"] },
  merge: { group: "Edit", description: "merge the concept with the next one", keys: ["m"] },
  split: { group: "Edit", description: "split the concept where you choose", keys: ["b"] },
  pin: { group: "Edit", description: "pin / unpin (kept verbatim when generating)", keys: ["p"] },
  target: { group: "Edit", description: "set the section's target length", keys: ["t"] },
  undo: { group: "Edit", description: "undo", keys: ["u", "ctrl+z"] },
  redo: { group: "Edit", description: "redo", keys: ["ctrl+r", "ctrl+y"] },

  summarize: { group: "Generate", description: "summarize the document or a section", keys: ["s"] },
  extend: { group: "Generate", description: "extend the outline into a document", keys: ["x"] },
  render: {
    group: "Generate",
    description: "render the section's concepts in the output language",
    keys: ["R"],
  },
  language: { group: "Generate", description: "choose the output language", keys: ["L"] },
  cancel: { group: "Generate", description: "cancel generation / clear search / zoom out", keys: ["esc"] },

  exportOutline: { group: "Files", description: "export the outline to Markdown", keys: ["w", "ctrl+s"] },
  exportOutput: { group: "Files", description: "export the output to Markdown", keys: ["W"] },
  help: { group: "Files", description: "show the keys", keys: ["?", "f1"] },
  quit: { group: "Files", description: "quit", keys: ["q"] },
} as const satisfies Record<string, CommandInfo>;

export type CommandId = keyof typeof COMMANDS;

export const COMMAND_IDS = Object.keys(COMMANDS) as CommandId[];

export function isCommandId(value: string): value is CommandId {
  return Object.hasOwn(COMMANDS, value);
}

/** Keys that always work and are not remappable (shown on the help screen too). */
export const FIXED_KEYS: readonly { keys: string; description: string }[] = [
  { keys: "ctrl+c", description: "quit at once; the session is kept and offered back next time" },
];

/** The keys dialogs use (help screen). */
export const DIALOG_KEYS: readonly { keys: string; description: string }[] = [
  { keys: "enter", description: "accept" },
  { keys: "esc", description: "close / cancel" },
  { keys: "left right home end", description: "move in a text field (also ctrl+a, ctrl+e)" },
  { keys: "ctrl+u ctrl+k ctrl+w", description: "delete to start / to end / the word before" },
  { keys: "up down", description: "move in a list or form; left right change a form value" },
];

export const KEY_NAMES = [
  "up",
  "down",
  "left",
  "right",
  "pageup",
  "pagedown",
  "home",
  "end",
  "enter",
  "esc",
  "tab",
  "backspace",
  "space",
  "f1",
] as const;

const ALIASES: Readonly<Record<string, string>> = {
  escape: "esc",
  return: "enter",
  pgup: "pageup",
  pgdn: "pagedown",
  pgdown: "pagedown",
  bs: "backspace",
  del: "backspace",
  delete: "backspace",
  " ": "space",
};

/**
 * Canonical form of a key spec ("Ctrl+Z" -> "ctrl+z", "escape" -> "esc", "shift+g" -> "G"); throws
 * UsageError for something that is not a key.
 */
export function normalizeKeySpec(spec: string): string {
  if (typeof spec !== "string" || spec.length === 0) throw new UsageError("a key must be a non-empty string");
  // "+" alone, or a modifier followed by "+", is the plus key.
  const parts =
    spec === "+" ? ["+"] : spec.endsWith("++") ? [...spec.slice(0, -2).split("+"), "+"] : spec.split("+");
  let name = parts.pop()!;
  const mods = new Set<string>();
  for (const raw of parts) {
    const mod = raw.toLowerCase();
    const canonical = mod === "control" ? "ctrl" : mod === "meta" || mod === "option" ? "alt" : mod;
    if (canonical !== "ctrl" && canonical !== "alt" && canonical !== "shift") {
      throw new UsageError(`'${spec}': unknown modifier '${raw}' (use ctrl, alt or shift)`);
    }
    mods.add(canonical);
  }
  if ([...name].length === 1) {
    if (/[\x00-\x1f\x7f]/.test(name)) throw new UsageError(`'${spec}': control characters are not keys`);
    if (mods.has("shift") && /^[a-z]$/.test(name)) {
      name = name.toUpperCase();
      mods.delete("shift");
    }
    if (name === " ") name = "space";
    if (mods.has("ctrl") && /^[A-Z]$/.test(name)) name = name.toLowerCase();
  } else {
    const lower = name.toLowerCase();
    name = ALIASES[lower] ?? lower;
    if (!(KEY_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`'${spec}': unknown key '${name}' (named keys: ${KEY_NAMES.join(", ")})`);
    }
  }
  if (mods.has("shift") && [...name].length === 1 && name !== "space") {
    throw new UsageError(`'${spec}': write the shifted character itself (e.g. "G", "?") instead of shift+`);
  }
  const prefix = ["ctrl", "alt", "shift"].filter((m) => mods.has(m)).map((m) => `${m}+`);
  return prefix.join("") + name;
}

/** How a key spec reads on the help screen: "ctrl+z" -> "Ctrl+Z", "pagedown" -> "PgDn". */
export function formatKey(spec: string): string {
  const pretty: Record<string, string> = {
    up: "↑",
    down: "↓",
    left: "←",
    right: "→",
    pageup: "PgUp",
    pagedown: "PgDn",
    home: "Home",
    end: "End",
    enter: "Enter",
    esc: "Esc",
    tab: "Tab",
    backspace: "Bksp",
    space: "Space",
    f1: "F1",
  };
  const parts =
    spec === "+" ? ["+"] : spec.endsWith("++") ? [...spec.slice(0, -2).split("+"), "+"] : spec.split("+");
  const name = parts.pop()!;
  const mods = parts.map((m) => m[0].toUpperCase() + m.slice(1));
  const shown = pretty[name] ?? (mods.length > 0 ? name.toUpperCase() : name);
  return [...mods, shown].join("+");
}

/** Key spec -> command, plus command -> keys for the help screen. */
export interface Keymap {
  readonly byKey: Readonly<Record<string, CommandId>>;
  readonly keysOf: Readonly<Record<CommandId, readonly string[]>>;
}

/**
 * The keymap: defaults, with `overrides` replacing the keys of the commands they name. A key the user
 * gives one command is taken away from the default keys of any other; two commands the user bound to
 * the same key is an error naming both. ctrl+c cannot be bound (it always quits).
 */
export function buildKeymap(overrides: Partial<Record<CommandId, readonly string[]>> = {}): Keymap {
  const userKeys = new Map<string, CommandId>();
  for (const id of COMMAND_IDS) {
    const keys = overrides[id];
    if (keys === undefined) continue;
    for (const key of keys.map(normalizeKeySpec)) {
      const fixed = FIXED_KEYS.find((f) => f.keys === key);
      if (fixed) throw new UsageError(`key '${key}' is reserved: ${fixed.description}`);
      const other = userKeys.get(key);
      if (other !== undefined && other !== id) {
        throw new UsageError(`key '${key}' is bound to both '${other}' and '${id}'`);
      }
      userKeys.set(key, id);
    }
  }
  const keysOf = {} as Record<CommandId, readonly string[]>;
  const byKey: Record<string, CommandId> = {};
  for (const id of COMMAND_IDS) {
    const given = overrides[id];
    const keys =
      given !== undefined
        ? given.map(normalizeKeySpec)
        : COMMANDS[id].keys.map(normalizeKeySpec).filter((key) => !userKeys.has(key));
    keysOf[id] = [...new Set(keys)];
    for (const key of keysOf[id]) byKey[key] = id;
  }
  return { byKey, keysOf };
}

export const DEFAULT_KEYMAP: Keymap = buildKeymap();

export function commandFor(keymap: Keymap, key: string): CommandId | undefined {
  return Object.hasOwn(keymap.byKey, key) ? keymap.byKey[key] : undefined;
}

/** The first key of a command, formatted for hints ("s", "Ctrl+Z"); "" when it has none. */
export function keyHint(keymap: Keymap, id: CommandId): string {
  const key = keymap.keysOf[id][0];
  return key === undefined ? "" : formatKey(key);
}
