/**
 * Writing a new file that must not replace an existing one (batch outputs, TUI exports, recovered
 * sessions): the data goes to a temporary file beside the target, is flushed, and is then hard-linked
 * to the target's name. link() fails when the name exists, even for a file another process created a
 * moment ago, so "does it exist?" and the write are one step, and a reader never sees half a file.
 *
 * On a file system without hard links the name is first claimed with an exclusive create (which also
 * never replaces a file) and the finished temporary file is then renamed over that empty claim: still
 * never over somebody else's file, and still never half a file (at worst, after a crash, an empty one).
 *
 * With `force` the temporary file is simply renamed over the target (writeFileAtomic in
 * util/atomic-write.ts is the same, keeping an existing file's permissions).
 */
import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OutputExistsError } from "./errors.js";

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EXDEV"]);

export type ExclusiveWriteOutcome = "written" | "exists";

/**
 * Writes `data` to `path` (making its folder), unless a file of that name exists: then nothing is
 * written and the answer is "exists". With `force`, an existing file is replaced.
 */
export async function writeFileExclusive(
  path: string,
  data: string | Uint8Array,
  options: { force?: boolean } = {},
): Promise<ExclusiveWriteOutcome> {
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
      return "written";
    }
    return await linkInPlace(temp, path);
  } finally {
    // Gone already after a rename; the extra name after a link.
    await unlink(temp).catch(() => {});
  }
}

/** The same, for callers that treat an existing file as an error: an OutputExistsError naming it. */
export async function writeNewFile(
  path: string,
  data: string | Uint8Array,
  options: { force?: boolean } = {},
): Promise<void> {
  if ((await writeFileExclusive(path, data, options)) === "exists") {
    throw new OutputExistsError(`${path} exists (use --force to overwrite)`, path);
  }
}

async function linkInPlace(temp: string, path: string): Promise<ExclusiveWriteOutcome> {
  try {
    await link(temp, path);
    return "written";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return "exists";
    if (!NO_HARD_LINKS.has(code ?? "")) throw error;
  }
  try {
    await (await open(path, "wx", 0o644)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return "exists";
    throw error;
  }
  await rename(temp, path);
  return "written";
}
