/**
 * The prompt dialog: one line of text with a cursor (line-editor.ts), opened for search, a new concept
 * or section, a rewrite, a rename, a split point, a target length or an export path. Esc closes it (a
 * search puts the selection back where it was), Enter submits it to what it was opened for.
 */
import { findConcept, findSectionPath } from "../../../planner/outline.js";
import { outlineToMarkdown } from "../../../planner/outline-markdown.js";
import type { KeyPress } from "../../key-press.js";
import {
  addConceptAfter,
  addSectionAfter,
  renameSection,
  rewriteConcept,
  setTarget,
  splitConcept,
} from "../edits.js";
import { isRunning, outputMarkdown } from "../generation.js";
import { editLine, editorOf } from "../line-editor.js";
import { info } from "../message.js";
import { currentRow, reveal } from "../navigation.js";
import { searchFrom } from "../search.js";
import type { AppState, ExportKind, PromptMode, PromptPurpose } from "../types.js";

export function openPrompt(
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

export function openRewrite(state: AppState): AppState {
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

export function openSplit(state: AppState): AppState {
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

export function openTarget(state: AppState): AppState {
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

export function openExport(state: AppState, what: ExportKind): AppState {
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

export function onPromptKey(state: AppState, mode: PromptMode, key: KeyPress): AppState {
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

export function requestExport(
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
