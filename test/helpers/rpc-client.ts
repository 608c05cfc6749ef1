/**
 * A small JSON-RPC client for the server tests: writes raw frames or requests to the server's input,
 * parses everything on its output (its own parser, independent of src/server/framing.ts), and lets a
 * test wait for the answer to an id or for any message that matches.
 */
import type { Readable, Writable } from "node:stream";

export interface RpcMessage {
  jsonrpc: "2.0";
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export class RpcTestClient {
  readonly messages: RpcMessage[] = [];
  /** Every output line/frame as written, to check that stdout holds protocol only. */
  readonly rawFrames: string[] = [];
  private buffer = Buffer.alloc(0);
  private waiters: { match: (m: RpcMessage) => boolean; resolve: (m: RpcMessage) => void }[] = [];
  private nextId = 1;

  constructor(
    private readonly input: Writable,
    output: Readable,
    readonly framing: "ndjson" | "content-length" = "ndjson",
  ) {
    output.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
    });
  }

  private parse(): void {
    for (;;) {
      let text: string;
      if (this.framing === "ndjson") {
        const at = this.buffer.indexOf(0x0a);
        if (at < 0) return;
        text = this.buffer.subarray(0, at).toString("utf8");
        this.buffer = this.buffer.subarray(at + 1);
      } else {
        const end = this.buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const header = this.buffer.subarray(0, end).toString("latin1");
        const m = /^Content-Length: (\d+)$/.exec(header);
        if (!m) throw new Error(`bad frame header from the server: ${JSON.stringify(header)}`);
        const length = Number(m[1]);
        if (this.buffer.length < end + 4 + length) return;
        text = this.buffer.subarray(end + 4, end + 4 + length).toString("utf8");
        this.buffer = this.buffer.subarray(end + 4 + length);
      }
      this.rawFrames.push(text);
      const parsed = JSON.parse(text) as RpcMessage | RpcMessage[];
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) this.deliver(message);
      if (Array.isArray(parsed))
        this.deliver({ jsonrpc: "2.0", method: "<batch>", params: { size: parsed.length } });
    }
  }

  private deliver(message: RpcMessage): void {
    this.messages.push(message);
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      if (w.match(message)) w.resolve(message);
      else this.waiters.push(w);
    }
  }

  /** Writes bytes as they are (broken frames, partial frames). */
  writeRaw(data: string | Buffer): void {
    this.input.write(data);
  }

  /** Writes one message in the client's framing. */
  send(message: unknown): void {
    const json = typeof message === "string" ? message : JSON.stringify(message);
    this.writeRaw(
      this.framing === "ndjson" ? `${json}\n` : `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
    );
  }

  /** Sends a request and returns its id (automatic ids are "auto-N", apart from a test's own). */
  request(method: string, params?: unknown, id: string | number = `auto-${this.nextId++}`): string | number {
    this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return id;
  }

  notify(method: string, params?: unknown): void {
    this.send({ jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) });
  }

  /** The first message (already received or still to come) that matches. */
  waitFor(match: (m: RpcMessage) => boolean, timeoutMs = 30_000): Promise<RpcMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching message within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** The answer to request `id`. */
  response(id: string | number | null, timeoutMs?: number): Promise<RpcMessage> {
    return this.waitFor((m) => m.method === undefined && m.id === id, timeoutMs);
  }

  /** Sends a request and waits for its answer. */
  async call(method: string, params?: unknown, timeoutMs?: number): Promise<RpcMessage> {
    return this.response(this.request(method, params), timeoutMs);
  }

  /** Answers to `id` received so far (a correct server sends exactly one). */
  answersTo(id: string | number | null): RpcMessage[] {
    return this.messages.filter((m) => m.method === undefined && m.id === id);
  }

  end(): void {
    this.input.end();
  }
}
