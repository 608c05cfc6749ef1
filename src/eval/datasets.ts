/**
 * Reading evaluation data: summarization JSONL (`{"id", "document", "summaries": [...], "lang"?}`, the
 * format of shared/data/summarization), prediction JSONL (`{"id", "summary"}`), and multiway parallel
 * folders (`<lang>.txt`, one sentence per line, line i aligned across files). Files may be gzip-compressed
 * (detected by content, not name). Bad input is a UsageError naming the file and line.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeDocument } from "../inputs/read-input.js";
import { UsageError } from "../util/errors.js";

export interface SummarizationRecord {
  id: string;
  document: string;
  summaries: string[];
  /** FLORES-200 code when the file gives one. */
  lang?: string;
}

async function readMaybeGzip(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`${path}: is a directory, expected a file`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? error})`,
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new UsageError(`${path}: corrupt gzip data`);
    }
  }
  return decodeDocument(bytes, path);
}

function* jsonLines(text: string, name: string): Generator<[Record<string, unknown>, number]> {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UsageError(`${name}:${i + 1}: not valid JSON`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(`${name}:${i + 1}: expected a JSON object`);
    }
    yield [value as Record<string, unknown>, i + 1];
  }
}

function idOf(record: Record<string, unknown>, where: string): string {
  const id = record.id;
  if (typeof id === "string" && id.length > 0) return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw new UsageError(`${where}: "id" must be a non-empty string`);
}

export function parseSummarizationJsonl(text: string, name: string): SummarizationRecord[] {
  const records: SummarizationRecord[] = [];
  const seen = new Set<string>();
  for (const [record, line] of jsonLines(text, name)) {
    const where = `${name}:${line}`;
    const id = idOf(record, where);
    if (seen.has(id)) throw new UsageError(`${where}: duplicate id '${id}'`);
    seen.add(id);
    if (typeof record.document !== "string" || record.document.trim().length === 0) {
      throw new UsageError(`${where}: "document" must be a non-empty string`);
    }
    const summaries = record.summaries;
    if (
      !Array.isArray(summaries) ||
      summaries.length === 0 ||
      !summaries.every((s) => typeof s === "string")
    ) {
      throw new UsageError(`${where}: "summaries" must be a non-empty array of strings`);
    }
    const lang = typeof record.lang === "string" && record.lang.length > 0 ? record.lang : undefined;
    records.push({ id, document: record.document, summaries: summaries as string[], lang });
  }
  if (records.length === 0) throw new UsageError(`${name}: no records`);
  return records;
}

/** Predictions keyed by id; a repeated id is an error (which one would be scored?). */
export function parsePredictionsJsonl(text: string, name: string): Map<string, string> {
  const predictions = new Map<string, string>();
  for (const [record, line] of jsonLines(text, name)) {
    const where = `${name}:${line}`;
    const id = idOf(record, where);
    if (typeof record.summary !== "string") throw new UsageError(`${where}: "summary" must be a string`);
    if (predictions.has(id)) throw new UsageError(`${where}: duplicate id '${id}'`);
    predictions.set(id, record.summary);
  }
  return predictions;
}

export async function readSummarizationData(path: string): Promise<SummarizationRecord[]> {
  return parseSummarizationJsonl(await readMaybeGzip(path), path);
}

export async function readPredictions(path: string): Promise<Map<string, string>> {
  return parsePredictionsJsonl(await readMaybeGzip(path), path);
}

/**
 * Aligned sentences per language from `<dir>/<lang>.txt` or `<dir>/<lang>.txt.gz`; all files must have
 * the same number of lines. `limit` keeps the first N lines.
 */
export async function readMultiway(dir: string, langs: readonly string[], limit?: number) {
  const sentences: Record<string, string[]> = {};
  let count: number | undefined;
  for (const lang of langs) {
    const plain = join(dir, `${lang}.txt`);
    const gz = `${plain}.gz`;
    const exists = (path: string) =>
      stat(path).then(
        () => true,
        () => false,
      );
    const path = (await exists(plain)) ? plain : (await exists(gz)) ? gz : null;
    if (path === null) throw new UsageError(`${dir}: no ${lang}.txt or ${lang}.txt.gz`);
    const lines = (await readMaybeGzip(path)).split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    if (count !== undefined && lines.length !== count) {
      throw new UsageError(
        `${path}: ${lines.length} lines, but ${langs[0]} has ${count}; files must be aligned`,
      );
    }
    count = lines.length;
    sentences[lang] = limit === undefined ? lines : lines.slice(0, limit);
  }
  return sentences;
}
