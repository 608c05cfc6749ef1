/**
 * Reading entries of a ZIP archive (DOCX and EPUB are ZIPs), with a cap on what is inflated so a
 * crafted archive cannot fill memory, and errors that say what is wrong with the file.
 */
import { unzipSync } from "fflate";
import { UsageError } from "../util/errors.js";

const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export function readZip(bytes: Uint8Array, name: string, what: string): Map<string, Uint8Array> {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_INFLATED_BYTES) throw new UsageError(`${name}: ${what} unpacks to over 512 MB`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${name}: a corrupt or unsupported ${what} archive (${(error as Error).message})`);
  }
  return new Map(Object.entries(entries));
}

export function zipText(entries: Map<string, Uint8Array>, path: string): string | null {
  const bytes = entries.get(path);
  return bytes ? new TextDecoder("utf-8").decode(bytes) : null;
}
