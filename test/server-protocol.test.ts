/**
 * JSON-RPC 2.0 behaviour of the connection, with test methods in place of the models: errors with
 * the right codes (and the server serving on after each), requests in flight answered by id,
 * cancellation, progress, batches, shutdown/exit and a client that goes away.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Connection, type MethodHandler } from "../src/server/connection.js";
import { silentLogger } from "../src/server/logger.js";
import { CancelledError, RuntimeFailure, UsageError } from "../src/util/errors.js";
import { RpcTestClient } from "./helpers/rpc-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves after `ms`, or rejects with CancelledError when the request is cancelled first. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new CancelledError());
    });
  });
}

function start(options: { maxMessageBytes?: number; framing?: "ndjson" | "content-length" } = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const seen = { aborted: [] as string[] };
  const methods: Record<string, MethodHandler> = {
    echo: (params) => params ?? null,
    slow: async (params, context) => {
      const { ms, name } = params as { ms: number; name: string };
      context.signal.addEventListener("abort", () => seen.aborted.push(name));
      for (let step = 1; step <= 4; step++) {
        await wait(ms / 4, context.signal);
        context.progress({ progress: step, total: 4, message: `step ${step}` });
      }
      return { name };
    },
    usage: () => {
      throw new UsageError("no such language 'xx'");
    },
    runtime: async () => {
      throw new RuntimeFailure("ONNX session failed");
    },
    bug: () => {
      throw new TypeError("x is undefined");
    },
  };
  const connection = new Connection({
    input,
    output,
    methods,
    maxMessageBytes: options.maxMessageBytes ?? 1 << 20,
    log: silentLogger,
    progressIntervalMs: 0,
  });
  const exit = connection.run();
  const client = new RpcTestClient(input, output, options.framing ?? "ndjson");
  return { client, exit, output, seen };
}

describe("errors, and serving on after each", () => {
  it("answers invalid JSON with -32700 and id null", async () => {
    const { client } = start();
    client.writeRaw('{"jsonrpc":"2.0","id":1,"method":"echo"\n');
    expect((await client.response(null)).error?.code).toBe(-32700);
    expect((await client.call("echo", { a: 1 })).result).toEqual({ a: 1 });
  });

  it("answers invalid requests with -32600, with the id when it is readable", async () => {
    const { client } = start();
    client.send({ id: 11, method: "echo" });
    client.send({ jsonrpc: "2.0", id: 12, method: 5 });
    client.send({ jsonrpc: "2.0", id: 13, method: "echo", params: "text" });
    client.send({ jsonrpc: "1.0", id: 14, method: "echo" });
    for (const id of [11, 12, 13, 14]) {
      const answer = await client.response(id);
      expect(answer.error?.code, `id ${id}`).toBe(-32600);
    }
    client.send({ jsonrpc: "2.0", id: { x: 1 }, method: "echo" });
    client.send("42");
    await client.waitFor((m) => m.id === null && m.error !== undefined);
    await sleep(20);
    expect(client.answersTo(null).map((m) => m.error?.code)).toEqual([-32600, -32600]);
    expect((await client.call("echo", [1, 2])).result).toEqual([1, 2]);
  });

  it("answers an unknown method with -32601 and maps thrown errors to their codes", async () => {
    const { client } = start();
    const unknown = await client.call("summarise");
    expect(unknown.error).toEqual({ code: -32601, message: "Method not found: summarise" });
    expect((await client.call("usage")).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining("'xx'"),
    });
    expect((await client.call("runtime")).error).toMatchObject({
      code: -32001,
      message: "ONNX session failed",
    });
    expect((await client.call("bug")).error).toMatchObject({
      code: -32603,
      message: "Internal error: x is undefined",
    });
    expect((await client.call("echo", { still: "serving" })).result).toEqual({ still: "serving" });
  });

  it("skips a message over the limit, answers -32600 with the id read from its head, and serves on", async () => {
    const { client } = start({ maxMessageBytes: 2000 });
    client.send({ jsonrpc: "2.0", id: "huge", method: "echo", params: { text: "x".repeat(10_000) } });
    const answer = await client.response("huge");
    expect(answer.error?.code).toBe(-32600);
    expect(answer.error?.message).toMatch(/over the limit of 2000 bytes/);
    expect((await client.call("echo", { small: true })).result).toEqual({ small: true });
  });

  it("rejects a second request with an id that is still in flight", async () => {
    const { client } = start();
    client.request("slow", { ms: 60_000, name: "a" }, 5);
    client.request("echo", {}, 5);
    await client.waitFor((m) => m.id === 5 && m.error?.code === -32600);
    client.notify("$/cancelRequest", { id: 5 });
    await client.waitFor((m) => m.id === 5 && m.error?.code === -32800);
    await sleep(20);
    expect(client.answersTo(5).map((m) => m.error?.code)).toEqual([-32600, -32800]);
  });
});

describe("requests in flight", () => {
  it("answers by id as work ends, not in arrival order", async () => {
    const { client } = start();
    client.request("slow", { ms: 300, name: "first" }, "a");
    client.request("echo", { n: 2 }, "b");
    const order: string[] = [];
    await Promise.all([
      client.response("a").then(() => order.push("a")),
      client.response("b").then(() => order.push("b")),
    ]);
    expect(order).toEqual(["b", "a"]);
    expect((await client.response("a")).result).toEqual({ name: "first" });
  });

  it("cancels with $/cancelRequest and notifications/cancelled: -32800 at once, exactly once", async () => {
    const { client, seen } = start();
    client.request("slow", { ms: 60_000, name: "lsp" }, 1);
    client.request("slow", { ms: 60_000, name: "mcp" }, "two");
    await sleep(20);
    const t0 = performance.now();
    client.notify("$/cancelRequest", { id: 1 });
    client.notify("notifications/cancelled", { requestId: "two", reason: "user" });
    expect((await client.response(1)).error).toEqual({ code: -32800, message: "Request cancelled" });
    expect((await client.response("two")).error?.code).toBe(-32800);
    expect(performance.now() - t0).toBeLessThan(1000);
    await sleep(50);
    expect(client.answersTo(1)).toHaveLength(1);
    expect(client.answersTo("two")).toHaveLength(1);
    expect(seen.aborted.sort()).toEqual(["lsp", "mcp"]);
    // Cancelling what is already answered, or never existed, changes nothing.
    client.notify("$/cancelRequest", { id: 1 });
    client.notify("$/cancelRequest", { id: 999 });
    expect((await client.call("echo", "ok")).error?.code).toBe(-32600); // params must be structured
    expect((await client.call("echo", ["ok"])).result).toEqual(["ok"]);
  });

  it("sends progress with the client's token (MCP _meta, LSP workDoneToken), none without one", async () => {
    const { client } = start();
    await client.call("slow", { ms: 40, name: "x", _meta: { progressToken: "tok-1" } });
    await client.call("slow", { ms: 40, name: "y", workDoneToken: 77 });
    await client.call("slow", { ms: 40, name: "z" });
    const progress = client.messages.filter((m) => m.method === "notifications/progress");
    expect(progress.map((m) => m.params?.progressToken)).toEqual([
      "tok-1",
      "tok-1",
      "tok-1",
      "tok-1",
      77,
      77,
      77,
      77,
    ]);
    expect(progress[3].params).toEqual({ progressToken: "tok-1", progress: 4, total: 4, message: "step 4" });
  });
});

describe("batches", () => {
  it("answers a batch with one array holding an answer per request", async () => {
    const { client } = start();
    client.send([
      { jsonrpc: "2.0", id: 1, method: "echo", params: { k: 1 } },
      { jsonrpc: "2.0", method: "initialized" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
      { bad: true },
    ]);
    await client.waitFor((m) => m.method === "<batch>");
    expect(client.rawFrames).toHaveLength(1);
    const answers = JSON.parse(client.rawFrames[0]) as {
      id: unknown;
      result?: unknown;
      error?: { code: number };
    }[];
    expect(answers.map((a) => [a.id, a.error?.code ?? a.result])).toEqual(
      expect.arrayContaining([
        [1, { k: 1 }],
        [2, -32601],
        [null, -32600],
      ]),
    );
    expect(answers).toHaveLength(3);
    client.send([]);
    expect((await client.response(null)).error?.code).toBe(-32600);
  });
});

describe("lifetime", () => {
  it("shutdown, then requests are refused, then exit ends with 0", async () => {
    const { client, exit } = start();
    expect((await client.call("shutdown")).result).toBeNull();
    expect((await client.call("echo", {})).error?.code).toBe(-32600);
    client.notify("exit");
    expect(await exit).toBe(0);
  });

  it("exit without shutdown ends with 1", async () => {
    const { client, exit } = start();
    client.notify("exit");
    expect(await exit).toBe(1);
  });

  it("at the end of input, finishes and answers the requests in flight, then ends with 0", async () => {
    const { client, exit } = start();
    client.request("slow", { ms: 100, name: "last" }, "z");
    client.end();
    expect(await exit).toBe(0);
    expect((await client.response("z")).result).toEqual({ name: "last" });
  });

  it("a client that closes its end stops the work in flight and ends the server", async () => {
    const { client, exit, output, seen } = start();
    client.request("slow", { ms: 60_000, name: "orphan" }, 1);
    await sleep(20);
    output.destroy();
    expect(await exit).toBe(0);
    expect(seen.aborted).toEqual(["orphan"]);
  });
});

describe("Content-Length framing", () => {
  it("answers in the framing the client used", async () => {
    const { client } = start({ framing: "content-length" });
    expect((await client.call("echo", { lsp: true })).result).toEqual({ lsp: true });
    client.writeRaw("Content-Length: x\r\n\r\n{}");
    expect((await client.response(null)).error?.code).toBe(-32700);
    expect((await client.call("echo", { after: "resync" })).result).toEqual({ after: "resync" });
  });
});
