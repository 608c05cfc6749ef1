/**
 * The generate form (summarize / extend): fields moved through with up/down (j/k, Tab), values changed
 * with left/right (h/l, Space), Enter starts the run, Esc or q closes it. The fields and their values
 * are generation.ts's.
 */
import type { KeyPress } from "../../key-press.js";
import { changeFormValue, formFields, startGeneration } from "../generation.js";
import type { AppState, GenerateMode } from "../types.js";

export function onFormKey(state: AppState, form: GenerateMode, key: KeyPress): AppState {
  const fields = formFields(form);
  switch (key.name) {
    case "esc":
    case "q":
      return { ...state, mode: { kind: "normal" } };
    case "enter":
      return startGeneration(state, form);
    case "up":
    case "k":
    case "shift+tab":
      return { ...state, mode: { ...form, field: (form.field + fields.length - 1) % fields.length } };
    case "down":
    case "j":
    case "tab":
      return { ...state, mode: { ...form, field: (form.field + 1) % fields.length } };
    case "left":
    case "h":
      return changeFormValue(state, form, -1);
    case "right":
    case "l":
    case "space":
      return changeFormValue(state, form, 1);
    default:
      return state;
  }
}
