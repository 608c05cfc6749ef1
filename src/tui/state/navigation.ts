/**
 * Moving around the outline: the cursor, scrolling, folding and zoom. All functions take and return
 * AppState; the visible rows come from rows.ts.
 */
import { allSectionIds, ancestorsOf, keyId, type Row, rowIndex, sectionKey, visibleRows } from "./rows.js";
import type { AppState, Layout, RowKey } from "./types.js";

/** Reserved terminal lines: header, pane titles, status line, message line; and one left free at the
 * bottom, because Ink repaints the whole screen (flicker) once a frame fills the terminal. */
const CHROME_LINES = 5;
const TWO_PANES_MIN_WIDTH = 60;

export function computeLayout(width: number, height: number): Layout {
  const w = Math.max(20, Math.floor(width));
  const h = Math.max(8, Math.floor(height));
  const listHeight = Math.max(1, h - CHROME_LINES);
  if (w < TWO_PANES_MIN_WIDTH) return { width: w, height: h, listHeight, outlineWidth: w, paneWidth: 0 };
  const outlineWidth = Math.floor((w - 1) * 0.55);
  return { width: w, height: h, listHeight, outlineWidth, paneWidth: w - 1 - outlineWidth };
}

export function rowsOf(state: AppState): Row[] {
  return visibleRows(state.history.present, state.folded, state.zoom);
}

export function currentRow(state: AppState): Row | undefined {
  const rows = rowsOf(state);
  const i = rowIndex(rows, state.cursor);
  return i >= 0 ? rows[i] : rows[0];
}

/** The first row shown so that row `index` is visible, moving `scroll` as little as possible. */
export function scrollFor(scroll: number, index: number, height: number, total: number): number {
  let top = scroll;
  if (index < top) top = index;
  if (index >= top + height) top = index - height + 1;
  return Math.max(0, Math.min(top, Math.max(0, total - height)));
}

/** Puts the cursor on row `index` (clamped) and scrolls to it. */
export function moveTo(state: AppState, index: number): AppState {
  const rows = rowsOf(state);
  if (rows.length === 0) return { ...state, cursor: null, scroll: 0 };
  const i = Math.max(0, Math.min(rows.length - 1, index));
  return {
    ...state,
    cursor: rows[i].key,
    scroll: scrollFor(state.scroll, i, state.layout.listHeight, rows.length),
  };
}

/** Selects `key`, unfolding and zooming out as needed so it is visible. */
export function reveal(state: AppState, key: RowKey): AppState {
  const outline = state.history.present;
  const ancestors = ancestorsOf(outline, key);
  let next = state;
  const foldedAncestors = ancestors.filter((id) => state.folded.includes(id));
  if (foldedAncestors.length > 0) {
    next = { ...next, folded: next.folded.filter((id) => !foldedAncestors.includes(id)) };
  }
  const self = keyId(key);
  if (
    next.zoom !== null &&
    !ancestors.includes(next.zoom) &&
    !(self.kind === "section" && self.id === next.zoom)
  ) {
    next = { ...next, zoom: null };
  }
  const rows = rowsOf(next);
  const i = rowIndex(rows, key);
  if (i < 0) return settle(next);
  return centerOn({ ...next, cursor: key }, i);
}

/** Selects row `index` and scrolls so it sits a third of the way down when it was off screen. */
function centerOn(state: AppState, index: number): AppState {
  const rows = rowsOf(state);
  const h = state.layout.listHeight;
  let scroll = state.scroll;
  if (index < scroll || index >= scroll + h) scroll = index - Math.floor(h / 3);
  return { ...state, scroll: Math.max(0, Math.min(scroll, Math.max(0, rows.length - h))) };
}

/**
 * After an edit, fold or zoom: keeps the cursor on its row when it is still shown, else on the row
 * now at its old position; keeps the scroll valid.
 */
export function settle(state: AppState, previousIndex?: number): AppState {
  const rows = rowsOf(state);
  if (rows.length === 0) return { ...state, cursor: null, scroll: 0 };
  let i = rowIndex(rows, state.cursor);
  if (i < 0) i = Math.max(0, Math.min(rows.length - 1, previousIndex ?? 0));
  return {
    ...state,
    cursor: rows[i].key,
    scroll: scrollFor(state.scroll, i, state.layout.listHeight, rows.length),
  };
}

export function moveBy(state: AppState, delta: number): AppState {
  const rows = rowsOf(state);
  return moveTo(state, Math.max(0, rowIndex(rows, state.cursor)) + delta);
}

export function page(state: AppState, direction: 1 | -1): AppState {
  const rows = rowsOf(state);
  const step = Math.max(1, state.layout.listHeight - 1);
  const i = Math.max(0, rowIndex(rows, state.cursor));
  const target = Math.max(0, Math.min(rows.length - 1, i + direction * step));
  const scroll = Math.max(
    0,
    Math.min(state.scroll + direction * step, Math.max(0, rows.length - state.layout.listHeight)),
  );
  return moveTo({ ...state, scroll }, target);
}

/** Next (1) or previous (-1) section heading. */
export function jumpSection(state: AppState, direction: 1 | -1): AppState {
  const rows = rowsOf(state);
  const i = Math.max(0, rowIndex(rows, state.cursor));
  for (let k = i + direction; k >= 0 && k < rows.length; k += direction) {
    if (rows[k].kind === "section") return moveTo(state, k);
  }
  return state;
}

function setFolded(state: AppState, id: string, fold: boolean): AppState {
  const has = state.folded.includes(id);
  if (has === fold) return state;
  const folded = fold ? [...state.folded, id] : state.folded.filter((f) => f !== id);
  return settle({ ...state, folded }, rowIndex(rowsOf(state), state.cursor));
}

/** Left / h: fold an open section; on a folded section or a concept, go to the enclosing heading. */
export function collapse(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind === "section" && !row.folded && hasContent(row)) return setFolded(state, row.id, true);
  const parent =
    row.kind === "section" ? row.parent : row.section.level > 0 || row.section.title ? row.section.id : null;
  if (parent === null) return state;
  const rows = rowsOf(state);
  const i = rowIndex(rows, sectionKey(parent));
  return i >= 0 ? moveTo(state, i) : state;
}

/** Right / l: unfold a folded section; on an open one, step to its first row. */
export function expand(state: AppState): AppState {
  const row = currentRow(state);
  if (row?.kind !== "section") return state;
  if (row.folded) return setFolded(state, row.id, false);
  return hasContent(row) ? moveBy(state, 1) : state;
}

export function toggleFold(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  if (row.kind === "section") return setFolded(state, row.id, !row.folded);
  // On a concept: fold its section and land on the heading.
  if (row.section.level === 0 && row.section.title === "") return state;
  const folded = setFolded(state, row.section.id, true);
  const rows = rowsOf(folded);
  return moveTo(folded, rowIndex(rows, sectionKey(row.section.id)));
}

export function foldAll(state: AppState): AppState {
  const row = currentRow(state);
  const outline = state.history.present;
  const folded = allSectionIds(outline);
  // Keep the cursor on the top-level heading that holds it.
  const anchor = row
    ? [...ancestorsOf(outline, row.key), row.kind === "section" ? row.id : null].find((x) => x)
    : null;
  const next = { ...state, folded };
  return anchor ? moveTo(next, rowIndex(rowsOf(next), sectionKey(anchor))) : settle(next);
}

export function unfoldAll(state: AppState): AppState {
  if (state.folded.length === 0) return state;
  const next = { ...state, folded: [] as string[] };
  const rows = rowsOf(next);
  const i = Math.max(0, rowIndex(rows, state.cursor));
  return centerOn({ ...next, cursor: rows[i]?.key ?? null }, i);
}

/** Zooms into the selected section (or the section of the selected concept). */
export function zoomIn(state: AppState): AppState {
  const row = currentRow(state);
  if (!row) return state;
  const id =
    row.kind === "section" ? row.id : row.section.level > 0 || row.section.title ? row.section.id : null;
  if (id === null || id === state.zoom) return state;
  const folded = state.folded.filter((f) => f !== id);
  return settle({ ...state, zoom: id, folded, scroll: 0 });
}

/** Zooms out to the parent of the zoomed section, or all the way out at the top. */
export function zoomOut(state: AppState): AppState {
  if (state.zoom === null) return state;
  const outline = state.history.present;
  const parents = ancestorsOf(outline, sectionKey(state.zoom));
  const zoom = parents.length > 0 ? parents[parents.length - 1] : null;
  const next = { ...state, zoom };
  const rows = rowsOf(next);
  let cursor = state.cursor;
  let i = rowIndex(rows, cursor);
  if (i < 0) {
    cursor = sectionKey(state.zoom);
    i = rowIndex(rows, cursor);
  }
  return centerOn({ ...next, cursor }, Math.max(0, i));
}

function hasContent(row: Row): boolean {
  return row.kind === "section" && (row.section.concepts.length > 0 || row.section.sections.length > 0);
}
