/**
 * One JSON-RPC 2.0 connection over a byte stream pair (stdin/stdout for `lcm serve --stdio`).
 *
 * The reader never waits for work: every request starts as soon as its frame is read and is answered
 * by id when it ends, so several requests are in flight at once and a `$/cancelRequest` is seen while
 * the request it names still runs. A cancelled request is answered -32800 at once; whatever it
 * returns later is dropped, so every request gets exactly one answer.
 *
 * Lifetime: `shutdown` then `exit` ends with code 0 (`exit` alone: 1, as in LSP). The end of the
 * input lets the requests in flight finish and be answered, then ends with 0 (so `lcm serve --stdio
 * < requests.jsonl` works); a closed output (the client is gone) cancels everything and ends at once.
 */
import type { Readable, Writable } from "node:stream";
import { CancelledError, RuntimeFailure, UsageError } from "../util/errors.js";
import { type FrameEvent, FrameReader, frame } from "./framing.js";
import {
  classify,
  ErrorCode,
  errorResponse,
  type IncomingRequest,
  notification,
  type RequestId,
  RpcError,
  ServerErrorCode,
  sniffId,
  successResponse,
} from "./json-rpc.js";
import type { Logger } from "./logger.js";

export interface ProgressUpdate {
  progress: number;
  total?: number;
  message?: string;
}

export interface RequestContext {
  /** Aborted when the client cancels the request or goes away. */
  signal: AbortSignal;
  /** Sends notifications/progress when the client gave a progress token; a no-op otherwise. */
  progress(update: ProgressUpdate): void;
  log: Logger;
}

export type MethodHandler = (params: unknown, context: RequestContext) => unknown;

export interface ConnectionOptions {
  input: Readable;
  output: Writable;
  methods: Readonly<Record<string, MethodHandler>>;
  /** Larger messages are skipped and answered with -32600. */
  maxMessageBytes: number;
  log: Logger;
  /** Progress notifications per request at most this often (stage changes and the end always go). */
  progressIntervalMs?: number;
}

interface InFlight {
  method: string;
  controller: AbortController;
  answered: boolean;
}

type Answer = (json: string) => void;

const BUILT_IN = new Set(["shutdown", "exit", "$/cancelRequest", "notifications/cancelled"]);

export class Connection {
  private readonly reader: FrameReader;
  private readonly inFlight = new Map<string, InFlight>();
  private running = 0;
  private shutdownRequested = false;
  /** Settles once every request received before `shutdown` is answered and the reply is sent. */
  private shutdownAnswered: Promise<void> | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private inputEnded = false;
  private finish: (code: number) => void = () => {};
  private readonly done: Promise<number>;
  private pendingWrites = 0;
  private writesDrained: (() => void) | null = null;

  constructor(private readonly options: ConnectionOptions) {
    this.reader = new FrameReader(options.maxMessageBytes, (event) => this.onFrame(event));
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  /** Serves until the client exits or goes away; resolves with the process exit code. */
  run(): Promise<number> {
    const { input, output } = this.options;
    input.on("data", (chunk: Buffer | string) => {
      if (!this.closed) this.reader.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    });
    input.on("end", () => this.onInputEnd());
    input.on("error", (error) => {
      this.options.log.warn(`input error: ${error.message}`);
      this.onInputEnd();
    });
    output.on("error", (error: NodeJS.ErrnoException) => {
      this.options.log.info(`client gone (${error.code ?? error.message}): stopping`);
      this.close(0, { flush: false });
    });
    output.on("close", () => this.close(0, { flush: false }));
    return this.done;
  }

  private onFrame(event: FrameEvent): void {
    if (this.closed) return;
    if (event.kind === "malformed") {
      this.options.log.warn(`malformed frame: ${event.reason}`);
      this.send(errorResponse(null, { code: ErrorCode.ParseError, message: `Parse error: ${event.reason}` }));
      return;
    }
    if (event.kind === "oversized") {
      const id = sniffId(event.head) ?? null;
      const limit = this.options.maxMessageBytes;
      this.options.log.warn(`skipped a message of ${event.bytes} bytes (limit ${limit})`);
      this.send(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: message of ${event.bytes} bytes is over the limit of ${limit} bytes`,
          data: { limit, bytes: event.bytes },
        }),
      );
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(event.text);
    } catch (error) {
      this.send(
        errorResponse(null, {
          code: ErrorCode.ParseError,
          message: `Parse error: ${(error as Error).message}`,
        }),
      );
      return;
    }
    if (Array.isArray(value)) this.onBatch(value);
    else this.onMessage(value, (json) => this.send(json));
  }

  /** A JSON-RPC batch: every member handled as if alone; the answers go back together in one array. */
  private onBatch(values: unknown[]): void {
    if (values.length === 0) {
      this.send(
        errorResponse(null, { code: ErrorCode.InvalidRequest, message: "Invalid Request: empty batch" }),
      );
      return;
    }
    const answers: string[] = [];
    let waiting = 0;
    let started = false;
    const flush = () => {
      if (started && waiting === 0 && answers.length > 0) this.send(`[${answers.join(",")}]`);
    };
    for (const value of values) {
      const expectsAnswer = this.onMessage(value, (json) => {
        answers.push(json);
        waiting--;
        flush();
      });
      if (expectsAnswer) waiting++;
    }
    started = true;
    flush();
  }

  /** Handles one message; returns whether it will be answered (requests and invalid messages are). */
  private onMessage(value: unknown, answer: Answer): boolean {
    const message = classify(value);
    switch (message.kind) {
      case "response":
        return false;
      case "invalid":
        answer(
          errorResponse(message.id, {
            code: ErrorCode.InvalidRequest,
            message: `Invalid Request: ${message.reason}`,
          }),
        );
        return true;
      case "notification":
        this.onNotification(message.method, message.params);
        return false;
      case "request":
        this.onRequest(message, answer);
        return true;
    }
  }

  private onNotification(method: string, params: unknown): void {
    if (method === "exit") {
      this.exit();
      return;
    }
    if (method === "$/cancelRequest" || method === "notifications/cancelled") {
      const p = (params ?? {}) as { id?: unknown; requestId?: unknown };
      const id = method === "$/cancelRequest" ? p.id : p.requestId;
      if (typeof id === "string" || typeof id === "number") this.cancel(id);
      return;
    }
    // Other notifications (initialized, $/setTrace, ...) need no answer and change nothing here.
    this.options.log.debug(`notification ${method} ignored`);
  }

  private cancel(id: string | number): void {
    const entry = this.inFlight.get(keyOf(id));
    if (!entry || entry.answered) return;
    this.options.log.debug(`cancel ${JSON.stringify(id)} (${entry.method})`);
    entry.controller.abort(new CancelledError());
  }

  private onRequest(request: IncomingRequest, answer: Answer): void {
    const { id, method } = request;
    if (method === "exit") {
      const reply = () => answer(successResponse(id, null));
      if (this.shutdownAnswered) void this.shutdownAnswered.then(reply);
      else reply();
      this.exit();
      return;
    }
    if (this.shutdownRequested) {
      answer(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: "Invalid Request: the server is shutting down",
        }),
      );
      return;
    }
    if (method === "shutdown") {
      // Requests received before it are answered first: a client that pipes its requests and then
      // shutdown + exit loses none of them.
      this.shutdownRequested = true;
      this.shutdownAnswered = this.whenIdle().then(() => answer(successResponse(id, null)));
      return;
    }
    const handler = Object.hasOwn(this.options.methods, method) ? this.options.methods[method] : undefined;
    if (!handler || BUILT_IN.has(method)) {
      answer(errorResponse(id, { code: ErrorCode.MethodNotFound, message: `Method not found: ${method}` }));
      return;
    }
    const key = keyOf(id);
    if (this.inFlight.has(key)) {
      answer(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: id ${JSON.stringify(id)} is already used by a request in flight`,
        }),
      );
      return;
    }
    const entry: InFlight = { method, controller: new AbortController(), answered: false };
    this.inFlight.set(key, entry);
    this.running++;
    const once = (json: string) => {
      if (entry.answered) return;
      entry.answered = true;
      answer(json);
    };
    // A cancelled request is answered now, not when its work next checks the signal.
    entry.controller.signal.addEventListener("abort", () => once(errorResponse(id, cancelledError())), {
      once: true,
    });
    const started = performance.now();
    const context: RequestContext = {
      signal: entry.controller.signal,
      progress: this.progressReporter(request.params, entry),
      log: this.options.log,
    };
    Promise.resolve()
      .then(() => handler(request.params, context))
      .then(
        (result) => once(successResponse(id, result)),
        (error: unknown) => once(errorResponse(id, toRpcError(error, this.options.log))),
      )
      .finally(() => {
        this.options.log.debug(
          `${method} ${JSON.stringify(id)} ${(performance.now() - started).toFixed(0)} ms`,
        );
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
        this.running--;
        if (this.running === 0) {
          for (const wake of this.idleWaiters.splice(0)) wake();
        }
        if (this.inputEnded && this.running === 0 && !this.shutdownAnswered) this.close(0, { flush: true });
      });
  }

  /** Resolves when no request is running (at once when none is). */
  private whenIdle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** `exit`: 0 after `shutdown` (once its reply is out), 1 without (as in LSP). */
  private exit(): void {
    if (this.shutdownAnswered) void this.shutdownAnswered.then(() => this.close(0, { flush: true }));
    else this.close(1, { flush: true });
  }

  private progressReporter(params: unknown, entry: InFlight): (update: ProgressUpdate) => void {
    const token = progressToken(params);
    if (token === undefined) return () => {};
    const interval = this.options.progressIntervalMs ?? 100;
    let last = -Infinity;
    let lastMessage: string | undefined;
    return (update) => {
      if (entry.answered || this.closed) return;
      const now = performance.now();
      const final = update.total !== undefined && update.progress >= update.total;
      if (!final && update.message === lastMessage && now - last < interval) return;
      last = now;
      lastMessage = update.message;
      this.send(notification("notifications/progress", { progressToken: token, ...update }));
    };
  }

  private onInputEnd(): void {
    if (this.inputEnded) return;
    this.inputEnded = true;
    this.reader.end();
    if (this.shutdownAnswered) void this.shutdownAnswered.then(() => this.close(0, { flush: true }));
    else if (this.running === 0) this.close(0, { flush: true });
    else this.options.log.info(`input ended; finishing ${this.running} request(s) in flight`);
  }

  private send(json: string): void {
    if (this.closed) return;
    this.pendingWrites++;
    this.options.output.write(frame(json, this.reader.framing), () => {
      this.pendingWrites--;
      if (this.pendingWrites === 0) this.writesDrained?.();
    });
  }

  private close(code: number, { flush }: { flush: boolean }): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.inFlight.values()) {
      entry.answered = true; // nobody is listening for these answers any more
      entry.controller.abort(new CancelledError("the client went away"));
    }
    this.options.input.pause();
    if (!flush || this.pendingWrites === 0) {
      this.finish(code);
      return;
    }
    this.writesDrained = () => this.finish(code);
  }
}

function keyOf(id: RequestId): string {
  return JSON.stringify(id);
}

function cancelledError() {
  return { code: ErrorCode.RequestCancelled, message: "Request cancelled" };
}

/** The client's progress token: MCP's params._meta.progressToken, LSP's workDoneToken, or progressToken. */
function progressToken(params: unknown): string | number | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const p = params as {
    _meta?: { progressToken?: unknown };
    workDoneToken?: unknown;
    progressToken?: unknown;
  };
  const token = p._meta?.progressToken ?? p.workDoneToken ?? p.progressToken;
  return typeof token === "string" || typeof token === "number" ? token : undefined;
}

/** Library errors -> JSON-RPC errors: bad input is the caller's (-32602), a failed run is the server's. */
export function toRpcError(error: unknown, log: Logger): { code: number; message: string; data?: unknown } {
  if (error instanceof RpcError) return { code: error.code, message: error.message, data: error.data };
  if (error instanceof CancelledError) return cancelledError();
  if (error instanceof UsageError)
    return { code: ErrorCode.InvalidParams, message: `Invalid params: ${error.message}` };
  if (error instanceof RuntimeFailure)
    return { code: ServerErrorCode.RuntimeFailure, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  log.warn(`internal error: ${error instanceof Error && error.stack ? error.stack : message}`);
  return { code: ErrorCode.InternalError, message: `Internal error: ${message.split("\n")[0]}` };
}
