/**
 * The server's log: stdout carries the protocol only, so every line goes to stderr or, with
 * `--log FILE`, to a file (appended). Debug lines appear only with --debug.
 */
import { appendFileSync } from "node:fs";
import { toDisplayLine } from "../util/sanitize.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface LoggerOptions {
  /** Append to this file instead of writing to stderr. */
  file?: string;
  debug?: boolean;
  /** Nothing but warnings. */
  quiet?: boolean;
  /** Where lines go without a file (tests pass a collector). */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write =
    options.write ??
    (options.file
      ? (line: string) => appendFileSync(options.file!, line)
      : (line: string) => {
          process.stderr.write(line);
        });
  const emit = (level: string, message: string) => {
    const stamp = new Date().toISOString();
    try {
      write(`${stamp} lcm serve ${level}: ${toDisplayLine(message)}\n`);
    } catch {
      // A log that cannot be written must not take the server down.
    }
  };
  return {
    info: (message) => {
      if (!options.quiet) emit("info", message);
    },
    warn: (message) => emit("warn", message),
    debug: (message) => {
      if (options.debug) emit("debug", message);
    },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };
