/**
 * `/` search over the whole outline (concept texts and section titles, folded or zoomed away or not).
 * Matching ignores case and accents ("resume" finds "Résumé") and is done per concept, so results are
 * rows the cursor can go to. Moving to a match unfolds and zooms out as needed (navigation.reveal).
 */
import type { Concept, Outline, Section } from "../../planner/outline.js";
import { reveal } from "./navigation.js";
import { conceptKey, isTitled, sectionKey } from "./rows.js";
import type { AppState, RowKey, SearchState } from "./types.js";

/** Lower case without combining marks: the form both the query and the texts are compared in. */
export function foldForSearch(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLocaleLowerCase();
}

// Folded texts, cached per (immutable) concept and section: typing a query searches a big book in
// milliseconds after the first keystroke.
const foldedTexts = new WeakMap<object, string>();

function folded(owner: Concept | Section, text: string): string {
  let f = foldedTexts.get(owner);
  if (f === undefined) {
    f = foldForSearch(text);
    foldedTexts.set(owner, f);
  }
  return f;
}

export function findMatches(outline: Outline, query: string): RowKey[] {
  const needle = foldForSearch(query.trim());
  if (needle.length === 0) return [];
  const matches: RowKey[] = [];
  const visit = (sections: readonly Section[]) => {
    for (const s of sections) {
      if (isTitled(s) && folded(s, s.title).includes(needle)) matches.push(sectionKey(s.id));
      for (const c of s.concepts) if (folded(c, c.text).includes(needle)) matches.push(conceptKey(c.id));
      visit(s.sections);
    }
  };
  visit(outline.sections);
  return matches;
}

/** Document order of every row key (to find the first match at or after the cursor). */
function orderOf(outline: Outline): Map<RowKey, number> {
  const order = new Map<RowKey, number>();
  const visit = (sections: readonly Section[]) => {
    for (const s of sections) {
      order.set(sectionKey(s.id), order.size);
      for (const c of s.concepts) order.set(conceptKey(c.id), order.size);
      visit(s.sections);
    }
  };
  visit(outline.sections);
  return order;
}

/**
 * Runs `query` and moves to the first match at or after `from` (wrapping around), as you type. With no
 * match the cursor stays at `from`.
 */
export function searchFrom(state: AppState, query: string, from: RowKey | null): AppState {
  const outline = state.history.present;
  const matches = findMatches(outline, query);
  if (matches.length === 0) {
    const search: SearchState = { query, matches, index: -1 };
    return from !== null ? { ...reveal(state, from), search } : { ...state, search };
  }
  const order = orderOf(outline);
  const start = from === null ? -1 : (order.get(from) ?? -1);
  let index = matches.findIndex((m) => (order.get(m) ?? 0) >= start);
  if (index < 0) index = 0;
  return { ...reveal(state, matches[index]), search: { query, matches, index } };
}

/** n / N: the next or previous match, wrapping around. */
export function stepMatch(state: AppState, direction: 1 | -1): AppState {
  const search = state.search;
  if (!search || search.query.trim() === "")
    return { ...state, message: { text: "no search: press / to search", kind: "info" } };
  // The outline may have changed since the search ran: match again.
  const matches = findMatches(state.history.present, search.query);
  if (matches.length === 0) {
    return {
      ...state,
      search: { ...search, matches, index: -1 },
      message: { text: `no match for '${search.query}'`, kind: "info" },
    };
  }
  const current = state.cursor !== null ? matches.indexOf(state.cursor) : -1;
  const base = current >= 0 ? current : search.index;
  const index = (((base + direction) % matches.length) + matches.length) % matches.length;
  const wrapped = (direction === 1 && index <= base) || (direction === -1 && index >= base);
  const next = { ...reveal(state, matches[index]), search: { query: search.query, matches, index } };
  return wrapped && matches.length > 1
    ? {
        ...next,
        message: {
          text: direction === 1 ? "search wrapped to the top" : "search wrapped to the bottom",
          kind: "info",
        },
      }
    : next;
}
