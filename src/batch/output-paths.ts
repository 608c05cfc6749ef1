/**
 * Where each document's summary goes under `--out DIR`: the input's path relative to the folder or
 * pattern it was found under, with `.summary.<ext>` for its extension (`docs/a/b.md` given as `docs`
 * -> `DIR/a/b.summary.md`), so a tree of documents becomes the same tree of summaries and a summary
 * can never be mistaken for (or overwrite) a source. Two inputs that would share an output are a
 * usage error before any work starts.
 */
import { extname, isAbsolute, join, normalize } from "node:path";
import { UsageError } from "../util/errors.js";
import type { BatchInput } from "./inputs.js";

export type OutputFormat = "text" | "md" | "json" | "jsonl";

export const OUTPUT_EXTENSIONS: Readonly<Record<OutputFormat, string>> = {
  text: ".txt",
  md: ".md",
  json: ".json",
  jsonl: ".json",
};

export function outputPathFor(input: BatchInput, outDir: string, format: OutputFormat): string {
  let rel = normalize(input.relativePath);
  if (isAbsolute(rel) || rel.startsWith("..")) rel = rel.split(/[\\/]/).pop() ?? rel;
  const ext = extname(rel);
  const stem = ext ? rel.slice(0, -ext.length) : rel;
  return join(outDir, `${stem}.summary${OUTPUT_EXTENSIONS[format]}`);
}

export function planOutputs(inputs: readonly BatchInput[], outDir: string, format: OutputFormat): string[] {
  const owners = new Map<string, string>();
  return inputs.map((input) => {
    const path = outputPathFor(input, outDir, format);
    const owner = owners.get(path);
    if (owner !== undefined) {
      throw new UsageError(
        `${owner} and ${input.path} would both be summarized to ${path}; give them as separate runs or from their folder`,
      );
    }
    owners.set(path, input.path);
    return path;
  });
}
