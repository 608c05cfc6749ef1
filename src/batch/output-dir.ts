/**
 * `--out DIR` checked before any model loads: an existing file, a read-only mount or a folder that
 * cannot be made (under /proc, say) is one clear line and exit 2 at once, not a failure per document
 * after minutes of loading, or a hang.
 */
import { randomBytes } from "node:crypto";
import { mkdir, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../util/errors.js";

export async function prepareOutputDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new UsageError(`--out ${dir} is a file, not a folder`);
  if (!info) await makeFolders(dir);
  // Writing is the only honest test of writability (access() says yes on some read-only mounts).
  const probe = join(dir, `.lcm-write-check-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(probe, "", { flag: "wx" });
  } catch (error) {
    throw new UsageError(
      `--out ${dir}: cannot write there (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  await unlink(probe).catch(() => {});
}

/**
 * mkdir -p, one level at a time: Node's own recursive mkdir never returns for a path under /proc
 * (it retries the parent forever), which is the hang this module exists to prevent.
 */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!(await stat(at).catch(() => null))) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return; // made meanwhile by another shard
      throw new UsageError(`--out ${dir}: cannot make the folder (${error.code ?? error.message})`);
    });
  }
}
