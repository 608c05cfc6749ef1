/**
 * `lcm serve --stdio` as a process (dist/src/cli.js; `npm test` builds first): LSP framing end to
 * end, stdout holding protocol only, the log going to --log FILE, exit codes, and a client that
 * disappears mid-request.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { smokeModelsDir } from "./helpers/lcm-models.js";
import { RpcTestClient } from "./helpers/rpc-client.js";

const CLI = fileURLToPath(new URL("../dist/src/cli.js", import.meta.url));
let models: string;
let cacheHome: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
  models = smokeModelsDir();
  cacheHome = mkdtempSync(join(tmpdir(), "lcm-cache-"));
});

function startServer(args: string[] = []): {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    [CLI, "serve", "--stdio", "--models", models, "--threads", "1", ...args],
    {
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, LCM_MODELS: "" },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited };
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

describe("lcm serve --stdio", () => {
  it("speaks LSP framing end to end; stdout holds frames only; shutdown + exit ends with 0", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "lcm-log-")), "serve.log");
    const { child, exited } = startServer(["--log", log, "--debug"]);
    const stderr = collect(child.stderr);
    const client = new RpcTestClient(child.stdin, child.stdout, "content-length");
    const init = await client.call("initialize", { processId: null, capabilities: {} });
    expect(init.result).toMatchObject({ serverInfo: { name: "lcm" } });
    const summary = await client.call("summarize", {
      text: "The river rose all night. By morning the bridge was closed. Schools stayed shut.",
      sourceLang: "eng_Latn",
      maxConcepts: 1,
      steps: 2,
      decode: { beam: 1, maxTokens: 8 },
    });
    expect(summary.result).toMatchObject({
      resultId: "r1",
      concepts: [expect.objectContaining({ span: expect.any(Array) })],
    });
    expect((await client.call("shutdown")).result).toBeNull();
    client.notify("exit");
    expect(await exited).toBe(0);
    // Every byte on stdout was part of a frame the client parsed (it throws on anything else).
    expect(client.rawFrames.length).toBe(client.messages.length);
    expect(stderr()).toBe("");
    const logged = readFileSync(log, "utf8");
    expect(logged).toMatch(/serving JSON-RPC on stdio/);
    expect(logged).toMatch(/debug: summarize "auto-\d+" \d+ ms/);
  });

  it("answers every line of piped input, then exits 0 when the input ends", () => {
    const requests = [
      { jsonrpc: "2.0", id: 1, method: "outline", params: { text: "One. Two." } },
      {
        jsonrpc: "2.0",
        id: 2,
        method: "encode",
        params: { text: "One. Two.", lang: "eng_Latn", includeVectors: false },
      },
      { jsonrpc: "2.0", id: 3, method: "no/such" },
    ];
    const input = `${requests.map((r) => JSON.stringify(r)).join("\n")}\n{broken\n`;
    const result = spawnSync(process.execPath, [CLI, "serve", "--stdio", "--models", models, "-q"], {
      input,
      encoding: "utf8",
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
    expect(result.status).toBe(0);
    const answers = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3, null].sort());
    expect(answers.find((a) => a.id === 2).result.concepts).toHaveLength(2);
    expect(answers.find((a) => a.id === 3).error.code).toBe(-32601);
    expect(answers.find((a) => a.id === null).error.code).toBe(-32700);
  });

  it("loses no answer: requests piped before shutdown + exit are all answered, a render behind its summarize finds it", () => {
    const text = "The river rose all night. By morning the bridge was closed. Schools stayed shut all week.";
    const fast = { sourceLang: "eng_Latn", steps: 2, decode: { beam: 1, maxTokens: 8 } };
    const requests = [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, capabilities: {} } },
      { jsonrpc: "2.0", id: 2, method: "outline", params: { text } },
      { jsonrpc: "2.0", id: 3, method: "summarize", params: { text, maxConcepts: 2, ...fast } },
      {
        jsonrpc: "2.0",
        id: 4,
        method: "render",
        params: { resultId: "r1", lang: "fra_Latn", decode: fast.decode },
      },
      { jsonrpc: "2.0", id: 5, method: "shutdown" },
      { jsonrpc: "2.0", id: 6, method: "outline", params: { text } },
      { jsonrpc: "2.0", method: "exit" },
    ];
    const result = spawnSync(process.execPath, [CLI, "serve", "--stdio", "--models", models, "-q"], {
      input: `${requests.map((r) => JSON.stringify(r)).join("\n")}\n`,
      encoding: "utf8",
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
      timeout: 120_000,
    });
    expect(result.status).toBe(0);
    const answers = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect([...byId.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const id of [1, 2, 3, 4]) expect(byId.get(id).error).toBeUndefined();
    expect(byId.get(3).result.resultId).toBe("r1");
    expect(byId.get(4).result.resultId).toBe("r1");
    expect(byId.get(4).result.lang).toBe("fra_Latn");
    // shutdown is answered after everything sent before it; a request after it gets an error.
    const order = answers.map((a) => a.id);
    for (const id of [1, 2, 3, 4]) expect(order.indexOf(id)).toBeLessThan(order.indexOf(5));
    expect(byId.get(5).result).toBeNull();
    expect(byId.get(6).error.message).toMatch(/shutting down/);
  }, 120_000);

  it("ends cleanly when the client disappears mid-request", async () => {
    const { child, exited } = startServer(["-q"]);
    const stderr = collect(child.stderr);
    const client = new RpcTestClient(child.stdin, child.stdout);
    const text = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
    client.request("summarize", {
      text,
      sourceLang: "eng_Latn",
      maxConcepts: 20,
      steps: 100,
      progressToken: 1,
    });
    await client.waitFor((m) => m.method === "notifications/progress");
    child.stdout.destroy();
    child.stdin.end();
    const t0 = performance.now();
    expect(await exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(stderr()).not.toMatch(/Error|at /);
  });

  it("refuses to start without --stdio (exit 2)", () => {
    const result = spawnSync(process.execPath, [CLI, "serve"], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--stdio/);
    expect(result.stdout).toBe("");
  });
});
