/**
 * On-disk cache of concepts, so re-opening a document does not encode it again.
 *
 * Layout: `<root>/embeddings/<codec id>/<lang>/*.pack`, root = $XDG_CACHE_HOME/lcm (default
 * ~/.cache/lcm). The codec id changes whenever the encoder file changes, so stale vectors are never
 * served. Each pack is an immutable binary file holding the entries one encode call added:
 *
 *   "LCMEMB01" | u32 dim | u32 count | count x 16-byte key | count x u8 flags (padded to 4) |
 *   count x dim float32 (little-endian)
 *
 * key = the first 16 bytes of sha256(text); flag bit 0 = the text was truncated when encoded. Packs are
 * written to a temporary name and renamed, so concurrent writers never see or make half a pack; two
 * processes adding the same text just store it twice. When a language folder holds more than
 * MAX_PACKS packs they are merged into one (written the same way, then the merged ones removed), so
 * 100k sentences stay a handful of files: ~2 KB per 512-d sentence, and a lookup reads only the keys
 * plus the rows it needs. Floats are stored in the host's byte order, little-endian on every platform
 * Node supports here.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { type Environment, lcmDir, processEnv } from "../util/env.js";

const MAGIC = "LCMEMB01";
const HEADER_BYTES = 16;
const KEY_BYTES = 16;
export const MAX_PACKS = 16;

export interface CachedConcept {
  vector: Float32Array;
  truncated: boolean;
}

export function defaultCacheRoot(env: Environment = processEnv()): string {
  return lcmDir("cache", env);
}

export function textKey(text: string): string {
  return createHash("sha256").update(text, "utf8").digest().subarray(0, KEY_BYTES).toString("hex");
}

interface PackIndex {
  file: string;
  dim: number;
  count: number;
  keys: string[];
  flags: Uint8Array;
  vectorsOffset: number;
}

export class EmbeddingCache {
  constructor(readonly root: string = defaultCacheRoot()) {}

  private dirFor(codecId: string, lang: string): string {
    return join(this.root, "embeddings", safeName(codecId), safeName(lang));
  }

  /** Looks up every text; returns a map from input index to its cached concept (misses absent). */
  async lookup(
    codecId: string,
    lang: string,
    texts: readonly string[],
    dim: number,
  ): Promise<Map<number, CachedConcept>> {
    const found = new Map<number, CachedConcept>();
    if (texts.length === 0) return found;
    const dir = this.dirFor(codecId, lang);
    const wanted = new Map<string, number[]>();
    texts.forEach((text, i) => {
      const key = textKey(text);
      const list = wanted.get(key);
      if (list) list.push(i);
      else wanted.set(key, [i]);
    });
    for (const file of await listPacks(dir)) {
      if (wanted.size === 0) break;
      try {
        await readFromPack(join(dir, file), dim, wanted, found);
      } catch {
        // A pack removed by a concurrent merge (its entries live on in the merged pack, which the
        // listing may have missed) or a damaged file: treat as misses; the caller re-encodes.
      }
    }
    return found;
  }

  /** Stores concepts (deduplicated by text) as one new pack, then merges packs if there are many. */
  async store(
    codecId: string,
    lang: string,
    entries: readonly { text: string; vector: Float32Array; truncated: boolean }[],
    dim: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const dir = this.dirFor(codecId, lang);
    await mkdir(dir, { recursive: true });
    const unique = new Map<string, { vector: Float32Array; truncated: boolean }>();
    for (const e of entries) unique.set(textKey(e.text), e);
    await writePack(
      dir,
      dim,
      [...unique].map(([key, e]) => ({ key, ...e })),
    );
    const packs = await listPacks(dir);
    if (packs.length > MAX_PACKS) await mergePacks(dir, dim, packs);
  }
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

async function listPacks(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(".pack")).sort();
  } catch {
    return [];
  }
}

async function readIndex(path: string): Promise<PackIndex> {
  const handle = await open(path, "r");
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    if (header.toString("latin1", 0, 8) !== MAGIC) throw new Error(`${path}: not an embedding pack`);
    const dim = header.readUInt32LE(8);
    const count = header.readUInt32LE(12);
    const keyBytes = Buffer.alloc(count * KEY_BYTES);
    await handle.read(keyBytes, 0, keyBytes.length, HEADER_BYTES);
    const flags = Buffer.alloc(count);
    await handle.read(flags, 0, count, HEADER_BYTES + keyBytes.length);
    const keys: string[] = [];
    for (let i = 0; i < count; i++) keys.push(keyBytes.toString("hex", i * KEY_BYTES, (i + 1) * KEY_BYTES));
    return {
      file: path,
      dim,
      count,
      keys,
      flags,
      vectorsOffset: HEADER_BYTES + keyBytes.length + pad4(count),
    };
  } finally {
    await handle.close();
  }
}

async function readFromPack(
  path: string,
  dim: number,
  wanted: Map<string, number[]>,
  found: Map<number, CachedConcept>,
): Promise<void> {
  const index = await readIndex(path);
  if (index.dim !== dim) return;
  const hits: { row: number; targets: number[] }[] = [];
  index.keys.forEach((key, row) => {
    const targets = wanted.get(key);
    if (targets) {
      hits.push({ row, targets });
      wanted.delete(key);
    }
  });
  if (hits.length === 0) return;
  const handle = await open(path, "r");
  try {
    const rowBytes = dim * 4;
    // Many hits: one read of the whole vector block; a few: one read per row.
    if (hits.length * 4 > index.count) {
      const block = new Float32Array(index.count * dim);
      const { bytesRead } = await handle.read(
        new Uint8Array(block.buffer),
        0,
        block.byteLength,
        index.vectorsOffset,
      );
      if (bytesRead !== block.byteLength) throw new Error(`${path}: truncated`);
      for (const { row, targets } of hits) {
        const vector = block.slice(row * dim, (row + 1) * dim);
        for (const t of targets) found.set(t, { vector, truncated: (index.flags[row] & 1) === 1 });
      }
      return;
    }
    for (const { row, targets } of hits) {
      const vector = new Float32Array(dim);
      const { bytesRead } = await handle.read(
        new Uint8Array(vector.buffer),
        0,
        rowBytes,
        index.vectorsOffset + row * rowBytes,
      );
      if (bytesRead !== rowBytes) throw new Error(`${path}: truncated`);
      for (const t of targets) found.set(t, { vector, truncated: (index.flags[row] & 1) === 1 });
    }
  } finally {
    await handle.close();
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

async function writePack(
  dir: string,
  dim: number,
  entries: readonly { key: string; vector: Float32Array; truncated: boolean }[],
): Promise<string> {
  const count = entries.length;
  const vectorsOffset = HEADER_BYTES + count * KEY_BYTES + pad4(count);
  // A fresh ArrayBuffer, so the float view below is 4-byte aligned (vectorsOffset is).
  const bytes = Buffer.from(new ArrayBuffer(vectorsOffset + count * dim * 4));
  bytes.write(MAGIC, 0, "latin1");
  bytes.writeUInt32LE(dim, 8);
  bytes.writeUInt32LE(count, 12);
  const floats = new Float32Array(bytes.buffer, vectorsOffset, count * dim);
  entries.forEach((e, i) => {
    bytes.write(e.key, HEADER_BYTES + i * KEY_BYTES, "hex");
    bytes[HEADER_BYTES + count * KEY_BYTES + i] = e.truncated ? 1 : 0;
    floats.set(e.vector, i * dim);
  });
  // Names sort by time, so lookups try recent packs last and merges keep the order stable.
  const name = `${Date.now().toString(36).padStart(9, "0")}-${process.pid}-${randomBytes(4).toString("hex")}.pack`;
  const temp = join(dir, `.${name}.tmp`);
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
  await rename(temp, join(dir, name));
  return name;
}

async function mergePacks(dir: string, dim: number, packs: readonly string[]): Promise<void> {
  const merged = new Map<string, { vector: Float32Array; truncated: boolean }>();
  const consumed: string[] = [];
  for (const file of packs) {
    try {
      const index = await readIndex(join(dir, file));
      if (index.dim === dim) {
        const wanted = new Map(index.keys.map((k, row) => [k, [row]]));
        const found = new Map<number, CachedConcept>();
        await readFromPack(join(dir, file), dim, wanted, found);
        index.keys.forEach((key, row) => {
          const entry = found.get(row);
          if (entry && !merged.has(key)) merged.set(key, entry);
        });
      }
      consumed.push(file);
    } catch {
      // Gone (another process merged it) or damaged: leave it to whoever owns it.
    }
  }
  await writePack(
    dir,
    dim,
    [...merged].map(([key, e]) => ({ key, ...e })),
  );
  for (const file of consumed) await unlink(join(dir, file)).catch(() => {});
}
