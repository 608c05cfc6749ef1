/**
 * The root reducer: routes keys by mode (the outline view's key bindings, or a dialog's fixed keys),
 * runs commands, and folds in what the effect runner reports. Pure: no I/O, no clocks, no randomness.
 */

import { describeLanguage } from "../../languages/languages.js";
import { findConcept, findSectionPath, sectionAt } from "../../planner/outline.js";
import { outlineToMarkdown } from "../../planner/outline-markdown.js";
import { helpLines } from "../help-lines.js";
import { type KeyPress, press } from "../key-press.js";
import { type CommandId, commandFor } from "../keymap.js";
import { outputLines } from "../output-lines.js";
import { graphemes } from "../text-layout.js";
import {
  addConceptAfter,
  addSectionAfter,
  deleteSection,
  deleteSelected,
  indentSelected,
  mergeSelected,
  moveSelected,
  redoEdit,
  renameSection,
  rewriteConcept,
  setTarget,
  splitConcept,
  togglePin,
  undoEdit,
} from "./edits.js";
import {
  cancelRun,
  changeFormValue,
  chooseLanguage,
  formFields,
  isRunning,
  onConcept,
  onGenerated,
  onProgress,
  onRendered,
  onRunFailed,
  openGenerateForm,
  outputMarkdown,
  startGeneration,
  startRenderSection,
} from "./generation.js";
import { restoreSession } from "./init.js";
import { filterLanguages } from "./language-picker.js";
import { editLine, editorOf } from "./line-editor.js";
import {
  collapse,
  computeLayout,
  currentRow,
  expand,
  foldAll,
  jumpSection,
  moveBy,
  moveTo,
  page,
  reveal,
  rowsOf,
  settle,
  toggleFold,
  unfoldAll,
  zoomIn,
  zoomOut,
} from "./navigation.js";
import { searchFrom, stepMatch } from "./search.js";
import type {
  Action,
  AppState,
  ConfirmMode,
  ExportKind,
  GenerateMode,
  HelpMode,
  PickerMode,
  PromptMode,
  PromptPurpose,
} from "./types.js";

export function reduce(state: AppState, action: Action): AppState {
  switch (action.type) {
    case "key":
      return onKey(state.message ? { ...state, message: null } : state, action.key);
    case "command":
      return runCommand(state, action.command);
    case "resize": {
      const layout = computeLayout(action.width, action.height);
      if (layout.width === state.layout.width && layout.height === state.layout.height) return state;
      return settle({ ...state, layout });
    }
    case "effectsTaken":
      return { ...state, effects: state.effects.slice(action.count) };
    case "models":
      return { ...state, models: action.models };
    case "templates":
      return { ...state, templates: action.templates };
    case "encoding":
      return { ...state, encoding: { ...state.encoding, ...action.encoding } };
    case "sourceLang":
      return { ...state, sourceLang: action.lang };
    case "progress":
      return onProgress(state, action.runId, action.progress);
    case "concept":
      return onConcept(state, action.runId, action.index, action.item);
    case "generated":
      return onGenerated(state, action.runId, action.items, action.sections, action.lang);
    case "runFailed":
      return onRunFailed(state, action.runId, action.message, action.cancelled);
    case "rendered":
      return onRendered(state, action.runId, action.lang, action.items);
    case "exported":
      return {
        ...state,
        exportedRevision: action.what === "outline" ? state.revision : state.exportedRevision,
        output: action.what === "output" && state.output ? { ...state.output, exported: true } : state.output,
        message: { text: `wrote ${action.path}`, kind: "info" },
      };
    case "exportExists":
      return {
        ...state,
        mode: {
          kind: "confirm",
          question: `${action.path} exists. Overwrite it?`,
          choices: [
            { key: "y", label: "overwrite", value: "yes" },
            { key: "n", label: "cancel", value: "no" },
          ],
          intent: { kind: "overwrite", what: action.what, path: action.path, text: action.text },
        },
      };
    case "message":
      return { ...state, message: { text: action.text, kind: action.kind } };
  }
}

function onKey(state: AppState, key: KeyPress): AppState {
  if (key.name === "ctrl+c") return quitNow(state, "keep");
  const mode = state.mode;
  // Keys that arrived together ("jjj" while the app was busy) count one by one, except in text fields.
  if (key.name === "paste" && mode.kind !== "prompt" && mode.kind !== "languages") {
    let next = state;
    for (const g of graphemes(key.text)) next = onKey(next, press(g === " " ? "space" : g));
    return next;
  }
  switch (mode.kind) {
    case "normal": {
      const command = commandFor(state.bindings, key.name);
      return command ? runCommand(state, command) : state;
    }
    case "prompt":
      return onPromptKey(state, mode, key);
    case "confirm":
      return onConfirmKey(state, mode, key);
    case "generate":
      return onFormKey(state, mode, key);
    case "languages":
      return onPickerKey(state, mode, key);
    case "help":
      return onHelpKey(state, mode, key);
  }
}

function info(state: AppState, text: string, kind: "info" | "error" = "info"): AppState {
  return { ...state, message: { text, kind } };
}

export function runCommand(state: AppState, command: CommandId): AppState {
  switch (command) {
    case "up":
      return moveBy(state, -1);
    case "down":
      return moveBy(state, 1);
    case "pageUp":
      return page(state, -1);
    case "pageDown":
      return page(state, 1);
    case "top":
      return moveTo(state, 0);
    case "bottom":
      return moveTo(state, rowsOf(state).length - 1);
    case "prevSection":
      return jumpSection(state, -1);
    case "nextSection":
      return jumpSection(state, 1);
    case "collapse":
      return collapse(state);
    case "expand":
      return expand(state);
    case "toggleFold":
      return toggleFold(state);
    case "foldAll":
      return foldAll(state);
    case "unfoldAll":
      return unfoldAll(state);
    case "zoomIn":
      return zoomIn(state);
    case "zoomOut":
      return zoomOut(state);
    case "search":
      return openPrompt(state, "search", "Search", state.search?.query ?? "", null, {
        restore: { cursor: state.cursor, search: state.search },
      });
    case "searchNext":
      return stepMatch(state, 1);
    case "searchPrev":
      return stepMatch(state, -1);
    case "switchPane":
      return { ...state, pane: state.pane === "source" ? "output" : "source" };
    case "paneDown":
    case "paneUp":
      return scrollPane(state, command === "paneDown" ? 1 : -1);
    case "addConcept":
      return openPrompt(state, "addConcept", "New concept", "", state.cursor);
    case "addSection":
      return openPrompt(state, "addSection", "New section title", "", state.cursor);
    case "rewrite":
      return openRewrite(state);
    case "delete":
      return deleteSelected(state);
    case "moveUp":
      return moveSelected(state, -1);
    case "moveDown":
      return moveSelected(state, 1);
    case "indent":
      return indentSelected(state, 1);
    case "outdent":
      return indentSelected(state, -1);
    case "merge":
      return mergeSelected(state);
    case "split":
      return openSplit(state);
    case "pin":
      return togglePin(state);
    case "target":
      return openTarget(state);
    case "undo":
      return undoEdit(state);
    case "redo":
      return redoEdit(state);
    case "summarize":
      return openGenerateForm(state, "summarize");
    case "extend":
      return openGenerateForm(state, "extend");
    case "render":
      return startRenderSection(state);
    case "language":
      return openPicker(state);
    case "cancel":
      return cancel(state);
    case "exportOutline":
      return openExport(state, "outline");
    case "exportOutput":
      return openExport(state, "output");
    case "help":
      return { ...state, mode: { kind: "help", scroll: 0 } };
    case "quit":
      return askQuit(state);
  }
}

function cancel(state: AppState): AppState {
  if (isRunning(state)) return cancelRun(state);
  if (state.search) return info({ ...state, search: null }, "search cleared");
  if (state.zoom !== null) return zoomOut(state);
  return state;
}

function scrollPane(state: AppState, direction: 1 | -1): AppState {
  if (state.pane === "source")
    return info(state, "the source pane follows the selection; Tab shows the output");
  if (!state.output) return state;
  const step = Math.max(1, Math.floor(state.layout.listHeight / 2));
  const width = Math.max(1, (state.layout.paneWidth || state.layout.width) - 1);
  const maxOffset = Math.max(0, outputLines(state.output, width).length - state.layout.listHeight);
  const paneScroll = Math.max(0, Math.min(maxOffset, state.paneScroll - direction * step));
  return { ...state, paneScroll };
}

// ---------------------------------------------------------------------------------------------------
// Prompts

function openPrompt(
  state: AppState,
  purpose: PromptPurpose,
  label: string,
  text: string,
  target: string | null,
  extra: Partial<PromptMode> = {},
  cursor?: number,
): AppState {
  return {
    ...state,
    mode: { kind: "prompt", purpose, label, editor: editorOf(text, cursor), target, ...extra },
  };
}

function openRewrite(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind === "section") {
    if (row.section.level === 0) return info(state, "the untitled opening has no heading to rename");
    return openPrompt(state, "rename", `Rename section ${row.id}`, row.section.title, row.id);
  }
  if (row.concept.kind !== "sentence")
    return info(state, "opaque blocks (code, tables) are kept as they are", "error");
  return openPrompt(state, "rewrite", `Rewrite ${row.id}`, row.concept.text, row.id);
}

function openSplit(state: AppState): AppState {
  const row = currentRow(state);
  if (row?.kind !== "concept") return info(state, "split works on concepts: select one");
  if (row.concept.kind !== "sentence")
    return info(state, "opaque blocks (code, tables) are kept as they are", "error");
  const text = row.concept.text;
  // Start at the space nearest the middle: usually one step from where the user wants it.
  const middle = Math.floor(text.length / 2);
  let at = -1;
  for (let d = 0; d < text.length; d++) {
    if (text[middle - d] === " ") {
      at = middle - d + 1;
      break;
    }
    if (text[middle + d] === " ") {
      at = middle + d + 1;
      break;
    }
  }
  return openPrompt(
    state,
    "split",
    `Split ${row.id}: move the cursor to where the second part starts, Enter`,
    text,
    row.id,
    {},
    at > 0 ? at : middle,
  );
}

function openTarget(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  const section = row.section;
  if (section.level === 0 && section.title === "" && row.kind === "concept") {
    return openPrompt(
      state,
      "target",
      "Target length of the opening (concepts; empty clears)",
      String(section.targetLength ?? ""),
      section.id,
    );
  }
  return openPrompt(
    state,
    "target",
    `Target length of '${section.title || "the opening"}' in concepts (empty clears)`,
    String(section.targetLength ?? ""),
    section.id,
  );
}

function openExport(state: AppState, what: ExportKind): AppState {
  if (what === "output" && (!state.output || state.output.items.length === 0)) {
    return info(state, "no output yet: s summarizes, x extends, R renders concepts");
  }
  if (what === "output" && isRunning(state))
    return info(state, "wait for the output to finish (Esc cancels)");
  const base = state.doc.path.replace(/\.(outline\.)?(md|markdown|txt|text|json)$/i, "");
  const suggestion =
    what === "outline"
      ? state.doc.fromOutlineFile
        ? state.doc.path
        : `${base}.outline.md`
      : `${base}.${state.output!.task === "extend" ? "extended" : state.output!.task === "render" ? (state.output!.lang ?? "render") : "summary"}.md`;
  return openPrompt(
    state,
    what === "outline" ? "exportOutline" : "exportOutput",
    `Export the ${what} to`,
    suggestion,
    null,
  );
}

function onPromptKey(state: AppState, mode: PromptMode, key: KeyPress): AppState {
  if (key.name === "esc") {
    if (mode.purpose === "search" && mode.restore) {
      const back = mode.restore.cursor ? reveal(state, mode.restore.cursor) : state;
      return { ...back, mode: { kind: "normal" }, search: mode.restore.search };
    }
    return { ...state, mode: { kind: "normal" } };
  }
  if (key.name === "enter") return submitPrompt({ ...state, mode: { kind: "normal" } }, mode);
  const editor = editLine(mode.editor, key);
  if (editor === null || editor === mode.editor) return state;
  const next: AppState = { ...state, mode: { ...mode, editor } };
  if (mode.purpose === "search") return searchFrom(next, editor.text, mode.restore?.cursor ?? state.cursor);
  return next;
}

function submitPrompt(state: AppState, mode: PromptMode): AppState {
  const text = mode.editor.text;
  const outline = state.history.present;
  switch (mode.purpose) {
    case "search": {
      if (text.trim() === "") return { ...state, search: null };
      const found = state.search?.matches.length ?? 0;
      return info(
        state,
        found === 0
          ? `no match for '${text}'`
          : `${found} match${found === 1 ? "" : "es"}: n next, N previous`,
      );
    }
    case "addConcept":
      if (text.trim() === "") return state;
      return addConceptAfter(state, mode.target, text);
    case "addSection":
      if (text.trim() === "") return state;
      return addSectionAfter(state, mode.target, text);
    case "rewrite":
      if (!mode.target || !findConcept(outline, mode.target))
        return info(state, "that concept is gone", "error");
      if (text.trim() === "") return info(state, "a concept can't be empty: d deletes it", "error");
      return rewriteConcept(state, mode.target, text);
    case "rename":
      if (!mode.target) return state;
      return renameSection(state, mode.target, text);
    case "split":
      if (!mode.target) return state;
      return splitConcept(state, mode.target, mode.editor.cursor);
    case "target": {
      if (!mode.target || !findSectionPath(outline.sections, mode.target)) return state;
      const trimmed = text.trim();
      if (trimmed === "") return setTarget(state, mode.target, null);
      const n = Number(trimmed);
      if (!Number.isInteger(n) || n < 1)
        return info(state, `target must be a whole number of concepts, got '${trimmed}'`, "error");
      return setTarget(state, mode.target, n);
    }
    case "exportOutline":
    case "exportOutput": {
      const path = text.trim();
      if (path === "") return state;
      const what: ExportKind = mode.purpose === "exportOutline" ? "outline" : "output";
      return requestExport(state, what, path, false);
    }
  }
}

function exportText(state: AppState, what: ExportKind): string {
  return what === "outline" ? outlineToMarkdown(state.history.present) : outputMarkdown(state.output!);
}

function requestExport(
  state: AppState,
  what: ExportKind,
  path: string,
  overwrite: boolean,
  text?: string,
): AppState {
  return {
    ...state,
    effects: [
      ...state.effects,
      { kind: "export", what, path, text: text ?? exportText(state, what), overwrite },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// Confirmations

function onConfirmKey(state: AppState, mode: ConfirmMode, key: KeyPress): AppState {
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

function askQuit(state: AppState): AppState {
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

function quitNow(state: AppState, session: "keep" | "discard"): AppState {
  return { ...state, effects: [...state.effects, { kind: "quit", session }] };
}

// ---------------------------------------------------------------------------------------------------
// The generate form, the language picker, help

function onFormKey(state: AppState, form: GenerateMode, key: KeyPress): AppState {
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

function pickerLanguages(state: AppState): readonly string[] {
  return state.models.languages;
}

function openPicker(state: AppState): AppState {
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

function onPickerKey(state: AppState, picker: PickerMode, key: KeyPress): AppState {
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

function onHelpKey(state: AppState, help: HelpMode, key: KeyPress): AppState {
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

/** What the output language currently is, for display. */
export function outputLanguageLabel(state: AppState): string {
  const lang = state.output?.lang ?? state.outputLang ?? state.sourceLang;
  return lang ? describeLanguage(lang) : "the source's";
}

/** The section the selection is in, as a title (status line). */
export function selectionSectionTitle(state: AppState): string {
  const row = currentRow(state);
  if (!row) return "";
  if (row.kind === "section") return row.section.title;
  const outline = state.history.present;
  const path = findSectionPath(outline.sections, row.section.id);
  return path ? sectionAt(outline.sections, path).title : "";
}
