#!/usr/bin/env node
/**
 * Load on one `lcm serve --stdio` connection: rounds of 200 requests with 16 in flight, mixed methods
 * (outline, encode, summarize, render of earlier results, initialize), some cancelled while they run
 * ($/cancelRequest and notifications/cancelled), some malformed (invalid JSON, invalid requests,
 * unknown methods, invalid params, an oversized message). Checks that every request with an id is
 * answered exactly once, with its own id and its own content (each carries a unique uri/resultId that
 * the answer echoes, so a misrouted answer shows), that malformed input gets the right error code,
 * and that no progress notification follows its request's answer. Prints throughput, latency
 * percentiles per method, and the server's memory after each round (stable = no growth per round).
 *
 *   npm run build && node bench/server-load.mjs [--rounds 3] [--requests 200] [--in-flight 16]
 *                                               [--models DIR] [--seed 1]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const DATA = join(ROOT, "../shared/data/summarization/bbc_news_summary.all.jsonl.gz");

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}
const rounds = Number(arg("rounds", "3"));
const perRound = Number(arg("requests", "200"));
const inFlightLimit = Number(arg("in-flight", "16"));
const models = arg("models", null);
let seed = Number(arg("seed", "1"));

/** Small deterministic PRNG (mulberry32) so every run sends the same mix. */
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

/** Texts: paragraphs and whole articles of the BBC set when present, else the bundled example. */
function loadTexts() {
  let documents;
  try {
    documents = gunzipSync(readFileSync(DATA))
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).document);
  } catch {
    documents = readFileSync(join(ROOT, "examples/problems-of-philosophy.md"), "utf8").split(/\n(?=## )/);
  }
  const paragraphs = documents.flatMap((d) => d.split("\n\n")).filter((p) => p.length > 150);
  return { paragraphs, documents: documents.filter((d) => d.length < 4000) };
}

const MIX = [
  ["outline", 24],
  ["encode", 14],
  ["summarize", 18],
  ["render", 10],
  ["initialize", 4],
  ["cancelled", 12],
  ["bad-json", 4],
  ["bad-request", 4],
  ["bad-method", 3],
  ["bad-params", 4],
  ["oversized", 3],
];
const MIX_TOTAL = MIX.reduce((n, [, w]) => n + w, 0);
function drawKind() {
  let x = random() * MIX_TOTAL;
  for (const [kind, weight] of MIX) {
    x -= weight;
    if (x < 0) return kind;
  }
  return "outline";
}

const EXPECTED_ERROR = {
  "bad-json": -32700,
  "bad-request": -32600,
  "bad-method": -32601,
  "bad-params": -32602,
  oversized: -32600,
};

const texts = loadTexts();
const work = mkdtempSync(join(tmpdir(), "lcm-load-"));
const serverArgs = [CLI, "serve", "--stdio", "--max-message-mb", "1", "-q"];
if (models) serverArgs.push("--models", models);
const server = spawn(process.execPath, serverArgs, {
  env: { ...process.env, XDG_CACHE_HOME: join(work, "cache") },
  stdio: ["pipe", "pipe", "pipe"],
});
let serverLog = "";
server.stderr.on("data", (c) => {
  serverLog = (serverLog + c).slice(-4000);
});

// --- client -------------------------------------------------------------------------------------
const problems = [];
const sent = new Map(); // id -> { kind, method, at, uri?, resultId?, token? }
const answers = new Map(); // id -> count
const answeredTokens = new Set();
let nullAnswers = 0;
let expectedNull = 0;
let waiting = 0;
let wake = null;
const latencies = new Map(); // method -> ms[]
const results = []; // resultIds of finished summaries
let languages = ["eng_Latn"]; // the codec's, from initialize
let buffer = "";

server.stdout.on("data", (chunk) => {
  buffer += chunk;
  let at = buffer.indexOf("\n");
  while (at >= 0) {
    const line = buffer.slice(0, at);
    buffer = buffer.slice(at + 1);
    if (line.trim()) onMessage(JSON.parse(line));
    at = buffer.indexOf("\n");
  }
});

function onMessage(message) {
  if (message.method === "notifications/progress") {
    if (answeredTokens.has(message.params.progressToken))
      problems.push(`progress after the answer for token ${message.params.progressToken}`);
    return;
  }
  if (message.id === null) {
    nullAnswers++;
    if (message.error?.code !== -32700) problems.push(`null-id answer with code ${message.error?.code}`);
    done();
    return;
  }
  const request = sent.get(message.id);
  if (!request) {
    problems.push(`answer to an id never sent: ${JSON.stringify(message.id)}`);
    return;
  }
  const count = (answers.get(message.id) ?? 0) + 1;
  answers.set(message.id, count);
  if (count > 1) {
    problems.push(`id ${JSON.stringify(message.id)} answered ${count} times`);
    return;
  }
  if (request.token !== undefined) answeredTokens.add(request.token);
  check(request, message);
  const list = latencies.get(request.kind) ?? [];
  list.push(performance.now() - request.at);
  latencies.set(request.kind, list);
  done();
}

function check(request, message) {
  const id = JSON.stringify(message.id);
  const expected = EXPECTED_ERROR[request.kind];
  if (expected !== undefined) {
    if (message.error?.code !== expected)
      problems.push(`${request.kind} ${id}: code ${message.error?.code}, expected ${expected}`);
    return;
  }
  if (request.kind === "cancelled") {
    if (message.error && message.error.code !== -32800)
      problems.push(`cancelled ${id}: code ${message.error.code}`);
    if (message.result && message.result.uri !== request.uri)
      problems.push(`cancelled ${id}: answer for another request`);
    return;
  }
  if (message.error) {
    problems.push(`${request.kind} ${id}: error ${message.error.code} ${message.error.message}`);
    return;
  }
  const r = message.result;
  if (request.uri !== undefined && r.uri !== request.uri)
    problems.push(`${request.kind} ${id}: answer carries uri ${r.uri}`);
  if (request.kind === "render" && r.resultId !== request.resultId)
    problems.push(`render ${id}: answer for ${r.resultId}`);
  if (request.kind === "initialize" && r.serverInfo?.name !== "lcm")
    problems.push(`initialize ${id}: bad result`);
  if (message.id === "init") languages = r.languages.map((l) => l.code).filter((c) => c !== "eng_Latn");
  if (request.kind === "summarize") results.push(r.resultId);
}

function done() {
  waiting--;
  if (wake) {
    const w = wake;
    wake = null;
    w();
  }
}

function write(text) {
  server.stdin.write(`${text}\n`);
}

let nextId = 1;
function sendOne() {
  let kind = drawKind();
  if (kind === "render" && results.length === 0) kind = "outline";
  // Alternate number and string ids: both must come back exactly as sent.
  const n = nextId++;
  const id = n % 2 === 0 ? n : `req-${n}`;
  const uri = `bench://doc/${n}`;
  const at = performance.now();
  const paragraph = pick(texts.paragraphs);
  waiting++;
  switch (kind) {
    case "bad-json":
      expectedNull++;
      write(`{"jsonrpc":"2.0","id":${n},"method":"outline","params":{"text":`);
      return;
    case "bad-request":
      sent.set(id, { kind, at });
      write(JSON.stringify({ id, method: "outline", params: { text: paragraph } }));
      return;
    case "bad-method":
      sent.set(id, { kind, at });
      write(JSON.stringify({ jsonrpc: "2.0", id, method: "summarise", params: { text: paragraph } }));
      return;
    case "bad-params":
      sent.set(id, { kind, at });
      write(JSON.stringify({ jsonrpc: "2.0", id, method: "summarize", params: { text: 42, uri } }));
      return;
    case "oversized":
      sent.set(id, { kind, at });
      write(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "outline",
          params: { text: paragraph.repeat(Math.ceil(1.5e6 / paragraph.length)) },
        }),
      );
      return;
    case "initialize":
      sent.set(id, { kind, at });
      write(JSON.stringify({ jsonrpc: "2.0", id, method: "initialize", params: {} }));
      return;
    case "outline":
      sent.set(id, { kind, at, uri });
      write(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "outline",
          params: { text: pick(texts.documents), uri },
        }),
      );
      return;
    case "encode":
      sent.set(id, { kind, at, uri });
      write(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "encode",
          params: { text: paragraph, uri, includeVectors: n % 3 === 0 },
        }),
      );
      return;
    case "summarize": {
      const token = `p${n}`;
      sent.set(id, { kind, at, uri, token });
      write(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "summarize",
          params: { text: paragraph, uri, maxConcepts: 2, progressToken: token },
        }),
      );
      return;
    }
    case "render": {
      // The server keeps the last 32 results; ask for recent ones.
      const resultId = pick(results.slice(-16));
      sent.set(id, { kind, at, resultId });
      write(
        JSON.stringify({ jsonrpc: "2.0", id, method: "render", params: { resultId, lang: pick(languages) } }),
      );
      return;
    }
    case "cancelled": {
      const token = `c${n}`;
      sent.set(id, { kind, at, uri, token });
      const text = pick(texts.documents);
      write(
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "summarize",
          params: { text, uri, _meta: { progressToken: token } },
        }),
      );
      setTimeout(() => {
        if (n % 2 === 0) write(JSON.stringify({ jsonrpc: "2.0", method: "$/cancelRequest", params: { id } }));
        else
          write(
            JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } }),
          );
      }, random() * 400);
      return;
    }
  }
}

function serverMemory() {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
}

async function round() {
  for (let i = 0; i < perRound; i++) {
    while (waiting >= inFlightLimit) await new Promise((r) => (wake = r));
    sendOne();
  }
  while (waiting > 0) await new Promise((r) => (wake = r));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

console.log(
  `server-load: ${rounds} rounds x ${perRound} requests, ${inFlightLimit} in flight, one connection\n` +
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} at start; node ${process.version}`,
);
// Warm-up: models loaded and the first encodes done, so round 1 measures serving, not loading.
waiting += 2;
sent.set("init", { kind: "warmup", at: performance.now() });
write(JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: {} }));
sent.set("warmup", { kind: "warmup", at: performance.now() });
write(
  JSON.stringify({
    jsonrpc: "2.0",
    id: "warmup",
    method: "summarize",
    params: { text: texts.paragraphs[0], maxConcepts: 1 },
  }),
);
while (waiting > 0) await new Promise((r) => (wake = r));
const memory = [{ after: "warm-up", ...serverMemory() }];
const started = performance.now();
for (let r = 1; r <= rounds; r++) {
  const t0 = performance.now();
  await round();
  memory.push({ after: `round ${r} (${((performance.now() - t0) / 1000).toFixed(1)} s)`, ...serverMemory() });
}
const wallMs = performance.now() - started;

// Every request with an id answered exactly once; every bad-JSON line got its -32700.
for (const [id, request] of sent)
  if (!answers.has(id)) problems.push(`${request.kind} ${JSON.stringify(id)} never answered`);
if (nullAnswers !== expectedNull)
  problems.push(`${nullAnswers} parse errors for ${expectedNull} bad JSON lines`);

sent.set("bye", { kind: "warmup", at: performance.now() });
write(JSON.stringify({ jsonrpc: "2.0", id: "bye", method: "shutdown" }));
write(JSON.stringify({ jsonrpc: "2.0", method: "exit" }));
const exitCode = await new Promise((r) => server.on("exit", r));

const total = [...sent.values()].filter((r) => r.kind !== "warmup").length + expectedNull;
const byKind = {};
for (const [, request] of sent) byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
byKind["bad-json"] = expectedNull;
delete byKind.warmup;
console.log(`sent: ${JSON.stringify(byKind)}`);
const cancelled = [...sent].filter(([, r]) => r.kind === "cancelled").length;
console.log(
  `throughput: ${total} messages answered in ${(wallMs / 1000).toFixed(1)} s = ${((total * 1000) / wallMs).toFixed(1)} answers/s`,
);
const table = [];
for (const [kind, list] of latencies) {
  if (kind === "warmup") continue;
  const sorted = [...list].sort((a, b) => a - b);
  table.push({
    kind,
    n: sorted.length,
    p50_ms: percentile(sorted, 50).toFixed(0),
    p90_ms: percentile(sorted, 90).toFixed(0),
    p99_ms: percentile(sorted, 99).toFixed(0),
    max_ms: sorted.at(-1).toFixed(0),
  });
}
table.sort((a, b) => a.kind.localeCompare(b.kind));
console.table(table);
console.table(
  memory.map((m) => ({ after: m.after, rss_MiB: m.rssMiB.toFixed(0), peak_MiB: m.peakMiB.toFixed(0) })),
);
console.log(
  `cancelled requests: ${cancelled} (answered -32800, or with their result when they finished first)`,
);
console.log(`server exit code after shutdown + exit: ${exitCode}`);
console.log(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
if (problems.length > 0) {
  console.log(`PROBLEMS (${problems.length}):\n  ${problems.slice(0, 30).join("\n  ")}`);
  console.log(`server log tail:\n${serverLog}`);
  process.exitCode = 1;
} else {
  console.log(
    "checks: every request answered exactly once with its own id and content; errors as expected; OK",
  );
}
rmSync(work, { recursive: true, force: true });
