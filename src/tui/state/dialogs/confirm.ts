/**
 * The confirm dialog: a question with one key per answer (delete a section, overwrite an export, quit
 * with unexported work, restore a saved session). Esc or q answers "no", except the session question,
 * which needs an answer.
 */
import type { KeyPress } from "../../key-press.js";
import { deleteSection } from "../edits.js";
import { restoreSession } from "../init.js";
import { info } from "../message.js";
import type { AppState, ConfirmMode } from "../types.js";
import { requestExport } from "./prompt.js";

export function onConfirmKey(state: AppState, mode: ConfirmMode, key: KeyPress): AppState {
  const choice = mode.choices.find((c) => c.key === key.name);
  const dismissed = key.name === "esc" || key.name === "q";
  if (!choice && !dismissed) return state;
  const value = choice?.value ?? "no";
  const normal: AppState = { ...state, mode: { kind: "normal" } };
  const intent = mode.intent;
  switch (intent.kind) {
    case "deleteSection":
      return value === "yes" ? deleteSection(normal, intent.section) : normal;
    case "overwrite":
      return value === "yes"
        ? requestExport(normal, intent.what, intent.path, true, intent.text)
        : info(normal, "not exported");
    case "quit":
      if (value === "keep") return quitNow(normal, "keep");
      if (value === "discard") return quitNow(normal, "discard");
      return normal;
    case "recover":
      if (value === "restore" && state.recovered) return restoreSession(normal, state.recovered);
      if (!choice) return state; // this one needs an answer: r or n
      return info(
        { ...normal, recovered: null, effects: [...state.effects, { kind: "discardSession" }] },
        "started fresh; the old session is dropped",
      );
  }
}

function unsavedSummary(state: AppState): string | null {
  const parts: string[] = [];
  const edits = state.revision - state.exportedRevision;
  if (edits > 0 && state.history.past.length > 0) parts.push("edits to the outline");
  if (state.output && state.output.items.length > 0 && !state.output.exported) parts.push("an output");
  return parts.length > 0 ? parts.join(" and ") : null;
}

export function askQuit(state: AppState): AppState {
  const unsaved = unsavedSummary(state);
  if (!unsaved) return quitNow(state, "discard");
  return {
    ...state,
    mode: {
      kind: "confirm",
      question: `There are ${unsaved} not exported.`,
      choices: [
        { key: "k", label: "quit, keep them for next time", value: "keep" },
        { key: "d", label: "quit and drop them", value: "discard" },
        { key: "n", label: "stay", value: "no" },
      ],
      intent: { kind: "quit" },
    },
  };
}

export function quitNow(state: AppState, session: "keep" | "discard"): AppState {
  return { ...state, effects: [...state.effects, { kind: "quit", session }] };
}
