/**
 * The help screen: every key binding (help-lines.ts), scrolled with j/k, the arrows, Space and the page
 * keys; the help key, Esc or q closes it.
 */
import { helpLines } from "../../help-lines.js";
import type { KeyPress } from "../../key-press.js";
import { commandFor } from "../../keymap.js";
import type { AppState, HelpMode } from "../types.js";

export function onHelpKey(state: AppState, help: HelpMode, key: KeyPress): AppState {
  const max = Math.max(0, helpLines(state.bindings).length - state.layout.listHeight);
  const step = state.layout.listHeight - 1;
  switch (key.name) {
    case "down":
    case "j":
      return { ...state, mode: { ...help, scroll: Math.min(max, help.scroll + 1) } };
    case "up":
    case "k":
      return { ...state, mode: { ...help, scroll: Math.max(0, help.scroll - 1) } };
    case "pagedown":
    case "space":
      return { ...state, mode: { ...help, scroll: Math.min(max, help.scroll + step) } };
    case "pageup":
      return { ...state, mode: { ...help, scroll: Math.max(0, help.scroll - step) } };
    default:
      if (commandFor(state.bindings, key.name) === "help" || key.name === "esc" || key.name === "q") {
        return { ...state, mode: { kind: "normal" } };
      }
      return state;
  }
}
