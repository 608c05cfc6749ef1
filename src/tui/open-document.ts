/**
 * The TUI's document: read (any format src/inputs reads) and outlined, or a saved outline file taken as
 * it is (src/requests/outline-or-document.ts decides which, as for every command).
 */
import { resolve } from "node:path";
import { readInput } from "../inputs/read-input.js";
import type { DocumentFormat, Outline } from "../planner/outline.js";
import { readOutlineOrDocument } from "../requests/outline-or-document.js";
import type { DocumentInfo } from "./state/types.js";

export interface OpenedDocument {
  doc: DocumentInfo;
  outline: Outline;
}

/** Reads and outlines the document (or reads a saved outline file). */
export async function openDocument(
  file: string,
  options: {
    format?: DocumentFormat;
    lang?: string;
    maxChars?: number;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<OpenedDocument> {
  const input = await readInput(file);
  const path = resolve(file);
  const { outline, fromOutlineFile, format } = readOutlineOrDocument(
    { text: input.text, path: file, name: file, format: input.format },
    {
      format: options.format,
      lang: options.lang,
      maxChars: options.maxChars,
      onProgress: options.onProgress,
    },
  );
  if (fromOutlineFile) return { doc: { name: file, path, text: "", format, fromOutlineFile }, outline };
  const locations = input.locations ? { locations: input.locations } : {};
  return {
    doc: { name: file, path, text: input.text, format, fromOutlineFile, ...locations },
    outline,
  };
}
