/**
 * Exports never overwrite without asking. A new file goes through writeFileExclusive
 * (util/exclusive-write.ts: written to a temporary name and hard-linked into place, so there is no
 * window between "does it exist?" and the write where another program's file could be clobbered).
 * Overwriting (after the user said yes) is the usual atomic temp + rename. File-system refusals become
 * one line for the status bar.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { UsageError } from "../util/errors.js";
import { writeFileExclusive } from "../util/exclusive-write.js";

export type ExportOutcome = "written" | "exists";

export async function exportFile(path: string, text: string, overwrite: boolean): Promise<ExportOutcome> {
  try {
    await mkdir(dirname(path), { recursive: true });
    if (overwrite) {
      await writeFileAtomic(path, text);
      return "written";
    }
    return await writeFileExclusive(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw new UsageError(`${path}: permission denied`);
    if (code === "ENOTDIR" || code === "EISDIR") throw new UsageError(`${path}: not a file path`);
    throw error;
  }
}
