/**
 * What each method reads from its params (docs/protocol.md), checked with one -32602 line per bad
 * field. The generation, decoder, grounding and length fields come from the request fields table
 * (src/requests/fields.ts), so the server accepts exactly what the CLI and the library accept; an
 * outline text is told from a document by the request layer (requests/outline-or-document.ts).
 */
import { fileURLToPath } from "node:url";
import type { DecodeOptions } from "../codec/decoder.js";
import { readInput } from "../inputs/read-input.js";
import type { SourceMap } from "../inputs/source-locations.js";
import type { GenerationOptions } from "../lcm/settings.js";
import type { BuildOutlineOptions } from "../planner/build-outline.js";
import { detectFormat } from "../planner/document-format.js";
import type { DocumentFormat, Outline } from "../planner/outline.js";
import { outlineFromJson } from "../planner/outline-json.js";
import { FIELDS, SAMPLER_FIELDS } from "../requests/fields.js";
import { FLORES_CODE_MUST_BE, isFloresCode } from "../requests/language-code.js";
import { readOutlineOrDocument } from "../requests/outline-or-document.js";
import type { ExpandOptions } from "../tasks/expand-outline.js";
import type { SummarizeOptions } from "../tasks/summarize.js";
import { loadTemplate, type Template } from "../tasks/templates.js";
import { invalidParams, type Params } from "./params.js";

/** Concepts one `render` call may send. */
export const MAX_RENDER_CONCEPTS = 4096;
const FORMATS: readonly DocumentFormat[] = ["markdown", "plain"];

export interface DocumentParams {
  text: string;
  uri: string | null;
  format: DocumentFormat;
  /** Read from params.path as a PDF, Word, EPUB or HTML file: where each block is in it. */
  locations?: SourceMap;
}

/**
 * The document: params.text (an editor's buffer), or params.path, a file the server reads itself like
 * the CLI does (any format lcm reads: PDF, Word, EPUB and HTML too, whose concepts then carry their
 * page, chapter or element). Format: params.format, else the URI's (or path's) extension, else sniffed.
 *
 * Every check of the params runs before this returns, and a text document comes back at once (not as a
 * promise): summarize reserves its result id right after, before anything waits, so a `render` piped
 * behind it finds the id (result-store.ts). Only reading a file is asynchronous.
 */
export function documentParams(p: Params, maxTextChars: number): DocumentParams | Promise<DocumentParams> {
  if (p.has("path") === p.has("text")) {
    throw invalidParams("give either params.text (the document) or params.path (a file to read)");
  }
  const forced = p.optionalEnum("format", FORMATS);
  if (p.has("path")) {
    const path = p.text("path", 4096);
    return readDocumentFile(path, p.optionalString("uri") ?? path, forced, maxTextChars);
  }
  const text = p.text("text", maxTextChars);
  const uri = p.optionalString("uri") ?? null;
  return { text, uri, format: detectFormat(pathOfUri(uri), text, forced) };
}

async function readDocumentFile(
  path: string,
  uri: string,
  forced: DocumentFormat | undefined,
  maxTextChars: number,
): Promise<DocumentParams> {
  const input = await readInput(path);
  if (input.text.length > maxTextChars) {
    throw invalidParams(
      `${path} has ${input.text.length} characters of text, over the limit of ${maxTextChars}`,
    );
  }
  const format = detectFormat(pathOfUri(uri), input.text, forced ?? input.format);
  return { text: input.text, uri, format, ...(input.locations && { locations: input.locations }) };
}

/** The file name part of a URI (`file:///x/notes.md`, or a bare path) for format detection. */
function pathOfUri(uri: string | null): string | null {
  if (uri === null) return null;
  try {
    return uri.includes("://") ? fileURLToPath(new URL(uri)) : uri;
  } catch {
    try {
      return new URL(uri).pathname;
    } catch {
      return null;
    }
  }
}

/** outline's segmentation settings: the language hint (a FLORES code) and the longest concept. */
export function outlineParams(p: Params): Pick<BuildOutlineOptions, "lang" | "maxChars"> {
  const lang = p.optionalString("lang");
  if (lang !== undefined && !isFloresCode(lang)) {
    throw invalidParams(`params.lang must be ${FLORES_CODE_MUST_BE}, got ${JSON.stringify(lang)}`);
  }
  return { lang, maxChars: p.optionalField(FIELDS.maxChars) };
}

/** expand's input: an outline object (outline JSON), or text (a saved outline file, or any document). */
export function outlineParam(p: Params, maxTextChars: number, uri: string | null): Outline {
  if (p.has("outline") === p.has("text")) {
    throw invalidParams(
      "give either params.outline (outline JSON) or params.text (an outline or a document)",
    );
  }
  if (p.has("outline")) {
    const value = p.raw("outline");
    if (typeof value !== "object" || Array.isArray(value))
      throw invalidParams("params.outline must be an object");
    return outlineFromJson(value);
  }
  const text = p.text("text", maxTextChars);
  const read = readOutlineOrDocument(
    { text, path: pathOfUri(uri) },
    // Outline JSON comes as params.outline, never as text.
    { json: false, format: p.optionalEnum("format", FORMATS) },
  );
  return read.outline;
}

/** The params summarize and expand share: sampler settings, languages, grounding, decoding, template. */
export async function taskParams(p: Params, env: NodeJS.ProcessEnv | undefined): Promise<ExpandOptions> {
  return {
    ...generationParams(p),
    lang: p.optionalString("lang"),
    sourceLang: p.optionalString("sourceLang"),
    grounded: p.optionalField(FIELDS.grounded),
    groundingThreshold: p.optionalField(FIELDS.groundingThreshold),
    decode: decodeParams(p),
    template: await templateParam(p, env),
  };
}

/** summarize's params: the shared ones, then the summary's length. */
export async function summarizeParams(
  p: Params,
  env: NodeJS.ProcessEnv | undefined,
): Promise<SummarizeOptions> {
  return {
    ...(await taskParams(p, env)),
    maxConcepts: p.optionalField(FIELDS.maxConcepts),
    minConcepts: p.optionalField(FIELDS.minConcepts),
    length: p.optionalField(FIELDS.length),
    salience: p.optionalField(FIELDS.salience),
    salienceLength: p.optionalField(FIELDS.salienceLength),
    reencode: p.optionalField(FIELDS.reencode),
  };
}

function generationParams(p: Params): GenerationOptions {
  const options: Record<string, unknown> = {};
  for (const field of SAMPLER_FIELDS) options[field.key] = p.optionalField(field);
  return options as GenerationOptions;
}

/** params.decode: {beam, maxTokens}. */
export function decodeParams(p: Params): DecodeOptions | undefined {
  const d = p.optionalObject("decode");
  if (!d) return undefined;
  return { beam: d.optionalField(FIELDS.beam), maxNewTokens: d.optionalField(FIELDS.maxTokens) };
}

/** Template names only: the server does not read files a request names. */
async function templateParam(p: Params, env: NodeJS.ProcessEnv | undefined): Promise<Template | undefined> {
  const name = p.optionalString("template");
  if (name === undefined) return undefined;
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || name.toLowerCase().endsWith(".md")) {
    throw invalidParams(
      `params.template must be a template name (see initialize), got ${JSON.stringify(name.slice(0, 40))}`,
    );
  }
  return loadTemplate(name, env);
}

/** render's params.concepts: vectors as arrays of numbers, or objects with a `vector` (encode's output). */
export function conceptVectors(value: unknown, dim: number): Float32Array[] {
  if (!Array.isArray(value) || value.length === 0)
    throw invalidParams("params.concepts must be a non-empty array");
  if (value.length > MAX_RENDER_CONCEPTS) {
    throw invalidParams(
      `params.concepts has ${value.length} concepts, over the limit of ${MAX_RENDER_CONCEPTS}`,
    );
  }
  return value.map((item, i) => {
    const vector = Array.isArray(item) ? item : (item as { vector?: unknown } | null)?.vector;
    if (
      !Array.isArray(vector) ||
      vector.length !== dim ||
      !vector.every((x) => typeof x === "number" && Number.isFinite(x))
    ) {
      throw invalidParams(
        `params.concepts[${i}] must be ${dim} finite numbers (or {"vector": [...]}) for this codec`,
      );
    }
    return Float32Array.from(vector as number[]);
  });
}
