/**
 * The root reducer: routes keys by mode (the outline view's key bindings, or a dialog's fixed keys:
 * each dialog's key handler is in dialogs/, prompt, confirm, form, picker and help), runs commands, and
 * folds in what the effect runner reports. Pure: no I/O, no clocks, no randomness.
 */

import { describeLanguage } from "../../languages/languages.js";
import { findSectionPath, sectionAt } from "../../planner/outline.js";
import { type KeyPress, press } from "../key-press.js";
import { type CommandId, commandFor } from "../keymap.js";
import { outputLines } from "../output-lines.js";
import { graphemes } from "../text-layout.js";
import { askQuit, onConfirmKey, quitNow } from "./dialogs/confirm.js";
import { onFormKey } from "./dialogs/form.js";
import { onHelpKey } from "./dialogs/help.js";
import { onPickerKey, openPicker } from "./dialogs/picker.js";
import { onPromptKey, openExport, openPrompt, openRewrite, openSplit, openTarget } from "./dialogs/prompt.js";
import {
  deleteSelected,
  indentSelected,
  mergeSelected,
  moveSelected,
  redoEdit,
  togglePin,
  undoEdit,
} from "./edits.js";
import {
  cancelRun,
  isRunning,
  onConcept,
  onGenerated,
  onProgress,
  onRendered,
  onRunFailed,
  openGenerateForm,
  startRenderSection,
} from "./generation.js";
import { info } from "./message.js";
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
  rowsOf,
  settle,
  toggleFold,
  unfoldAll,
  zoomIn,
  zoomOut,
} from "./navigation.js";
import { stepMatch } from "./search.js";
import type { Action, AppState } from "./types.js";

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

export function runCommand(state: AppState, command: CommandId): AppState {
  return COMMANDS[command](state);
}

/** What each command does (keymap.ts binds the keys to them). */
const COMMANDS: Record<CommandId, (state: AppState) => AppState> = {
  up: (state) => moveBy(state, -1),
  down: (state) => moveBy(state, 1),
  pageUp: (state) => page(state, -1),
  pageDown: (state) => page(state, 1),
  top: (state) => moveTo(state, 0),
  bottom: (state) => moveTo(state, rowsOf(state).length - 1),
  prevSection: (state) => jumpSection(state, -1),
  nextSection: (state) => jumpSection(state, 1),
  collapse,
  expand,
  toggleFold,
  foldAll,
  unfoldAll,
  zoomIn,
  zoomOut,
  search: (state) =>
    openPrompt(state, "search", "Search", state.search?.query ?? "", null, {
      restore: { cursor: state.cursor, search: state.search },
    }),
  searchNext: (state) => stepMatch(state, 1),
  searchPrev: (state) => stepMatch(state, -1),
  switchPane: (state) => ({ ...state, pane: state.pane === "source" ? "output" : "source" }),
  paneDown: (state) => scrollPane(state, 1),
  paneUp: (state) => scrollPane(state, -1),
  addConcept: (state) => openPrompt(state, "addConcept", "New concept", "", state.cursor),
  addSection: (state) => openPrompt(state, "addSection", "New section title", "", state.cursor),
  rewrite: openRewrite,
  delete: deleteSelected,
  moveUp: (state) => moveSelected(state, -1),
  moveDown: (state) => moveSelected(state, 1),
  indent: (state) => indentSelected(state, 1),
  outdent: (state) => indentSelected(state, -1),
  merge: mergeSelected,
  split: openSplit,
  pin: togglePin,
  target: openTarget,
  undo: undoEdit,
  redo: redoEdit,
  summarize: (state) => openGenerateForm(state, "summarize"),
  extend: (state) => openGenerateForm(state, "extend"),
  render: startRenderSection,
  language: openPicker,
  cancel: (state) => cancel(state),
  exportOutline: (state) => openExport(state, "outline"),
  exportOutput: (state) => openExport(state, "output"),
  help: (state) => ({ ...state, mode: { kind: "help", scroll: 0 } }),
  quit: askQuit,
};

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
