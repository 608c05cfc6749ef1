/**
 * The help screen's lines, from the keymap: commands grouped as in the command table, each with its
 * keys (the user's, when keys.json changed them) and description; then the fixed and dialog keys.
 * The reducer scrolls by these lines, the view draws them.
 */
import {
  COMMAND_IDS,
  COMMANDS,
  type CommandGroup,
  DIALOG_KEYS,
  FIXED_KEYS,
  formatKey,
  type Keymap,
} from "./keymap.js";

export interface HelpLine {
  readonly kind: "heading" | "entry" | "blank";
  readonly keys: string;
  readonly text: string;
}

const GROUP_TITLES: Readonly<Record<CommandGroup, string>> = {
  Move: "Move and view",
  Edit: "Edit the outline (every edit can be undone)",
  Generate: "Generate and render",
  Files: "Files and the app",
};

export function helpLines(keymap: Keymap): HelpLine[] {
  const lines: HelpLine[] = [];
  let group: CommandGroup | null = null;
  for (const id of COMMAND_IDS) {
    const info = COMMANDS[id];
    if (info.group !== group) {
      if (group !== null) lines.push({ kind: "blank", keys: "", text: "" });
      group = info.group;
      lines.push({ kind: "heading", keys: "", text: GROUP_TITLES[group] });
    }
    const keys = keymap.keysOf[id];
    lines.push({
      kind: "entry",
      keys: keys.length > 0 ? keys.map(formatKey).join(" ") : "(unbound)",
      text: info.description,
    });
  }
  for (const fixed of FIXED_KEYS)
    lines.push({ kind: "entry", keys: formatKey(fixed.keys), text: fixed.description });
  lines.push({ kind: "blank", keys: "", text: "" });
  lines.push({ kind: "heading", keys: "", text: "In dialogs and text fields" });
  for (const d of DIALOG_KEYS)
    lines.push({ kind: "entry", keys: d.keys.split(" ").map(formatKey).join(" "), text: d.description });
  lines.push({ kind: "blank", keys: "", text: "" });
  lines.push({
    kind: "heading",
    keys: "",
    text: 'Change keys in $XDG_CONFIG_HOME/lcm/keys.json, e.g. {"summarize": "S"}',
  });
  return lines;
}
