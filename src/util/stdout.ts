/**
 * Writing large output to stdout with back-pressure: when the pipe is full (`lcm outline big.txt |
 * slow-reader`), wait for it to drain instead of piling the rest up in memory. Used by the shells
 * (library code never prints); the stream is a parameter so tests can pass their own.
 *
 * A closed pipe (`| head`) is the shell's business: the CLI's stdout error handler (src/cli.ts) ends
 * the process quietly on EPIPE.
 */
import { once } from "node:events";

/** Writes `data`; resolves at once, or when the stream has drained if its buffer was full. */
export async function writeStdout(
  data: string | Uint8Array,
  stream: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  if (!stream.write(data)) await once(stream, "drain");
}

/**
 * Writes `chunks` in pieces of about 64 KiB (many small writes cost more than a few large ones),
 * waiting for the stream to drain whenever it is full.
 */
export async function writeStdoutChunks(
  chunks: Iterable<string>,
  stream: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  let pending = "";
  for (const chunk of chunks) {
    pending += chunk;
    if (pending.length < 65_536) continue;
    await writeStdout(pending, stream);
    pending = "";
  }
  if (pending) stream.write(pending);
}
