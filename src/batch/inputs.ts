/**
 * Batch inputs: what the user listed (files, directories, glob patterns, `-` for stdin) turned into
 * the documents to summarize, in a stable order. A directory is walked recursively for the documents
 * lcm reads (Markdown, text, PDF, Word, EPUB, HTML: DOCUMENT_EXTENSIONS), skipping hidden entries; a pattern that matches nothing is a
 * usage error (a typo should not look like an empty batch); a file that does not exist stays in the
 * list so it is reported as that document's failure, the way `cat a b c` goes on past a missing `b`.
 * Each input remembers the root it was found under, so outputs can mirror the tree.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { extname, join, relative, resolve } from "node:path";
import { UsageError } from "../util/errors.js";
import { expandGlob, hasGlobMagic, kindOf, parseGlob } from "./glob.js";

export const DOCUMENT_EXTENSIONS = [".md", ".markdown", ".txt", ".pdf", ".docx", ".epub", ".html", ".htm"];

export interface BatchInput {
  /** The path as the user will recognise it, or "-" for stdin. */
  path: string;
  /** Where it was found: its path relative to the directory or pattern base it came from. */
  relativePath: string;
  /** Size in bytes when known (for the ETA); 0 for stdin and missing files. */
  bytes: number;
}

export interface ExpandOptions {
  /** Leave out files under this directory (the batch's --out, when it sits inside an input folder). */
  exclude?: string;
}

export async function expandInputs(
  args: readonly string[],
  options: ExpandOptions = {},
): Promise<BatchInput[]> {
  if (args.length === 0) throw new UsageError("no inputs: give files, directories, glob patterns or -");
  const exclude = options.exclude ? resolve(options.exclude) : null;
  const excluded = (path: string) => exclude !== null && isInside(resolve(path), exclude);
  const inputs: BatchInput[] = [];
  const seen = new Set<string>();
  const add = (input: BatchInput) => {
    const key = input.path === "-" ? "-" : resolve(input.path);
    if (seen.has(key)) return;
    seen.add(key);
    inputs.push(input);
  };
  for (const arg of args) {
    if (arg === "-") {
      add({ path: "-", relativePath: "stdin", bytes: 0 });
      continue;
    }
    const info = await stat(arg).catch(() => null);
    if (info?.isDirectory()) {
      const files = await documentsIn(arg);
      if (files.length === 0) {
        throw new UsageError(`${arg}: no documents (${DOCUMENT_EXTENSIONS.join(", ")}) in this directory`);
      }
      for (const file of files)
        if (!excluded(file.path)) add({ ...file, relativePath: relative(arg, file.path) });
      continue;
    }
    if (info?.isFile()) {
      add({ path: arg, relativePath: baseName(arg), bytes: info.size });
      continue;
    }
    if (!info && hasGlobMagic(arg)) {
      const matches = (await expandGlob(arg)).filter((path) => !excluded(path));
      if (matches.length === 0) throw new UsageError(`no files match '${arg}'`);
      const { base } = parseGlob(arg);
      for (const path of matches) {
        const size = (await stat(path).catch(() => null))?.size ?? 0;
        add({ path, relativePath: relative(base, path), bytes: size });
      }
      continue;
    }
    // Missing (or not a regular file): kept, and reported as this document's failure.
    add({ path: arg, relativePath: baseName(arg), bytes: 0 });
  }
  return inputs;
}

/** Markdown and text files under `dir`, recursively, sorted by path; hidden entries are skipped. */
async function documentsIn(dir: string): Promise<{ path: string; bytes: number }[]> {
  const out: { path: string; bytes: number }[] = [];
  const visit = async (folder: string) => {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      throw new UsageError(
        `${folder}: cannot read directory (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const path = join(folder, e.name);
      if (e.isDirectory()) await visit(path);
      else if (
        DOCUMENT_EXTENSIONS.includes(extname(e.name).toLowerCase()) &&
        (await kindOf(path, e)) === "file"
      ) {
        out.push({ path, bytes: (await stat(path)).size });
      }
    }
  };
  await visit(dir);
  return out;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}
