/**
 * Exports never overwrite without asking. A new file is written to a temporary name and hard-linked to
 * its place: link() fails when the name exists, so there is no window between "does it exist?" and
 * the write where another program's file could be clobbered. Overwriting (after the user said yes) is
 * the usual atomic temp + rename.
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { UsageError } from "../util/errors.js";

export type ExportOutcome = "written" | "exists";

export async function exportFile(path: string, text: string, overwrite: boolean): Promise<ExportOutcome> {
  try {
    await mkdir(dirname(path), { recursive: true });
    if (overwrite) {
      await writeFileAtomic(path, text);
      return "written";
    }
    const temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    const handle = await open(temp, "wx", 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") return "exists";
      if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
      // A file system without hard links: an exclusive create still never overwrites.
      try {
        await writeFile(path, text, { flag: "wx" });
      } catch (inner) {
        if ((inner as NodeJS.ErrnoException).code === "EEXIST") return "exists";
        throw inner;
      }
    } finally {
      await unlink(temp).catch(() => {});
    }
    return "written";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM") throw new UsageError(`${path}: permission denied`);
    if (code === "ENOTDIR" || code === "EISDIR") throw new UsageError(`${path}: not a file path`);
    throw error;
  }
}
