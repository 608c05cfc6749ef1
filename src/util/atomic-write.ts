/**
 * Atomic file writes: the data goes to a temporary file in the same directory (same file system, so
 * rename is atomic), is flushed to disk, and then renamed over the target. A crash or Ctrl-C leaves
 * either the old file or the new one, never half of one. An existing file's permissions are kept.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

async function existingMode(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Writes `data` (a string, bytes, or string chunks for large outputs) to `path` atomically. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | Iterable<string>,
  options: { mode?: number } = {},
): Promise<void> {
  const temp = tempPathFor(path);
  const mode = options.mode ?? (await existingMode(path)) ?? 0o644;
  const handle = await open(temp, "wx", mode);
  try {
    try {
      if (typeof data === "string" || data instanceof Uint8Array) {
        await handle.writeFile(data);
      } else {
        for (const chunk of data) await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** The same, synchronously: for exit and signal handlers (the TUI's last save on Ctrl-C). */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): void {
  const temp = tempPathFor(path);
  let mode = options.mode;
  if (mode === undefined) {
    try {
      mode = statSync(path).mode & 0o7777;
    } catch {
      mode = 0o644;
    }
  }
  const fd = openSync(temp, "wx", mode);
  try {
    try {
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
}
