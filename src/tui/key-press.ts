/**
 * Ink's (input, key) pair -> one KeyPress: `name` in key-spec form (keymap.ts: "j", "G", "ctrl+z",
 * "shift+tab", "pagedown") for looking up commands, and `text` for text fields (printable input, a
 * whole pasted string at once; "" for control keys).
 *
 * Terminal quirks handled here: most terminals send DEL (0x7f) for Backspace and Ink reports it as
 * `delete`, as it does the Delete key, so both act as backspace; Ink marks Escape as `meta` too.
 */
import type { Key } from "ink";

export interface KeyPress {
  readonly name: string;
  readonly text: string;
}

export function keyPressFromInk(input: string, key: Key): KeyPress {
  let base: string | null = null;
  if (key.upArrow) base = "up";
  else if (key.downArrow) base = "down";
  else if (key.leftArrow) base = "left";
  else if (key.rightArrow) base = "right";
  else if (key.pageUp) base = "pageup";
  else if (key.pageDown) base = "pagedown";
  else if (key.home) base = "home";
  else if (key.end) base = "end";
  else if (key.return) base = "enter";
  else if (key.escape) base = "esc";
  else if (key.tab) base = "tab";
  else if (key.backspace || key.delete) base = "backspace";
  else if (input === "[[A" || input === "OP") base = "f1"; // xterm / linux console F1
  if (base !== null) {
    const mods = [
      key.ctrl ? "ctrl+" : "",
      key.meta && base !== "esc" ? "alt+" : "",
      key.shift ? "shift+" : "",
    ];
    return { name: mods.join("") + base, text: "" };
  }
  if (input === " ") return { name: key.ctrl ? "ctrl+space" : key.meta ? "alt+space" : "space", text: " " };
  if (key.ctrl) return { name: `ctrl+${input.toLowerCase()}`, text: "" };
  if (key.meta) return { name: `alt+${input}`, text: "" };
  // Several characters at once: a paste, or keys typed faster than they were read.
  if ([...input].length > 1) return { name: "paste", text: input };
  return { name: input, text: input };
}

/**
 * Every key in one read of the terminal. Ink splits escape sequences (arrows, function keys) but
 * hands over a run of control characters as one string without flags: two Backspaces or two Ctrl+R
 * sent together arrive as "\x7f\x7f" or "\x12\x12" and would be lost. Such a run becomes one key
 * per character.
 */
export function keyPressesFromInk(input: string, key: Key): KeyPress[] {
  const flagged = Object.values(key).some(Boolean);
  if (flagged || input.length < 2 || ![...input].every(isControlChar)) return [keyPressFromInk(input, key)];
  return [...input].map((ch) => keyPressFromInk(...inkKeyOf(ch)));
}

function isControlChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c < 0x20 && c !== 0x1b) || c === 0x7f;
}

/** Ink's Key with no flag set. */
export const NO_KEY: Readonly<Key> = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** What Ink reports for one control character read alone. */
function inkKeyOf(ch: string): [string, Key] {
  const c = ch.charCodeAt(0);
  if (c === 0x7f || c === 0x08) return ["", { ...NO_KEY, backspace: true }];
  if (c === 0x0d || c === 0x0a) return ["", { ...NO_KEY, return: true }];
  if (c === 0x09) return ["", { ...NO_KEY, tab: true }];
  return [String.fromCharCode(c + 0x60), { ...NO_KEY, ctrl: true }];
}

/** A KeyPress for tests and for replaying keys: "j", "ctrl+z", "enter", or text typed into a field. */
export function press(name: string, text?: string): KeyPress {
  const printable = [...name].length === 1 ? name : name === "space" ? " " : "";
  return { name, text: text ?? printable };
}

/** A typed or pasted string, as the text field sees it. */
export function typed(text: string): KeyPress {
  return { name: [...text].length === 1 ? text : "paste", text };
}
