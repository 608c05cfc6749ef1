/**
 * YAML (`---` ... `---` or `...`) and TOML (`+++` ... `+++`) front matter at the very start of a
 * Markdown document. marked does not know front matter (it would read YAML as a rule and a setext
 * heading), so it is cut off before lexing and kept as an opaque block.
 */

/** Length of the front matter block (including its closing line and line end), or 0 if there is none. */
export function frontMatterLength(lfText: string): number {
  const open = /^(---|\+\+\+)[ \t]*\n/.exec(lfText);
  if (!open) return 0;
  const fence = open[1];
  const closing = fence === "---" ? /^(?:---|\.\.\.)[ \t]*$/gm : /^\+\+\+[ \t]*$/gm;
  closing.lastIndex = open[0].length;
  const close = closing.exec(lfText);
  if (!close) return 0;
  let end = close.index + close[0].length;
  if (lfText.charCodeAt(end) === 10) end++;
  // A closing line right after the opening one is an empty block: still front matter.
  return end;
}
