/**
 * Undo/redo over outline edits. A history is immutable data like the outline itself: apply/undo/redo
 * return a new history. Outlines share untouched parts, so keeping whole snapshots costs little, and
 * every entry remembers its edit so a UI can say what undo will do ("undo: merge c12").
 */
import { UsageError } from "../util/errors.js";
import type { Outline } from "./outline.js";
import { applyEdit, type EditContext, type OutlineEdit } from "./outline-edits.js";

export interface HistoryEntry {
  /** The outline on the other side of this edit (before it, in `past`; after it, in `future`). */
  readonly outline: Outline;
  readonly edit: OutlineEdit;
}

export interface OutlineHistory {
  readonly present: Outline;
  /** Oldest first. */
  readonly past: readonly HistoryEntry[];
  /** Next redo last. */
  readonly future: readonly HistoryEntry[];
  readonly limit: number;
}

export const DEFAULT_HISTORY_LIMIT = 500;

export function createHistory(outline: Outline, limit = DEFAULT_HISTORY_LIMIT): OutlineHistory {
  return { present: outline, past: [], future: [], limit };
}

/** Applies an edit; a redo branch is dropped. An edit that changes nothing is not recorded. */
export function applyToHistory(
  history: OutlineHistory,
  edit: OutlineEdit,
  context?: EditContext,
): OutlineHistory {
  const next = applyEdit(history.present, edit, context);
  if (next === history.present) return history;
  const past = [...history.past, { outline: history.present, edit }];
  if (past.length > history.limit) past.splice(0, past.length - history.limit);
  return { ...history, present: next, past, future: [] };
}

export function canUndo(history: OutlineHistory): boolean {
  return history.past.length > 0;
}

export function canRedo(history: OutlineHistory): boolean {
  return history.future.length > 0;
}

export function undo(history: OutlineHistory): OutlineHistory {
  const entry = history.past[history.past.length - 1];
  if (!entry) throw new UsageError("nothing to undo");
  return {
    ...history,
    present: entry.outline,
    past: history.past.slice(0, -1),
    future: [...history.future, { outline: history.present, edit: entry.edit }],
  };
}

export function redo(history: OutlineHistory): OutlineHistory {
  const entry = history.future[history.future.length - 1];
  if (!entry) throw new UsageError("nothing to redo");
  return {
    ...history,
    present: entry.outline,
    past: [...history.past, { outline: history.present, edit: entry.edit }],
    future: history.future.slice(0, -1),
  };
}
