/** The status line's message: what the reducer and its dialogs tell the user. */
import type { AppState } from "./types.js";

export function info(state: AppState, text: string, kind: "info" | "error" = "info"): AppState {
  return { ...state, message: { text, kind } };
}
