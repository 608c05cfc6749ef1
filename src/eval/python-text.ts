/**
 * The reference metric packages (sacrebleu, rouge-score) are Python; matching them to 1e-6 means matching
 * Python's string semantics where they differ from JavaScript's:
 * - `str.split()` / `str.rstrip()` use `str.isspace()`, which includes U+001C..U+001F and U+0085 but not
 *   U+FEFF; JavaScript's `\s` is the other way round.
 * - `len()` and slicing count code points; JavaScript strings count UTF-16 units.
 * Lowercasing needs no helper: `String.prototype.toLowerCase` agrees with Python 3.11's `str.lower()` on
 * every code point except 55 added in Unicode 16 (checked exhaustively), none of which is in our data.
 */

/** Exactly the code points for which Python's `str.isspace()` is true. */
const PY_SPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE_CLASS}]+`, "u");
const PY_TRAILING_SPACE = new RegExp(`[${PY_SPACE_CLASS}]+$`, "u");

/** Python's `text.split()` (no argument): split on whitespace runs, drop empty strings. */
export function pySplit(text: string): string[] {
  return text.split(PY_SPACE_RUN).filter((part) => part.length > 0);
}

/** Python's `text.rstrip()` (no argument). */
export function pyRstrip(text: string): string {
  return text.replace(PY_TRAILING_SPACE, "");
}

/** The code points of a string, as Python indexes them. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Counts occurrences of keys; a Map is used as Python's `collections.Counter`. */
export function countInto(counter: Map<string, number>, key: string, by = 1): void {
  counter.set(key, (counter.get(key) ?? 0) + by);
}
