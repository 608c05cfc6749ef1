/**
 * Saving and loading outline files: `.json` holds the JSON form, anything else the Markdown form.
 * Saves are atomic (temp file + rename), so an interrupted save never leaves a broken outline.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { UsageError } from "../util/errors.js";
import type { Outline } from "./outline.js";
import { outlineFromJson, outlineJsonChunks } from "./outline-json.js";
import { outlineFromMarkdown, outlineMarkdownChunks } from "./outline-markdown.js";

function isJsonPath(path: string): boolean {
  return extname(path).toLowerCase() === ".json";
}

export async function saveOutline(path: string, outline: Outline): Promise<void> {
  await writeFileAtomic(path, isJsonPath(path) ? outlineJsonChunks(outline) : outlineMarkdownChunks(outline));
}

export async function loadOutline(path: string): Promise<Outline> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? "error"})`,
    );
  }
  try {
    return isJsonPath(path) ? outlineFromJson(text) : outlineFromMarkdown(text);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}
