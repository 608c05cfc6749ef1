/** The state the TUI starts in, and putting a saved session back. */

import type { Outline } from "../../planner/outline.js";
import { applyToHistory, createHistory, type OutlineHistory } from "../../planner/outline-history.js";
import { outlineToJson } from "../../planner/outline-json.js";
import { DEFAULT_KEYMAP, type Keymap } from "../keymap.js";
import { computeLayout, settle } from "./navigation.js";
import type { AppState, DocumentInfo, SessionSnapshot } from "./types.js";

export interface InitialOptions {
  doc: DocumentInfo;
  outline: Outline;
  width: number;
  height: number;
  keymap?: Keymap;
  outputLang?: string | null;
  /** A session found on disk for this document: the user is asked whether to restore it. */
  recovered?: SessionSnapshot | null;
}

export function initialState(options: InitialOptions): AppState {
  const state: AppState = {
    doc: options.doc,
    history: createHistory(options.outline),
    base: options.outline,
    cursor: null,
    folded: [],
    zoom: null,
    scroll: 0,
    layout: computeLayout(options.width, options.height),
    search: null,
    mode: { kind: "normal" },
    pane: "source",
    paneScroll: 0,
    output: null,
    outputLang: options.outputLang ?? null,
    sourceLang: null,
    models: { status: "loading", codec: null, lcm: null, languages: [], note: null },
    encoding: { status: "idle", done: 0, total: 0, pending: [], note: null },
    templates: [],
    message: null,
    bindings: options.keymap ?? DEFAULT_KEYMAP,
    revision: 0,
    exportedRevision: 0,
    recovered: options.recovered ?? null,
    effects: [],
    nextRunId: 1,
  };
  const settled = settle(state);
  if (!options.recovered) return settled;
  const snapshot = options.recovered;
  const edits = snapshot.edits.length;
  const parts = [
    `${edits} edit${edits === 1 ? "" : "s"}`,
    ...(snapshot.output && snapshot.output.items.length > 0 ? ["an output"] : []),
  ];
  return {
    ...settled,
    mode: {
      kind: "confirm",
      question: `A session of this document from ${snapshot.savedAt.replace("T", " ").slice(0, 16)} UTC (${parts.join(" and ")}) was not closed. Restore it?`,
      choices: [
        { key: "r", label: "restore", value: "restore" },
        { key: "n", label: "start fresh (drops it)", value: "fresh" },
      ],
      intent: { kind: "recover" },
    },
  };
}

/**
 * Puts a saved session back: the edits are replayed over the opened outline so undo works across the
 * restart; if they no longer replay to the saved outline (the planner changed), the saved outline is
 * taken as it is, without undo history.
 */
export function restoreSession(state: AppState, snapshot: SessionSnapshot): AppState {
  let history: OutlineHistory = createHistory(state.base);
  try {
    for (const edit of snapshot.edits)
      history = applyToHistory(history, edit, { source: state.doc.text || undefined });
    if (outlineToJson(history.present) !== outlineToJson(snapshot.outline))
      history = createHistory(snapshot.outline);
  } catch {
    history = createHistory(snapshot.outline);
  }
  const restored: AppState = {
    ...state,
    history,
    cursor: snapshot.cursor,
    folded: snapshot.folded,
    zoom: snapshot.zoom,
    outputLang: snapshot.outputLang,
    output: snapshot.output,
    pane: snapshot.output ? "output" : state.pane,
    paneScroll: 0,
    revision: state.revision + Math.max(1, snapshot.edits.length),
    recovered: null,
    mode: { kind: "normal" },
    message: {
      text: `restored the session: ${snapshot.edits.length} edits${snapshot.output ? " and the output" : ""}`,
      kind: "info",
    },
  };
  return settle(restored);
}

/** What autosave writes: the outline, the edits that made it, the view and the output. */
export function snapshotOf(state: AppState, savedAt = new Date().toISOString()): SessionSnapshot {
  const output =
    state.output && (state.output.status === "done" || state.output.items.length > 0)
      ? { ...state.output, status: "done" as const, progress: null }
      : null;
  return {
    savedAt,
    outline: state.history.present,
    edits: state.history.past.map((entry) => entry.edit),
    cursor: state.cursor,
    folded: state.folded,
    zoom: state.zoom,
    outputLang: state.outputLang,
    output,
  };
}

/** Is there anything a session file should keep? */
export function hasSessionContent(state: AppState): boolean {
  return state.history.past.length > 0 || (state.output !== null && state.output.items.length > 0);
}
