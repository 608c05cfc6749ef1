/**
 * JSON-RPC 2.0 messages: error codes, the error type handlers throw, and the check that sorts an
 * incoming value into a request, a notification, or an invalid request (with the id when it can be
 * read, so the client can still match the error to what it sent).
 */

export type RequestId = string | number | null;

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** LSP's RequestCancelled: the client cancelled the request. */
  RequestCancelled: -32800,
} as const;

/** Server-defined error codes (JSON-RPC reserves -32000..-32099 for them). */
export const ServerErrorCode = {
  /** Valid work that failed while running (ONNX failure, I/O). */
  RuntimeFailure: -32001,
  /** No model installed, or a broken one. */
  ModelUnavailable: -32002,
  /** A render asked for a result id that is unknown or was dropped from the store. */
  UnknownResult: -32003,
} as const;

/** An error answered to the client as `{"code", "message", "data"?}`. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export interface IncomingRequest {
  kind: "request";
  id: RequestId;
  method: string;
  params: unknown;
}

export interface IncomingNotification {
  kind: "notification";
  method: string;
  params: unknown;
}

export interface IncomingInvalid {
  kind: "invalid";
  /** The id when it was readable, else null (as JSON-RPC asks). */
  id: RequestId;
  reason: string;
}

/** A response from the client: the server sends no requests, so these are ignored. */
export interface IncomingResponse {
  kind: "response";
}

export type Incoming = IncomingRequest | IncomingNotification | IncomingInvalid | IncomingResponse;

function isValidId(id: unknown): id is RequestId {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

export function classify(value: unknown): Incoming {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "invalid", id: null, reason: "a message must be a JSON object" };
  }
  const message = value as Record<string, unknown>;
  const hasId = Object.hasOwn(message, "id");
  const id = hasId && isValidId(message.id) ? message.id : null;
  if (message.jsonrpc !== "2.0") return { kind: "invalid", id, reason: 'jsonrpc must be "2.0"' };
  if (hasId && !isValidId(message.id)) {
    return { kind: "invalid", id: null, reason: "id must be a string, a number or null" };
  }
  if (!Object.hasOwn(message, "method")) {
    if (Object.hasOwn(message, "result") || Object.hasOwn(message, "error")) return { kind: "response" };
    return { kind: "invalid", id, reason: "method is missing" };
  }
  if (typeof message.method !== "string" || message.method === "") {
    return { kind: "invalid", id, reason: "method must be a non-empty string" };
  }
  const params = message.params;
  if (params !== undefined && (typeof params !== "object" || params === null)) {
    return { kind: "invalid", id, reason: "params must be an object or an array" };
  }
  if (!hasId) return { kind: "notification", method: message.method, params };
  return { kind: "request", id, method: message.method, params };
}

export function successResponse(id: RequestId, result: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, result: result ?? null });
}

export function errorResponse(
  id: RequestId,
  error: { code: number; message: string; data?: unknown },
): string {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return JSON.stringify({ jsonrpc: "2.0", id, error: body });
}

export function notification(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}

/**
 * The top-level "id" of a message too large to parse, read from its first bytes: a small scanner that
 * follows strings and nesting, so an "id" inside params is not taken for the request's.
 */
export function sniffId(head: string): RequestId | undefined {
  let depth = 0;
  let i = 0;
  const n = head.length;
  while (i < n) {
    const c = head[i];
    if (c === '"') {
      const end = stringEnd(head, i);
      if (end < 0) return undefined;
      if (depth === 1 && head.slice(i, end + 1) === '"id"') {
        const after = /^\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null)/.exec(
          head.slice(end + 1),
        );
        if (after) {
          const parsed = JSON.parse(after[1]) as unknown;
          return isValidId(parsed) ? parsed : undefined;
        }
      }
      i = end + 1;
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    i++;
  }
  return undefined;
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
