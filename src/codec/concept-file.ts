/**
 * Concept files: what `lcm encode` writes and `lcm decode` reads.
 *
 * JSON: `{"codec": {...}, "lang", "dim", "truncated": [...], "concepts": [{"index", "text", "span":
 * [start, end), "vector": [floats]}]}`. Vectors are plain float arrays, printed with 9 significant
 * digits: enough for every float32 to read back bit-identical, without double-precision noise.
 * Readers also accept a bare array of vectors or of `{vector}` objects.
 *
 * NPY: NumPy's format version 1.0, little-endian float32, C order, shape [N, D] (vectors only).
 */
import { UsageError } from "../util/errors.js";

export interface ConceptRecord {
  index: number;
  text?: string;
  span?: readonly [number, number] | null;
  vector: Float32Array;
}

export interface ConceptFileHeader {
  codec: { name: string; version: string; id: string };
  lang: string;
  dim: number;
  truncated: number[];
  source?: string;
}

/** Float32 -> shortest decimal with 9 significant digits (round-trips exactly through Math.fround). */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as JSON`);
  return String(Number(value.toPrecision(9)));
}

/** The JSON document in chunks, one concept per line, so 100k concepts never build one giant string. */
export function* conceptJsonChunks(
  header: ConceptFileHeader,
  concepts: readonly ConceptRecord[],
): Generator<string> {
  const head = JSON.stringify(header);
  yield `${head.slice(0, -1)},"concepts":[\n`;
  for (let i = 0; i < concepts.length; i++) {
    const c = concepts[i];
    const meta = JSON.stringify({ index: c.index, text: c.text, span: c.span ?? null });
    const floats = Array.from(c.vector, formatFloat32).join(",");
    yield `${meta.slice(0, -1)},"vector":[${floats}]}${i + 1 < concepts.length ? "," : ""}\n`;
  }
  yield "]}\n";
}

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(bytes: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => bytes[i] === b);
}

/** [N x D] float32 rows -> .npy bytes (format 1.0, header padded to 64 bytes as NumPy does). */
export function encodeNpy(rows: readonly Float32Array[], dim: number): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dim}), }`;
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerBytes = Buffer.from(header, "latin1");
  const dataStart = 10 + headerBytes.length; // a multiple of 64, so the float view is aligned
  const out = Buffer.from(new ArrayBuffer(dataStart + rows.length * dim * 4));
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerBytes.length, 8);
  out.set(headerBytes, 10);
  // Host order is little-endian on every platform Node runs on here ('<f4').
  const floats = new Float32Array(out.buffer, dataStart, rows.length * dim);
  rows.forEach((row, i) => {
    floats.set(row.subarray(0, dim), i * dim);
  });
  return out;
}

/** .npy bytes -> rows. Accepts float32 or float64, either byte order, C order, 2-D (or 1-D = one row). */
export function decodeNpy(bytes: Uint8Array, name: string): Float32Array[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isNpy(bytes) || bytes.length < 10) throw new UsageError(`${name}: not a .npy file`);
  const major = buffer[6];
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buffer.toString("latin1", headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([<>|=]?)(f4|f8)'/.exec(header);
  if (!descr)
    throw new UsageError(`${name}: .npy data must be float32 or float64, header says ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header))
    throw new UsageError(`${name}: Fortran-order .npy is not supported`);
  const shapeMatch = /'shape':\s*\(([^)]*)\)/.exec(header);
  const shape = (shapeMatch?.[1] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number);
  if (shape.length === 0 || shape.length > 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(`${name}: .npy shape must be [N, D], found (${shapeMatch?.[1] ?? "?"})`);
  }
  const [n, dim] = shape.length === 1 ? [1, shape[0]] : shape;
  const width = descr[2] === "f8" ? 8 : 4;
  const bigEndian = descr[1] === ">";
  const dataStart = headerStart + headerLength;
  if (buffer.length < dataStart + n * dim * width) {
    throw new UsageError(`${name}: .npy data is truncated (${n} x ${dim} values declared)`);
  }
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      const at = dataStart + (i * dim + d) * width;
      if (width === 4) row[d] = bigEndian ? buffer.readFloatBE(at) : buffer.readFloatLE(at);
      else row[d] = bigEndian ? buffer.readDoubleBE(at) : buffer.readDoubleLE(at);
    }
    rows.push(row);
  }
  return rows;
}

/** Concept JSON (as written above, or a bare array) -> records, with clear messages for bad input. */
export function parseConceptJson(text: string, name: string): { lang?: string; concepts: ConceptRecord[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${name}: not valid JSON (${(error as Error).message})`);
  }
  let items: unknown;
  let lang: string | undefined;
  if (Array.isArray(json)) items = json;
  else if (
    typeof json === "object" &&
    json !== null &&
    Array.isArray((json as { concepts?: unknown }).concepts)
  ) {
    items = (json as { concepts: unknown[] }).concepts;
    const l = (json as { lang?: unknown }).lang;
    if (typeof l === "string") lang = l;
  } else {
    throw new UsageError(
      `${name}: expected {"concepts": [...]} as written by 'lcm encode', or an array of vectors`,
    );
  }
  const concepts = (items as unknown[]).map((item, i) => {
    const raw = Array.isArray(item) ? item : (item as { vector?: unknown } | null)?.vector;
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new UsageError(`${name}: concept ${i + 1} has no "vector" array`);
    }
    const vector = new Float32Array(raw.length);
    raw.forEach((v, d) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new UsageError(`${name}: concept ${i + 1}, value ${d + 1} is not a finite number`);
      }
      vector[d] = v;
    });
    const record: ConceptRecord = { index: i, vector };
    if (!Array.isArray(item) && typeof item === "object" && item !== null) {
      const obj = item as { text?: unknown; span?: unknown; index?: unknown };
      if (typeof obj.text === "string") record.text = obj.text;
      if (Array.isArray(obj.span) && obj.span.length === 2)
        record.span = [Number(obj.span[0]), Number(obj.span[1])];
      if (typeof obj.index === "number") record.index = obj.index;
    }
    return record;
  });
  const dims = new Set(concepts.map((c) => c.vector.length));
  if (dims.size > 1)
    throw new UsageError(`${name}: concept vectors have different lengths (${[...dims].join(", ")})`);
  return { lang, concepts };
}
