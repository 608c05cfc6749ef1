/**
 * "Is this a saved outline or a document?", decided once for every shell (`lcm outline`, `lcm expand`,
 * the TUI, the server's expand): a `.json` file is outline JSON; text in the outline file's Markdown
 * shape (headings and "- " sentences with lcm's markers, planner/outline-markdown.ts
 * isOutlineMarkdown) is a saved outline; anything else is a document, outlined here with the rule
 * segmenter. A saved outline is taken as it is, never outlined again.
 */
import { extname } from "node:path";
import { buildOutline } from "../planner/build-outline.js";
import { detectFormat } from "../planner/document-format.js";
import type { DocumentFormat, Outline } from "../planner/outline.js";
import { outlineFromJson } from "../planner/outline-json.js";
import { isOutlineMarkdown, outlineFromMarkdown } from "../planner/outline-markdown.js";
import { ruleSegmenter } from "../segment/rules.js";
import { UsageError } from "../util/errors.js";

export interface OutlineSourceText {
  text: string;
  /** Where the text came from: its extension says `.json` and the document's format; null for stdin. */
  path: string | null;
  /** What messages call it ("notes.json: expected a JSON outline"); undefined: they name nothing. */
  name?: string;
  /** The format the reader found (converted documents, PDF or Word, are Markdown). */
  format?: DocumentFormat;
}

export interface OutlineReadOptions {
  /** Read it as a document even when it is a saved outline (`lcm outline --markdown/--plain`). */
  asDocument?: boolean;
  /** The document's format, when the user gave it (default: by extension, else sniffed). */
  format?: DocumentFormat;
  /** Take a `.json` path as outline JSON (default true; the server gets outline JSON as an object). */
  json?: boolean;
  /** Said after "expected a JSON outline" (the outline command: how to read it as text instead). */
  jsonHint?: string;
  /** The document's language, a hint for the segmenter. */
  lang?: string;
  /** The longest concept in characters. */
  maxChars?: number;
  /** Outlining progress (done, total blocks), for big documents. */
  onProgress?: (done: number, total: number) => void;
}

export interface OutlineOrDocument {
  outline: Outline;
  /** True when the text was a saved outline (JSON or the outline Markdown). */
  fromOutlineFile: boolean;
  /** The document's format: detected (or given) for a document, the outline's source format for a saved one. */
  format: DocumentFormat;
}

export function readOutlineOrDocument(
  source: OutlineSourceText,
  options: OutlineReadOptions = {},
): OutlineOrDocument {
  const saved = options.asDocument ? null : readSavedOutline(source, options);
  if (saved) return { outline: saved, fromOutlineFile: true, format: saved.source?.format ?? "markdown" };
  const format = detectFormat(source.path, source.text, options.format ?? source.format);
  const outline = buildOutline(source.text, {
    segmenter: ruleSegmenter,
    format,
    lang: options.lang,
    maxChars: options.maxChars,
    onProgress: options.onProgress,
  });
  return { outline, fromOutlineFile: false, format };
}

/** The saved outline the text is, or null for a document; a broken one is a UsageError naming the file. */
function readSavedOutline(source: OutlineSourceText, options: OutlineReadOptions): Outline | null {
  const isJson =
    options.json !== false && source.path !== null && extname(source.path).toLowerCase() === ".json";
  if (!isJson && !isOutlineMarkdown(source.text)) return null;
  const named = (message: string) => (source.name === undefined ? message : `${source.name}: ${message}`);
  if (isJson && !source.text.trimStart().startsWith("{")) {
    throw new UsageError(named(`expected a JSON outline${options.jsonHint ?? ""}`));
  }
  try {
    return isJson ? outlineFromJson(source.text) : outlineFromMarkdown(source.text);
  } catch (error) {
    if (error instanceof UsageError && source.name !== undefined) throw new UsageError(named(error.message));
    throw error;
  }
}
