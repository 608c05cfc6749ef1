/**
 * Outline <-> JSON. The same shape is what `lcm outline --format json` prints and what a saved `.json`
 * outline holds:
 *
 * {"stats": {...},                      (output only; ignored when read back)
 *  "version": 1,
 *  "source": {"format": "markdown", "chars": 1234} | null,
 *  "max_chars": 256,
 *  "next_ids": {"concept": 57, "section": 9},
 *  "sections": [{"id", "title", "level", "span": [s, e] | null, "target_length"?,
 *                "concepts": [{"id", "text", "span": [s, e] | null, "pinned", "rewritten"?, "location"?}],
 *                "opaque": [{"id", "kind", "at", "span", "text", "pinned", "location"?}],
 *                "sections": [...]}]}
 *
 * `concepts` holds only sentences, so a consumer that encodes concepts can take it as it is. Opaque
 * blocks (code, tables, HTML, front matter, rules, link definitions) sit in `opaque`, each with `at`:
 * the number of the section's sentences that come before it.
 *
 * `location` (output only, for PDF, Word, EPUB and HTML documents): where the concept is in the file
 * the user has, e.g. {"page": 12} or {"chapter": 3, "chapter_title", "file", "path": "section > p[4]"}
 * (inputs/source-locations.ts).
 *
 * Output is streamed in chunks (outlineJsonChunks) so a 50 MB document never needs one giant string.
 */
import { locate, locationJson, type SourceMap } from "../inputs/source-locations.js";
import { UsageError } from "../util/errors.js";
import {
  type Concept,
  type DocumentFormat,
  OPAQUE_KINDS,
  type OpaqueKind,
  type Outline,
  type Section,
  type Span,
  validateOutline,
} from "./outline.js";
import type { OutlineStats } from "./outline-stats.js";

const CHUNK_CONCEPTS = 512;

export function outlineToJson(outline: Outline, stats?: OutlineStats, locations?: SourceMap): string {
  return [...outlineJsonChunks(outline, stats, locations)].join("");
}

/**
 * JSON.stringify leaves DEL, C1 controls (U+0080..U+009F, e.g. the 8-bit CSI U+009B) and the line
 * separators U+2028/U+2029 as raw characters; escaping them keeps the same JSON value but makes the
 * output safe to show on a terminal and to embed in JavaScript.
 */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029]/g;

function terminalSafe(json: string): string {
  UNSAFE_IN_JSON.lastIndex = 0;
  if (!UNSAFE_IN_JSON.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function* outlineJsonChunks(
  outline: Outline,
  stats?: OutlineStats,
  locations?: SourceMap,
): Generator<string> {
  for (const chunk of rawJsonChunks(outline, stats, locations)) yield terminalSafe(chunk);
}

/** `,"location":{...}` for a concept or heading with a place in a located document, else "". */
type LocationField = (span: Span | null) => string;

function* rawJsonChunks(outline: Outline, stats?: OutlineStats, locations?: SourceMap): Generator<string> {
  const field: LocationField = (span) => {
    const location = locate(locations, span);
    return location ? `,"location":${JSON.stringify(locationJson(location))}` : "";
  };
  let head = "{";
  if (stats) head += `"stats":${JSON.stringify(stats)},`;
  head += `"version":1,"source":${JSON.stringify(outline.source)},"max_chars":${outline.maxChars},`;
  head += `"next_ids":{"concept":${outline.nextConceptId},"section":${outline.nextSectionId}},"sections":[`;
  yield head;
  yield* sectionListChunks(outline.sections, field);
  yield "]}\n";
}

function* sectionListChunks(sections: readonly Section[], field: LocationField): Generator<string> {
  for (let i = 0; i < sections.length; i++) {
    if (i > 0) yield ",";
    yield* sectionChunks(sections[i], field);
  }
}

function* sectionChunks(section: Section, field: LocationField): Generator<string> {
  let head = `{"id":${JSON.stringify(section.id)},"title":${JSON.stringify(section.title)},"level":${section.level}`;
  head += `,"span":${JSON.stringify(section.span)}${field(section.span)}`;
  if (section.targetLength !== undefined) head += `,"target_length":${section.targetLength}`;
  yield `${head},"concepts":[`;
  const opaque: string[] = [];
  let batch: string[] = [];
  let sentences = 0;
  for (const concept of section.concepts) {
    if (concept.kind === "opaque") {
      const json = JSON.stringify(opaqueJson(concept, sentences));
      opaque.push(`${json.slice(0, -1)}${field(concept.span)}}`);
      continue;
    }
    batch.push(sentenceJson(concept, field));
    sentences++;
    if (batch.length === CHUNK_CONCEPTS) {
      yield (sentences > CHUNK_CONCEPTS ? "," : "") + batch.join(",");
      batch = [];
    }
  }
  if (batch.length > 0) yield (sentences > batch.length ? "," : "") + batch.join(",");
  yield `],"opaque":[${opaque.join(",")}],"sections":[`;
  yield* sectionListChunks(section.sections, field);
  yield "]}";
}

/** JSON of a sentence concept, written directly: this runs once per sentence of a 50 MB document. */
function sentenceJson(concept: Concept, field: LocationField): string {
  const span = concept.span ? `[${concept.span[0]},${concept.span[1]}]` : "null";
  const rewritten = concept.rewritten ? `,"rewritten":true` : "";
  return `{"id":"${concept.id}","text":${JSON.stringify(concept.text)},"span":${span},"pinned":${concept.pinned}${rewritten}${field(concept.span)}}`;
}

function opaqueJson(concept: Concept, at: number) {
  return {
    id: concept.id,
    kind: concept.block,
    at,
    span: concept.span,
    text: concept.text,
    pinned: concept.pinned,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reading

export function outlineFromJson(json: string | unknown): Outline {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new UsageError(`outline JSON: not valid JSON (${(error as Error).message})`);
    }
  }
  const root = object(value, "outline");
  if (root.version !== 1)
    throw new UsageError(`outline JSON: unsupported version ${JSON.stringify(root.version)}`);
  const source = root.source === null || root.source === undefined ? null : readSource(root.source);
  const nextIds = object(root.next_ids, "next_ids");
  const outline: Outline = {
    version: 1,
    source,
    maxChars: integer(root.max_chars, "max_chars", 1),
    sections: array(root.sections, "sections").map((s, i) => readSection(s, `sections[${i}]`)),
    nextConceptId: integer(nextIds.concept, "next_ids.concept", 1),
    nextSectionId: integer(nextIds.section, "next_ids.section", 1),
  };
  validateOutline(outline);
  return outline;
}

function readSource(value: unknown): { format: DocumentFormat; chars: number } {
  const source = object(value, "source");
  if (source.format !== "markdown" && source.format !== "plain") {
    throw new UsageError(`outline JSON: source.format must be "markdown" or "plain"`);
  }
  return { format: source.format, chars: integer(source.chars, "source.chars", 0) };
}

function readSection(value: unknown, where: string): Section {
  const s = object(value, where);
  const sentences = array(s.concepts, `${where}.concepts`).map((c, i) =>
    readSentence(c, `${where}.concepts[${i}]`),
  );
  const opaque = array(s.opaque ?? [], `${where}.opaque`).map((o, i) =>
    readOpaque(o, `${where}.opaque[${i}]`),
  );
  // Put opaque blocks back among the sentences: `at` counts the sentences before each.
  const concepts: Concept[] = [];
  let next = 0;
  for (const { concept, at } of opaque) {
    if (at < next || at > sentences.length)
      throw new UsageError(`outline JSON: ${where}.opaque 'at' ${at} is out of order`);
    // Plain loops: spreading 100,000s of sentences into push() overflows the stack.
    for (let k = next; k < at; k++) concepts.push(sentences[k]);
    concepts.push(concept);
    next = at;
  }
  for (let k = next; k < sentences.length; k++) concepts.push(sentences[k]);
  const section: Section = {
    id: string(s.id, `${where}.id`),
    title: string(s.title, `${where}.title`),
    level: integer(s.level, `${where}.level`, 0),
    span: span(s.span, `${where}.span`),
    concepts,
    sections: array(s.sections ?? [], `${where}.sections`).map((c, i) =>
      readSection(c, `${where}.sections[${i}]`),
    ),
  };
  return s.target_length === undefined || s.target_length === null
    ? section
    : { ...section, targetLength: integer(s.target_length, `${where}.target_length`, 1) };
}

function readSentence(value: unknown, where: string): Concept {
  const c = object(value, where);
  const concept: Concept = {
    id: string(c.id, `${where}.id`),
    kind: "sentence",
    text: string(c.text, `${where}.text`),
    span: span(c.span, `${where}.span`),
    pinned: c.pinned === undefined ? false : boolean(c.pinned, `${where}.pinned`),
  };
  return c.rewritten === true ? { ...concept, rewritten: true } : concept;
}

function readOpaque(value: unknown, where: string): { concept: Concept; at: number } {
  const o = object(value, where);
  const kind = string(o.kind, `${where}.kind`);
  if (!OPAQUE_KINDS.includes(kind as OpaqueKind))
    throw new UsageError(`outline JSON: ${where}.kind '${kind}' is unknown`);
  return {
    at: integer(o.at, `${where}.at`, 0),
    concept: {
      id: string(o.id, `${where}.id`),
      kind: "opaque",
      text: string(o.text, `${where}.text`),
      span: span(o.span, `${where}.span`),
      pinned: o.pinned === undefined ? false : boolean(o.pinned, `${where}.pinned`),
      block: kind as OpaqueKind,
    },
  };
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`outline JSON: ${where} must be an object`);
  }
  return value as Record<string, unknown>;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UsageError(`outline JSON: ${where} must be an array`);
  return value;
}

function string(value: unknown, where: string): string {
  if (typeof value !== "string") throw new UsageError(`outline JSON: ${where} must be a string`);
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== "boolean") throw new UsageError(`outline JSON: ${where} must be true or false`);
  return value;
}

function integer(value: unknown, where: string, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new UsageError(`outline JSON: ${where} must be an integer >= ${min}`);
  }
  return value;
}

function span(value: unknown, where: string): Span | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length !== 2)
    throw new UsageError(`outline JSON: ${where} must be [start, end]`);
  return [integer(value[0], `${where}[0]`, 0), integer(value[1], `${where}[1]`, 0)];
}
