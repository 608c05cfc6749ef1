/**
 * The language picker: the codec's languages filtered as the user types (language-picker.ts), moved
 * through with the arrows, Ctrl-N/Ctrl-P and the page keys; Enter renders the output in the one chosen.
 */
import type { KeyPress } from "../../key-press.js";
import { chooseLanguage } from "../generation.js";
import { filterLanguages } from "../language-picker.js";
import { editLine, editorOf } from "../line-editor.js";
import { info } from "../message.js";
import type { AppState, PickerMode } from "../types.js";

function pickerLanguages(state: AppState): readonly string[] {
  return state.models.languages;
}

export function openPicker(state: AppState): AppState {
  if (state.models.status === "loading") return info(state, "the models are still loading");
  if (pickerLanguages(state).length === 0)
    return info(state, state.models.note ?? "no codec loaded: no languages to render in", "error");
  const list = filterLanguages("", pickerLanguages(state));
  const current = state.output?.lang ?? state.outputLang ?? state.sourceLang;
  const selected = Math.max(
    0,
    list.findIndex((l) => l.code === current),
  );
  return { ...state, mode: { kind: "languages", editor: editorOf(""), selected } };
}

export function onPickerKey(state: AppState, picker: PickerMode, key: KeyPress): AppState {
  const list = filterLanguages(picker.editor.text, pickerLanguages(state));
  const pageSize = Math.max(1, state.layout.listHeight - 3);
  const clampSel = (i: number) => Math.max(0, Math.min(list.length - 1, i));
  switch (key.name) {
    case "esc":
      return { ...state, mode: { kind: "normal" } };
    case "enter": {
      const choice = list[picker.selected];
      if (!choice) return state;
      return chooseLanguage(state, choice.code);
    }
    case "up":
    case "ctrl+p":
      return { ...state, mode: { ...picker, selected: clampSel(picker.selected - 1) } };
    case "down":
    case "ctrl+n":
      return { ...state, mode: { ...picker, selected: clampSel(picker.selected + 1) } };
    case "pageup":
      return { ...state, mode: { ...picker, selected: clampSel(picker.selected - pageSize) } };
    case "pagedown":
      return { ...state, mode: { ...picker, selected: clampSel(picker.selected + pageSize) } };
    default: {
      const editor = editLine(picker.editor, key);
      if (editor === null || editor === picker.editor) return state;
      return { ...state, mode: { kind: "languages", editor, selected: 0 } };
    }
  }
}
