/**
 * Outline edits from the outline pane: each command becomes an OutlineEdit (outline-edits.ts) applied
 * through the undo history (outline-history.ts), so every edit can be undone and redone. An edit the
 * outline refuses (merging the last concept, a heading level Markdown can't express, ...) leaves the
 * state as it was and says why on the message line.
 */

import {
  findConcept,
  findSectionPath,
  type Outline,
  type Section,
  sectionAt,
  walkSections,
} from "../../planner/outline.js";
import { nextConceptId, nextSectionId, type OutlineEdit } from "../../planner/outline-edits.js";
import { applyToHistory, canRedo, canUndo, redo, undo } from "../../planner/outline-history.js";
import { messageOf } from "../../util/errors.js";
import { info } from "./message.js";
import { currentRow, rowsOf, settle } from "./navigation.js";
import { conceptKey, rowIndex, sectionKey } from "./rows.js";
import type { AppState, RowKey } from "./types.js";

/** Short description of an edit for messages: "rewrite c12", "delete section s3". */
export function describeEdit(edit: OutlineEdit): string {
  switch (edit.op) {
    case "add":
      return "add a concept";
    case "delete":
      return `delete ${edit.concept}`;
    case "move":
      return `move ${edit.concept}`;
    case "merge":
      return `merge ${edit.concept} with the next concept`;
    case "split":
      return `split ${edit.concept}`;
    case "rewrite":
      return `rewrite ${edit.concept}`;
    case "pin":
      return `${edit.pinned === false ? "unpin" : "pin"} ${edit.concept}`;
    case "target":
      return edit.length === null
        ? `clear the target of ${edit.section}`
        : `set the target of ${edit.section}`;
    case "add_section":
      return "add a section";
    case "delete_section":
      return `delete section ${edit.section}`;
    case "rename_section":
      return `rename section ${edit.section}`;
    case "move_section":
      return `move section ${edit.section}`;
    case "indent":
      return `indent section ${edit.section}`;
    case "outdent":
      return `outdent section ${edit.section}`;
  }
}

/**
 * Applies `edit` through the history. `select` is the row to select afterwards (default: keep the
 * cursor, or the row now at its place when its row is gone).
 */
export function applyUserEdit(state: AppState, edit: OutlineEdit, select?: RowKey, note?: string): AppState {
  let history: AppState["history"];
  try {
    history = applyToHistory(state.history, edit, {
      source: state.doc.fromOutlineFile ? undefined : state.doc.text,
    });
  } catch (error) {
    return { ...state, message: { text: messageOf(error), kind: "error" } };
  }
  if (history === state.history) return state;
  const previousIndex = rowIndex(rowsOf(state), state.cursor);
  const next: AppState = {
    ...state,
    history,
    revision: state.revision + 1,
    cursor: select ?? state.cursor,
    message: note ? { text: note, kind: "info" } : null,
  };
  return settle(keepViewValid(next), previousIndex);
}

/** Drops folds and zoom that point at sections an edit removed. */
function keepViewValid(state: AppState): AppState {
  const outline = state.history.present;
  const exists = (id: string) => findSectionPath(outline.sections, id) !== null;
  const folded = state.folded.every(exists) ? state.folded : state.folded.filter(exists);
  const zoom = state.zoom !== null && !exists(state.zoom) ? null : state.zoom;
  return folded === state.folded && zoom === state.zoom ? state : { ...state, folded, zoom };
}

/** The row an edit is about, for selecting it after undo/redo. */
function editTarget(edit: OutlineEdit, outline: Outline): RowKey | null {
  if ("concept" in edit && findConcept(outline, edit.concept)) return conceptKey(edit.concept);
  if (
    "section" in edit &&
    typeof edit.section === "string" &&
    findSectionPath(outline.sections, edit.section)
  ) {
    return sectionKey(edit.section);
  }
  return null;
}

export function undoEdit(state: AppState): AppState {
  return stepHistory(state, "undo");
}

export function redoEdit(state: AppState): AppState {
  return stepHistory(state, "redo");
}

/** Undo or redo one edit: the cursor follows what the edit touched, the message says what it was. */
function stepHistory(state: AppState, direction: "undo" | "redo"): AppState {
  const undoing = direction === "undo";
  if (!(undoing ? canUndo(state.history) : canRedo(state.history))) {
    return { ...state, message: { text: `nothing to ${direction}`, kind: "info" } };
  }
  const stack = undoing ? state.history.past : state.history.future;
  const edit = stack[stack.length - 1].edit;
  const history = undoing ? undo(state.history) : redo(state.history);
  const previousIndex = rowIndex(rowsOf(state), state.cursor);
  const target = editTarget(edit, history.present);
  const next: AppState = {
    ...state,
    history,
    revision: state.revision + 1,
    cursor: target ?? state.cursor,
    message: { text: `${undoing ? "undid" : "redid"}: ${describeEdit(edit)}`, kind: "info" },
  };
  return settle(keepViewValid(next), previousIndex);
}

// ---------------------------------------------------------------------------------------------------
// Commands that edit at once (the ones that need text open a prompt first: see dialogs/prompt.ts)

export function deleteSelected(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind === "concept") {
    return applyUserEdit(state, { op: "delete", concept: row.id }, undefined, `deleted ${row.id} (u undoes)`);
  }
  const sentences = row.sentences;
  const subsections = countSections(row.section) - 1;
  const what = [
    `${sentences} concept${sentences === 1 ? "" : "s"}`,
    ...(subsections > 0 ? [`${subsections} subsection${subsections === 1 ? "" : "s"}`] : []),
  ].join(" and ");
  return {
    ...state,
    mode: {
      kind: "confirm",
      question: `Delete section '${row.section.title}' with ${what}?`,
      choices: [
        { key: "y", label: "delete", value: "yes" },
        { key: "n", label: "keep", value: "no" },
      ],
      intent: { kind: "deleteSection", section: row.id },
    },
  };
}

function countSections(section: Section): number {
  let n = 0;
  for (const _ of walkSections([section])) n++;
  return n;
}

export function deleteSection(state: AppState, id: string): AppState {
  return applyUserEdit(
    state,
    { op: "delete_section", section: id },
    undefined,
    `deleted section ${id} (u undoes)`,
  );
}

export function togglePin(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind !== "concept") return info(state, "pin works on concepts: select one");
  const pinned = !row.concept.pinned;
  return applyUserEdit(
    state,
    { op: "pin", concept: row.id, pinned },
    undefined,
    `${pinned ? "pinned" : "unpinned"} ${row.id}`,
  );
}

export function mergeSelected(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind !== "concept") return info(state, "merge works on concepts: select the first of the two");
  return applyUserEdit(
    state,
    { op: "merge", concept: row.id },
    undefined,
    `merged ${row.id} with the next concept`,
  );
}

/** Moves the selected concept one place (across section boundaries), or the section among its siblings. */
export function moveSelected(state: AppState, direction: 1 | -1): AppState {
  const row = currentRow(state);
  if (!row) return state;
  const outline = state.history.present;
  if (row.kind === "concept") {
    const found = findConcept(outline, row.id)!;
    const index = found.index + direction;
    if (index >= 0 && index < found.section.concepts.length) {
      return applyUserEdit(state, { op: "move", concept: row.id, section: found.section.id, index }, row.key);
    }
    // Over the edge: into the previous section (at its end) or the next one (at its start).
    const order = [...walkSections(outline.sections)].map((w) => w.section);
    const at = order.findIndex((s) => s.id === found.section.id);
    const neighbour = order[at + direction];
    if (!neighbour)
      return info(state, direction < 0 ? "already the first concept" : "already the last concept");
    const targetIndex = direction < 0 ? neighbour.concepts.length : 0;
    return applyUserEdit(
      state,
      { op: "move", concept: row.id, section: neighbour.id, index: targetIndex },
      row.key,
      `moved ${row.id} to '${neighbour.title || "the opening"}'`,
    );
  }
  const path = findSectionPath(outline.sections, row.id)!;
  const position = path[path.length - 1];
  const parentPath = path.slice(0, -1);
  const siblings =
    parentPath.length === 0 ? outline.sections : sectionAt(outline.sections, parentPath).sections;
  const index = position + direction;
  if (index < 0 || index >= siblings.length) {
    return info(
      state,
      direction < 0 ? "already the first section at its level" : "already the last section at its level",
    );
  }
  const parent = parentPath.length === 0 ? null : sectionAt(outline.sections, parentPath).id;
  return applyUserEdit(state, { op: "move_section", section: row.id, parent, index }, row.key);
}

export function indentSelected(state: AppState, direction: 1 | -1): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind !== "section") {
    return info(state, "indent and outdent move sections; J and K move a concept");
  }
  return applyUserEdit(state, { op: direction > 0 ? "indent" : "outdent", section: row.id }, row.key);
}

// ---------------------------------------------------------------------------------------------------
// Edits that come from a prompt

export function addConceptAfter(state: AppState, anchor: RowKey | null, text: string): AppState {
  const outline = state.history.present;
  const id = nextConceptId(outline);
  let section: string;
  let index: number;
  const target = anchor ? locate(outline, anchor) : null;
  if (target?.kind === "concept") {
    section = target.section.id;
    index = target.index + 1;
  } else if (target?.kind === "section") {
    section = target.section.id;
    index = 0;
  } else {
    const first = outline.sections[0];
    if (!first) return info(state, "add a section first (A)");
    section = first.id;
    index = 0;
  }
  return applyUserEdit(state, { op: "add", section, text, index }, conceptKey(id), `added ${id}`);
}

export function addSectionAfter(state: AppState, anchor: RowKey | null, title: string): AppState {
  const outline = state.history.present;
  const id = nextSectionId(outline);
  const target = anchor ? locate(outline, anchor) : null;
  const sectionId = target ? target.section.id : null;
  let parent: string | null = null;
  let index: number | undefined;
  if (sectionId !== null) {
    const path = findSectionPath(outline.sections, sectionId)!;
    parent = path.length > 1 ? sectionAt(outline.sections, path.slice(0, -1)).id : null;
    index = path[path.length - 1] + 1;
  }
  return applyUserEdit(
    state,
    { op: "add_section", parent, title, index },
    sectionKey(id),
    `added section ${id}`,
  );
}

export function rewriteConcept(state: AppState, id: string, text: string): AppState {
  return applyUserEdit(
    state,
    { op: "rewrite", concept: id, text },
    conceptKey(id),
    `rewrote ${id}; re-encoding`,
  );
}

export function renameSection(state: AppState, id: string, title: string): AppState {
  return applyUserEdit(state, { op: "rename_section", section: id, title }, sectionKey(id), `renamed ${id}`);
}

export function splitConcept(state: AppState, id: string, offset: number): AppState {
  const outline = state.history.present;
  const tail = nextConceptId(outline);
  return applyUserEdit(
    state,
    { op: "split", concept: id, offset },
    conceptKey(tail),
    `split ${id}; the second part is ${tail}`,
  );
}

export function setTarget(state: AppState, section: string, length: number | null): AppState {
  return applyUserEdit(
    state,
    { op: "target", section, length },
    undefined,
    length === null ? `cleared the target of ${section}` : `target of ${section}: ${length} concepts`,
  );
}

type Located = { kind: "concept"; section: Section; index: number } | { kind: "section"; section: Section };

function locate(outline: Outline, key: RowKey): Located | null {
  if (key.startsWith("c:")) {
    const found = findConcept(outline, key.slice(2));
    return found ? { kind: "concept", section: found.section, index: found.index } : null;
  }
  const path = findSectionPath(outline.sections, key.slice(2));
  return path ? { kind: "section", section: sectionAt(outline.sections, path) } : null;
}
