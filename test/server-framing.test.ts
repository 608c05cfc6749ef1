/**
 * The stdio server's framing: newline-delimited JSON and LSP Content-Length frames, decided from the
 * first bytes, split anywhere across chunks; oversized and broken frames reported without stopping.
 */
import { describe, expect, it } from "vitest";
import { type FrameEvent, FrameReader, frame } from "../src/server/framing.js";

function read(chunks: (string | Buffer)[], maxBytes = 1024): { events: FrameEvent[]; reader: FrameReader } {
  const events: FrameEvent[] = [];
  const reader = new FrameReader(maxBytes, (e) => events.push(e));
  for (const c of chunks) reader.push(typeof c === "string" ? Buffer.from(c) : c);
  return { events, reader };
}

/** Every way of cutting `text` into two chunks gives the same events as one chunk. */
function everySplit(text: string, maxBytes = 1024): FrameEvent[][] {
  const bytes = Buffer.from(text);
  const results: FrameEvent[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { events, reader } = read([bytes.subarray(0, cut), bytes.subarray(cut)], maxBytes);
    reader.end();
    results.push(events);
  }
  return results;
}

const lsp = (body: string) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("newline-delimited JSON", () => {
  it("reads one message per line, with CRLF, blank lines and a last line without newline", () => {
    const { events, reader } = read(['{"a":1}\r\n\n  \n{"b":', '"é"}\n{"c":3}']);
    reader.end();
    expect(reader.framing).toBe("ndjson");
    expect(events).toEqual([
      { kind: "message", text: '{"a":1}' },
      { kind: "message", text: '{"b":"é"}' },
      { kind: "message", text: '{"c":3}' },
    ]);
  });

  it("gives the same messages however the bytes are split (a multi-byte character included)", () => {
    const text = '{"x":"日本"}\n{"y":2}\n';
    for (const events of everySplit(text)) {
      expect(events).toEqual([
        { kind: "message", text: '{"x":"日本"}' },
        { kind: "message", text: '{"y":2}' },
      ]);
    }
  });

  it("skips a line over the limit without buffering it, keeps its head, and reads on", () => {
    const big = `{"jsonrpc":"2.0","id":7,"params":"${"x".repeat(5000)}"}`;
    const chunks = [big.slice(0, 1000), big.slice(1000, 3000), `${big.slice(3000)}\n{"ok":1}\n`];
    const { events } = read(chunks, 2000);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: "oversized", bytes: big.length });
    expect((events[0] as { head: string }).head.startsWith('{"jsonrpc":"2.0","id":7')).toBe(true);
    expect(events[1]).toEqual({ kind: "message", text: '{"ok":1}' });
  });

  it("reports a line that is not UTF-8 and reads on", () => {
    const { events } = read([Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), '{"ok":1}\n']);
    expect(events[0]).toEqual({ kind: "malformed", reason: "a message that is not valid UTF-8" });
    expect(events[1]).toEqual({ kind: "message", text: '{"ok":1}' });
  });
});

describe("Content-Length framing", () => {
  it("is detected from the first bytes, even split inside the header name", () => {
    const text = `${lsp('{"id":1}')}${lsp('{"id":"二"}')}`;
    for (const events of everySplit(text)) {
      expect(events).toEqual([
        { kind: "message", text: '{"id":1}' },
        { kind: "message", text: '{"id":"二"}' },
      ]);
    }
  });

  it("accepts Content-Type before Content-Length and any header case", () => {
    const { events, reader } = read([
      'content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH: 8\r\n\r\n{"id":1}',
    ]);
    expect(reader.framing).toBe("content-length");
    expect(events).toEqual([{ kind: "message", text: '{"id":1}' }]);
  });

  it("skips a body over the limit and reads the next frame", () => {
    const body = `{"jsonrpc":"2.0","id":"big","params":"${"y".repeat(3000)}"}`;
    const { events } = read([lsp(body).slice(0, 500), lsp(body).slice(500), lsp('{"id":2}')], 1000);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: "oversized", bytes: Buffer.byteLength(body) });
    expect((events[0] as { head: string }).head.startsWith('{"jsonrpc":"2.0","id":"big"')).toBe(true);
    expect(events[1]).toEqual({ kind: "message", text: '{"id":2}' });
  });

  it("reports a broken header once and resynchronises at the next Content-Length", () => {
    for (const broken of [
      "Content-Length: abc\r\n\r\n{}",
      "Content-Type: x\r\n\r\n{}",
      "Content-Length 12\r\n\r\n",
    ]) {
      const { events } = read([broken, lsp('{"id":3}')]);
      expect(events.map((e) => e.kind)).toEqual(["malformed", "message"]);
      expect(events[1]).toEqual({ kind: "message", text: '{"id":3}' });
    }
  });

  it("reports input that ends inside a body", () => {
    const { events, reader } = read(['Content-Length: 50\r\n\r\n{"id":']);
    reader.end();
    expect(events).toEqual([{ kind: "malformed", reason: "input ended inside a message body" }]);
  });
});

describe("frame()", () => {
  it("writes newline-delimited JSON, or Content-Length with the UTF-8 byte count", () => {
    expect(frame('{"a":"é"}', "ndjson")).toBe('{"a":"é"}\n');
    expect(frame('{"a":"é"}', null)).toBe('{"a":"é"}\n');
    expect(frame('{"a":"é"}', "content-length")).toBe('Content-Length: 10\r\n\r\n{"a":"é"}');
  });
});
