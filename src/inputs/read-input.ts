/**
 * Reading user documents: a path or "-" for stdin. Validation happens here once, so every command
 * rejects the same bad inputs with the same clear messages (exit 2 via UsageError). PDF, Word, EPUB
 * and HTML are recognised by their bytes and read as Markdown text (src/inputs/), UTF-16 as text.
 */
import { readFile, stat } from "node:fs/promises";
import { UsageError } from "../util/errors.js";
import { convertDocument } from "./convert.js";
import type { DocumentKind } from "./sniff.js";
import type { SourceMap } from "./source-locations.js";

/** Documents above this size are refused: far beyond any real document, and protects memory. */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

export interface InputDocument {
  /** Display name: the path, or "<stdin>". */
  name: string;
  /**
   * Decoded text (UTF-8, BOM removed, CRLF kept as-is so spans stay exact); for a PDF, Word, EPUB or
   * HTML file, its text as Markdown (spans then index this text, not the file's bytes).
   */
  text: string;
  /** What the file was, when it was not plain text. */
  kind?: DocumentKind;
  /** The format the text is in when the reader knows it (converted documents: Markdown). */
  format?: "markdown";
  /** Converted documents: where each block of `text` is in the file (source-locations.ts). */
  locations?: SourceMap;
}

export async function readInput(pathOrDash: string): Promise<InputDocument> {
  if (pathOrDash === "-") {
    return documentFrom(await readStdin(), "<stdin>");
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(pathOrDash);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`${pathOrDash}: no such file`);
    if (code === "EACCES") throw new UsageError(`${pathOrDash}: permission denied`);
    throw new UsageError(`${pathOrDash}: cannot read (${code ?? "unknown error"})`);
  }
  if (info.isDirectory()) throw new UsageError(`${pathOrDash}: is a directory, expected a file`);
  if (info.size > MAX_INPUT_BYTES) {
    throw new UsageError(
      `${pathOrDash}: ${(info.size / 1048576).toFixed(0)} MB is over the ${MAX_INPUT_BYTES / 1048576} MB limit`,
    );
  }
  return documentFrom(await readFile(pathOrDash), pathOrDash);
}

async function documentFrom(bytes: Buffer, name: string): Promise<InputDocument> {
  if (bytes.length === 0) throw new UsageError(`${name}: file is empty`);
  const converted = await convertDocument(bytes, name);
  if (!converted) return { name, text: decodeDocument(bytes, name) };
  if (converted.text.trim().length === 0) throw new UsageError(`${name}: contains only whitespace`);
  const { text, kind, format, locations } = converted;
  return {
    name,
    text,
    kind,
    ...(format ? { format } : {}),
    ...(locations && locations.length > 0 ? { locations } : {}),
  };
}

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) throw new UsageError("no input: give a FILE, or pipe text into '-'");
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > MAX_INPUT_BYTES)
      throw new UsageError(`<stdin>: over the ${MAX_INPUT_BYTES / 1048576} MB limit`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Decode bytes as a text document, refusing what is not one: empty, binary (NUL bytes or mostly
 * control characters), or invalid UTF-8 (with the byte offset, so the user can find it).
 */
export function decodeDocument(bytes: Uint8Array, name: string): string {
  if (bytes.length === 0) throw new UsageError(`${name}: file is empty`);
  const head = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (head.includes(0)) throw new UsageError(`${name}: looks like a binary file (contains NUL bytes)`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    throw new UsageError(`${name}: not valid UTF-8 (first bad byte at offset ${offset})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) throw new UsageError(`${name}: contains only whitespace`);
  if (controlRatio(text.slice(0, 8192)) > 0.1) throw new UsageError(`${name}: looks like a binary file`);
  return text;
}

function controlRatio(sample: string): number {
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 0x7f) control++;
  }
  return control / Math.max(1, sample.length);
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need = 0;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    if (i + need >= bytes.length) return i; // truncated multi-byte sequence
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return i;
}
