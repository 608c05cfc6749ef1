/**
 * Document text may contain terminal control sequences (ESC [ ... m, OSC titles, raw C0/C1 bytes).
 * Anything that reaches a terminal goes through `stripControl` first so a document can never move the
 * cursor, change the title or hide text. Tabs and newlines are kept; the caller decides layout.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL|ST), other two-byte ESC sequences, and 8-bit CSI/OSC.
const ESCAPE_SEQUENCE =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[PX^_][^\u001b]*(?:\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]|\u009d[^\u0007\u009c]*[\u0007\u009c]?/g;
// C0 except \t \n, DEL, C1.
const CONTROL_CHAR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function stripControl(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(CONTROL_CHAR, "");
}

/** Single-line form for status lines and JSON-free text output: also folds newlines and tabs. */
export function toDisplayLine(text: string): string {
  return stripControl(text).replace(/\s+/g, " ").trim();
}
