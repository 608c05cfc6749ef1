/**
 * Writing one batch output: atomically (a temporary file, flushed, then put in place) and, unless
 * `force`, never over an existing file. Without force the temporary file is hard-linked to the
 * target, which fails if the target exists (even one created a moment ago by another process), so
 * the check and the write are one step; with force it is renamed over the target.
 */
import { randomBytes } from "node:crypto";
import { link, lstat, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../util/errors.js";

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

export class OutputExistsError extends UsageError {}

export async function writeNewFile(
  path: string,
  data: string,
  options: { force?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.force) {
      await rename(temp, path);
      return;
    }
    try {
      await link(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") throw existsError(path);
      if (!NO_HARD_LINKS.has(code ?? "")) throw error;
      // A file system without hard links: check, then rename (a narrow race instead of none).
      if (
        await lstat(path).then(
          () => true,
          () => false,
        )
      )
        throw existsError(path);
      await rename(temp, path);
      return;
    }
    await unlink(temp);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

export function existsError(path: string): OutputExistsError {
  return new OutputExistsError(`${path} exists (use --force to overwrite)`);
}
