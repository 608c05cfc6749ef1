/**
 * Glob patterns for batch inputs, for when the shell did not expand them (quoted patterns, Windows
 * shells, scripts): `*` and `?` within a path segment, `**` for any depth, `[abc]`/`[!a-z]` classes
 * and `{md,txt}` alternatives. As in shells, wildcards do not match names starting with a dot unless
 * the pattern segment does. Node 20 has no fs.glob, hence this small one.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, sep } from "node:path";

const MAGIC = /[*?[{]/;

export function hasGlobMagic(pattern: string): boolean {
  return MAGIC.test(pattern);
}

/** One path segment's pattern -> a RegExp over a single name. */
function segmentRegExp(segment: string): RegExp {
  let out = "";
  let i = 0;
  let braces = 0;
  while (i < segment.length) {
    const c = segment[i];
    if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close < 0) out += "\\[";
      else {
        let body = segment.slice(i + 1, close);
        const negate = body.startsWith("!") || body.startsWith("^");
        if (negate) body = body.slice(1);
        out += `[${negate ? "^" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
        i = close;
      }
    } else if (c === "{") {
      braces++;
      out += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      out += ")";
    } else if (c === "," && braces > 0) out += "|";
    else if (c === "\\" && i + 1 < segment.length) {
      i++;
      out += segment[i].replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    i++;
  }
  while (braces-- > 0) out += ")";
  return new RegExp(`^${out}$`);
}

interface Matcher {
  /** "**" matches any number of directories. */
  globstar: boolean;
  regexp: RegExp;
  /** The segment names dot files explicitly. */
  dot: boolean;
}

/** Splits a pattern into its literal base directory and the segment matchers after it. */
export function parseGlob(pattern: string): { base: string; matchers: Matcher[] } {
  const normalized = sep === "\\" ? pattern.replace(/\\/g, "/") : pattern;
  const segments = normalized.split("/");
  const literal: string[] = [];
  let k = 0;
  while (k < segments.length - 1 && !hasGlobMagic(segments[k])) literal.push(segments[k++]);
  const base = literal.length === 0 ? "." : literal.join("/") || "/";
  const matchers = segments
    .slice(k)
    .filter((s, i, all) => s !== "" || i === all.length - 1)
    .map((s) => ({ globstar: s === "**", regexp: segmentRegExp(s), dot: s.startsWith(".") }));
  return { base, matchers };
}

/** Files matching `pattern`, sorted; directories are never returned. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const { base, matchers } = parseGlob(pattern);
  const found = new Set<string>();
  await walk(base, matchers, found);
  return [...found].sort();
}

async function walk(dir: string, matchers: readonly Matcher[], found: Set<string>): Promise<void> {
  if (matchers.length === 0) return;
  const [first, ...rest] = matchers;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // unreadable or vanished: nothing matches there
  }
  const at = (name: string) => (dir === "." ? name : join(dir, name));
  if (first.globstar) {
    // "**" matches zero directories (try the rest here) or one more (descend, keeping "**"); a
    // trailing "**" matches every file below.
    await walk(dir, rest, found);
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      // Linked directories are not entered under "**": a link loop would never end.
      if (e.isDirectory()) await walk(at(e.name), matchers, found);
      else if (rest.length === 0 && (await kindOf(at(e.name), e)) === "file") found.add(at(e.name));
    }
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith(".") && !first.dot) continue;
    if (!first.regexp.test(e.name)) continue;
    const kind = await kindOf(at(e.name), e);
    if (rest.length === 0) {
      if (kind === "file") found.add(at(e.name));
    } else if (kind === "dir") await walk(at(e.name), rest, found);
  }
}

/** File, directory or neither, following symbolic links. */
export async function kindOf(path: string, entry: Dirent): Promise<"file" | "dir" | null> {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "dir";
  if (!entry.isSymbolicLink()) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? "file" : info.isDirectory() ? "dir" : null;
  } catch {
    return null; // a dangling link
  }
}
