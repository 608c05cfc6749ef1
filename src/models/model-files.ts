/**
 * The files a model directory's manifest lists, checked against what the manifest records of them
 * ("checksums": {file: {sha256, bytes}}, written by the exporters in training/). Loading compares
 * sizes only (a few stat calls: a copy cut short or a file replaced by another is caught before any
 * graph is built); `lcm models verify` hashes every byte, so a weight corrupted in place is caught too.
 * Manifests written before checksums were recorded have none: nothing to compare, and verify says so.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { ManifestError, type ModelManifest } from "./manifest.js";

export interface FileChecksum {
  sha256: string;
  bytes: number;
}

/** The manifest's recorded checksums, or null when it has none. */
export function recordedChecksums(manifest: ModelManifest): Map<string, FileChecksum> | null {
  const raw = manifest.raw.checksums;
  if (raw === undefined) return null;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ManifestError(`${manifest.path}: "checksums" must be an object of {sha256, bytes} per file`);
  }
  const out = new Map<string, FileChecksum>();
  for (const [file, value] of Object.entries(raw as Record<string, unknown>)) {
    const v = value as Partial<FileChecksum> | null;
    if (
      !v ||
      typeof v.sha256 !== "string" ||
      !/^[0-9a-f]{64}$/.test(v.sha256) ||
      !Number.isInteger(v.bytes)
    ) {
      throw new ManifestError(
        `${manifest.path}: checksums.${file} must be {"sha256": 64 hex digits, "bytes": N}`,
      );
    }
    if (file.includes("..") || file.startsWith("/")) {
      throw new ManifestError(`${manifest.path}: checksums names a file outside the model folder: ${file}`);
    }
    out.set(file, { sha256: v.sha256, bytes: v.bytes as number });
  }
  return out;
}

/** Cheap, at load: every recorded file exists with its recorded size. */
export async function checkFileSizes(manifest: ModelManifest): Promise<void> {
  const sums = recordedChecksums(manifest);
  if (!sums) return;
  for (const [file, sum] of sums) {
    const path = join(manifest.dir, file);
    const info = await stat(path).catch(() => null);
    if (!info) continue; // the loader that needs it says it is missing, in its own words
    if (info.size !== sum.bytes) {
      throw new ManifestError(
        `${path}: ${info.size} bytes, but the manifest records ${sum.bytes}: the file was changed or cut short (copy the model again)`,
      );
    }
  }
}

/**
 * Every recorded file hashed and compared: the problems found (empty when all match), or null when
 * the manifest records no checksums.
 */
export async function verifyChecksums(manifest: ModelManifest): Promise<string[] | null> {
  const sums = recordedChecksums(manifest);
  if (!sums) return null;
  const problems: string[] = [];
  for (const [file, sum] of sums) {
    const path = join(manifest.dir, file);
    const info = await stat(path).catch(() => null);
    if (!info) {
      problems.push(`${path}: missing`);
      continue;
    }
    if (info.size !== sum.bytes) {
      problems.push(`${path}: ${info.size} bytes, the manifest records ${sum.bytes}`);
      continue;
    }
    const digest = await sha256File(path);
    if (digest !== sum.sha256)
      problems.push(`${path}: its sha256 differs from the manifest's (corrupted or replaced)`);
  }
  return problems;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
