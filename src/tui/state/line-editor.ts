/**
 * A one-line text field as plain data: the text and a cursor (a UTF-16 offset that always sits on a
 * grapheme boundary, so moving and deleting never split an emoji or strip an accent). Keys follow
 * readline: arrows, Home/End and ctrl+a/e move; Backspace, ctrl+u/k/w delete; pasted text arrives
 * whole. Newlines and control characters in pasted text become spaces: concepts are single sentences.
 */
import { stripControl } from "../../util/sanitize.js";
import type { KeyPress } from "../key-press.js";
import { graphemes } from "../text-layout.js";

export interface LineEditor {
  readonly text: string;
  readonly cursor: number;
}

export function editorOf(text: string, cursor = text.length): LineEditor {
  return { text, cursor: Math.max(0, Math.min(text.length, cursor)) };
}

/** Grapheme boundaries of `text`, as UTF-16 offsets (0 and text.length included). */
function boundaries(text: string): number[] {
  const out = [0];
  let at = 0;
  for (const g of graphemes(text)) {
    at += g.length;
    out.push(at);
  }
  return out;
}

function previousBoundary(text: string, cursor: number): number {
  const b = boundaries(text);
  let prev = 0;
  for (const x of b) {
    if (x >= cursor) break;
    prev = x;
  }
  return prev;
}

function nextBoundary(text: string, cursor: number): number {
  for (const x of boundaries(text)) if (x > cursor) return x;
  return text.length;
}

function wordStartBefore(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && /\s/.test(text[i - 1])) i--;
  while (i > 0 && !/\s/.test(text[i - 1])) i--;
  return i;
}

function wordEndAfter(text: string, cursor: number): number {
  let i = cursor;
  while (i < text.length && /\s/.test(text[i])) i++;
  while (i < text.length && !/\s/.test(text[i])) i++;
  return i;
}

export function insertText(editor: LineEditor, raw: string): LineEditor {
  const clean = stripControl(raw).replace(/[\t\r\n]+/g, " ");
  if (clean.length === 0) return editor;
  const text = editor.text.slice(0, editor.cursor) + clean + editor.text.slice(editor.cursor);
  return { text, cursor: editor.cursor + clean.length };
}

/**
 * Applies a key to the field. Returns the new editor, or null when the key is not a field key (the
 * caller handles Enter, Esc, Tab, arrows up/down).
 */
export function editLine(editor: LineEditor, key: KeyPress): LineEditor | null {
  const { text, cursor } = editor;
  switch (key.name) {
    case "left":
    case "ctrl+b":
      return { text, cursor: previousBoundary(text, cursor) };
    case "right":
    case "ctrl+f":
      return { text, cursor: nextBoundary(text, cursor) };
    case "home":
    case "ctrl+a":
      return { text, cursor: 0 };
    case "end":
    case "ctrl+e":
      return { text, cursor: text.length };
    case "alt+left":
    case "ctrl+left":
    case "alt+b":
      return { text, cursor: wordStartBefore(text, cursor) };
    case "alt+right":
    case "ctrl+right":
    case "alt+f":
      return { text, cursor: wordEndAfter(text, cursor) };
    case "backspace":
    case "ctrl+h": {
      if (cursor === 0) return editor;
      const from = previousBoundary(text, cursor);
      return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
    }
    case "ctrl+d": {
      if (cursor >= text.length) return editor;
      return { text: text.slice(0, cursor) + text.slice(nextBoundary(text, cursor)), cursor };
    }
    case "ctrl+u":
      return { text: text.slice(cursor), cursor: 0 };
    case "ctrl+k":
      return { text: text.slice(0, cursor), cursor };
    case "ctrl+w":
    case "alt+backspace": {
      const from = wordStartBefore(text, cursor);
      return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
    }
    case "space":
      return insertText(editor, " ");
    default:
      if (key.text.length > 0 && !key.name.startsWith("ctrl+") && !key.name.startsWith("alt+")) {
        return insertText(editor, key.text);
      }
      return null;
  }
}
