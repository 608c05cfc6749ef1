/**
 * `lcm serve --stdio`: the JSON-RPC 2.0 server for editors (docs/protocol.md) on stdin/stdout.
 * Loaded lazily by src/cli/serve.ts so other commands never pay for it.
 */
import type { Readable, Writable } from "node:stream";
import { Connection } from "./connection.js";
import { createLogger, type Logger, type LoggerOptions } from "./logger.js";
import { createMethods } from "./methods.js";
import { type HostOptions, ModelHost } from "./model-host.js";
import { DEFAULT_STORED_RESULTS, ResultStore } from "./result-store.js";

/** Messages over this size are refused (and skipped without being buffered). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface ServeOptions extends HostOptions {
  input?: Readable;
  output?: Writable;
  log?: Logger | LoggerOptions;
  maxMessageBytes?: number;
  storedResults?: number;
  progressIntervalMs?: number;
}

/** Serves one client until it exits or goes away; resolves with the exit code. */
export async function serve(options: ServeOptions = {}): Promise<number> {
  const log = isLogger(options.log) ? options.log : createLogger(options.log);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const host = new ModelHost(options);
  const store = new ResultStore(options.storedResults ?? DEFAULT_STORED_RESULTS);
  const connection = new Connection({
    input: options.input ?? process.stdin,
    output: options.output ?? process.stdout,
    methods: createMethods({ host, store, maxMessageBytes, env: options.env }),
    maxMessageBytes,
    log,
    progressIntervalMs: options.progressIntervalMs,
  });
  log.info(`serving JSON-RPC on stdio (pid ${process.pid})`);
  const code = await connection.run();
  log.info(`stopped (exit code ${code})`);
  return code;
}

function isLogger(value: ServeOptions["log"]): value is Logger {
  return typeof (value as Logger | undefined)?.warn === "function";
}
