/**
 * Message framing on the byte stream: newline-delimited JSON (one message per line, the default) or
 * LSP-style `Content-Length: N\r\n\r\n<N bytes>`. The framing is decided once from the first bytes
 * that are not whitespace: a header (`Content-`) means LSP framing, anything else newline-delimited.
 * Responses are written in the framing the client used.
 *
 * The reader never holds more than the size limit of one message: a message over the limit is
 * skipped as it streams past (only its first bytes are kept, so the caller can find its id and say
 * why), and a broken header is skipped up to the next `Content-Length:`.
 */

export type Framing = "ndjson" | "content-length";

export type FrameEvent =
  | { kind: "message"; text: string }
  /** A message over the limit; `head` is its first bytes (to find the request id). */
  | { kind: "oversized"; bytes: number; head: string }
  | { kind: "malformed"; reason: string };

/** The most of an oversized message kept to look for its id. */
const OVERSIZED_HEAD_BYTES = 4096;
/** Headers longer than this are not headers. */
const MAX_HEADER_BYTES = 8192;
const HEADER_PREFIX = "content-";
const CONTENT_LENGTH = Buffer.from("content-length:");
const NEWLINE = 0x0a;

type State =
  | { mode: "detect" }
  | { mode: "line" }
  /** Skipping the rest of a line over the limit. */
  | { mode: "line-skip"; bytes: number; head: Buffer }
  | { mode: "header" }
  | { mode: "body"; length: number }
  | { mode: "body-skip"; left: number; bytes: number; head: Buffer }
  /** Looking for the next `Content-Length:` after a broken header. */
  | { mode: "resync" };

export class FrameReader {
  private state: State = { mode: "detect" };
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Leading buffered bytes already searched for a newline (so a long line is scanned once). */
  private scanned = 0;
  private detected: Framing | null = null;
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private readonly maxBytes: number,
    private readonly emit: (event: FrameEvent) => void,
  ) {}

  /** The framing the client uses, once its first bytes have arrived. */
  get framing(): Framing | null {
    return this.detected;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain();
  }

  /** End of input: a last newline-delimited message without its newline still counts. */
  end(): void {
    if (this.state.mode === "line" && this.buffered > 0) {
      const line = this.take(this.buffered);
      this.emitLine(line);
    } else if (this.state.mode === "line-skip") {
      this.emit({ kind: "oversized", bytes: this.state.bytes, head: this.state.head.toString("utf8") });
    } else if (this.state.mode === "body" || this.state.mode === "body-skip") {
      this.emit({ kind: "malformed", reason: "input ended inside a message body" });
    } else if (this.state.mode === "header" && this.peek().toString("latin1").trim() !== "") {
      this.emit({ kind: "malformed", reason: "input ended inside a message header" });
    }
    this.chunks = [];
    this.buffered = 0;
  }

  private drain(): void {
    for (;;) {
      const before = this.buffered;
      const mode = this.state.mode;
      this.step();
      // Stop when a step consumed nothing and stayed in the same state: it needs more bytes.
      if (this.buffered === before && this.state.mode === mode) return;
    }
  }

  private step(): void {
    switch (this.state.mode) {
      case "detect":
        this.detect();
        break;
      case "line":
        this.readLine();
        break;
      case "line-skip":
        this.skipLine(this.state);
        break;
      case "header":
        this.readHeader();
        break;
      case "body":
        this.readBody(this.state.length);
        break;
      case "body-skip":
        this.skipBody(this.state);
        break;
      case "resync":
        this.resync();
        break;
    }
  }

  private detect(): void {
    const bytes = this.peek();
    let start = 0;
    while (start < bytes.length && isSpace(bytes[start])) start++;
    if (start === bytes.length) return;
    const head = bytes
      .subarray(start, start + HEADER_PREFIX.length)
      .toString("latin1")
      .toLowerCase();
    if (head.length < HEADER_PREFIX.length && HEADER_PREFIX.startsWith(head)) return; // wait for more
    this.detected = head === HEADER_PREFIX ? "content-length" : "ndjson";
    this.state = { mode: this.detected === "ndjson" ? "line" : "header" };
  }

  private readLine(): void {
    const at = this.indexOf(NEWLINE);
    if (at < 0) {
      if (this.buffered > this.maxBytes) {
        const head = this.take(this.buffered);
        this.state = { mode: "line-skip", bytes: head.length, head: head.subarray(0, OVERSIZED_HEAD_BYTES) };
      }
      return;
    }
    const line = this.take(at + 1).subarray(0, at);
    if (line.length > this.maxBytes) {
      this.emit({
        kind: "oversized",
        bytes: line.length,
        head: line.subarray(0, OVERSIZED_HEAD_BYTES).toString("utf8"),
      });
      return;
    }
    this.emitLine(line);
  }

  private emitLine(raw: Buffer): void {
    const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
    if (line.every(isSpace)) return; // blank lines between messages are allowed
    this.emitText(line);
  }

  private skipLine(state: Extract<State, { mode: "line-skip" }>): void {
    const at = this.indexOf(NEWLINE);
    if (at < 0) {
      state.bytes += this.take(this.buffered).length;
      return;
    }
    state.bytes += this.take(at + 1).length - 1;
    this.emit({ kind: "oversized", bytes: state.bytes, head: state.head.toString("utf8") });
    this.state = { mode: "line" };
  }

  private readHeader(): void {
    const bytes = this.peek();
    // Blank lines before a header (some clients end bodies with a newline) are skipped.
    let start = 0;
    while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === NEWLINE)) start++;
    if (start > 0) {
      this.take(start);
      return;
    }
    const end = headerEnd(bytes);
    if (end === null) {
      if (bytes.length > MAX_HEADER_BYTES) {
        this.take(1);
        this.fail(`a header longer than ${MAX_HEADER_BYTES} bytes`);
      }
      return;
    }
    const header = this.take(end.bodyStart).subarray(0, end.headerEnd).toString("latin1");
    let length: number | null = null;
    for (const line of header.split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon < 0) {
        this.fail(`a header line without ':' ('${line.slice(0, 40)}')`);
        return;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^\d+$/.test(value)) {
          this.fail(`Content-Length '${value.slice(0, 20)}' is not a number`);
          return;
        }
        length = Number(value);
      }
    }
    if (length === null) {
      this.fail("a header without Content-Length");
      return;
    }
    if (length > this.maxBytes) {
      this.state = { mode: "body-skip", left: length, bytes: length, head: Buffer.alloc(0) };
      return;
    }
    this.state = { mode: "body", length };
  }

  private readBody(length: number): void {
    if (this.buffered < length) return;
    const body = this.take(length);
    this.state = { mode: "header" };
    this.emitText(body);
  }

  private skipBody(state: Extract<State, { mode: "body-skip" }>): void {
    const skipped = this.take(Math.min(state.left, this.buffered));
    if (state.head.length < OVERSIZED_HEAD_BYTES) {
      state.head = Buffer.concat([state.head, skipped.subarray(0, OVERSIZED_HEAD_BYTES - state.head.length)]);
    }
    state.left -= skipped.length;
    if (state.left > 0) return;
    this.emit({ kind: "oversized", bytes: state.bytes, head: state.head.toString("utf8") });
    this.state = { mode: "header" };
  }

  /** A broken header: report it once, then skip to the next `Content-Length:`. */
  private fail(reason: string): void {
    this.emit({ kind: "malformed", reason });
    this.state = { mode: "resync" };
  }

  private resync(): void {
    const bytes = this.peek();
    const lower = Buffer.from(bytes.toString("latin1").toLowerCase(), "latin1");
    const at = lower.indexOf(CONTENT_LENGTH);
    if (at >= 0) {
      this.take(at);
      this.state = { mode: "header" };
      return;
    }
    // Keep a tail that could be the start of a split "Content-Length:".
    const keep = CONTENT_LENGTH.length - 1;
    if (bytes.length > keep) this.take(bytes.length - keep);
  }

  private emitText(bytes: Buffer): void {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.emit({ kind: "malformed", reason: "a message that is not valid UTF-8" });
      return;
    }
    this.emit({ kind: "message", text });
  }

  /** All buffered bytes as one Buffer (joined once, then kept joined). */
  private peek(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private indexOf(byte: number): number {
    let offset = 0;
    for (const chunk of this.chunks) {
      if (offset + chunk.length > this.scanned) {
        const at = chunk.indexOf(byte, Math.max(0, this.scanned - offset));
        if (at >= 0) return offset + at;
      }
      offset += chunk.length;
    }
    this.scanned = offset;
    return -1;
  }

  private take(n: number): Buffer {
    const all = this.peek();
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.scanned = 0;
    return taken;
  }
}

/** Where the header ends: at "\r\n\r\n" (LSP) or, leniently, "\n\n". */
function headerEnd(bytes: Buffer): { headerEnd: number; bodyStart: number } | null {
  const crlf = bytes.indexOf("\r\n\r\n");
  const lf = bytes.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return null;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE;
}

/** One outgoing message in the client's framing (newline-delimited until the client showed otherwise). */
export function frame(json: string, framing: Framing | null): string {
  if (framing === "content-length")
    return `Content-Length: ${Buffer.byteLength(json, "utf8")}\r\n\r\n${json}`;
  return `${json}\n`;
}
