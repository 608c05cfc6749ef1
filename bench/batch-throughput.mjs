#!/usr/bin/env node
/**
 * Batch summarization throughput: `lcm summarize DIR --format jsonl` over 100 news articles (the BBC
 * News Summary set in ../shared/data, or --data FILE.jsonl[.gz] with {"id", "document"} lines), run
 * twice on a fresh concept cache: the first run encodes every sentence, the second finds them all in
 * the cache. Prints wall time, documents/s, source concepts/s, where the time went (summed per-document
 * timings) and the cached run's speed-up. Uses the installed models (or --models DIR).
 *
 *   npm run build && node bench/batch-throughput.mjs [--jobs 1] [--docs 100] [--models DIR] [--data FILE]
 *                                                    [--also-jobs 2] [--max-concepts N]
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");
const DEFAULT_DATA = join(ROOT, "../shared/data/summarization/bbc_news_summary.all.jsonl.gz");

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const jobs = Number(arg("jobs", "1"));
const alsoJobs = arg("also-jobs", null);
const count = Number(arg("docs", "100"));
const models = arg("models", null);
const dataPath = arg("data", DEFAULT_DATA);
const maxConcepts = arg("max-concepts", null);

function loadDocuments() {
  const raw = readFileSync(dataPath);
  const text = dataPath.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  const docs = text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .slice(0, count);
  if (docs.length < count) throw new Error(`${dataPath} has only ${docs.length} documents`);
  return docs;
}

function run(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

function summarizeRun(label, result) {
  const records = result.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const ok = records.filter((r) => r.ok);
  const sum = (f) => ok.reduce((n, r) => n + f(r), 0);
  const sentences = sum((r) => r.stats.source_sentences);
  const row = {
    run: label,
    exit: result.code,
    docs: `${ok.length}/${records.length}`,
    wall_s: (result.ms / 1000).toFixed(1),
    docs_per_s: ((ok.length * 1000) / result.ms).toFixed(2),
    concepts_per_s: ((sentences * 1000) / result.ms).toFixed(0),
    cache_hits: `${sum((r) => r.stats.encode_cache_hits)}/${sentences}`,
    encode_s: (sum((r) => r.stats.timings_ms.encode) / 1000).toFixed(1),
    generate_s: (sum((r) => r.stats.timings_ms.generate) / 1000).toFixed(1),
    decode_s: (sum((r) => r.stats.timings_ms.decode) / 1000).toFixed(1),
    summary_concepts: sum((r) => r.concepts.length),
  };
  const failed = records.filter((r) => !r.ok);
  if (failed.length > 0) console.log(`  ${label}: ${failed.length} failed, first: ${failed[0].error}`);
  return { row, ms: result.ms, records };
}

const docs = loadDocuments();
const work = mkdtempSync(join(tmpdir(), "lcm-batch-bench-"));
const dir = join(work, "docs");
mkdirSync(dir);
for (const d of docs) writeFileSync(join(dir, `${d.id}.txt`), d.document);
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d.document), 0);
const env = { ...process.env, XDG_CACHE_HOME: join(work, "cache") };
const base = ["summarize", dir, "--format", "jsonl", "--quiet"];
if (models) base.push("--models", models);
if (maxConcepts) base.push("--max-concepts", maxConcepts);

console.log(
  `batch-throughput: ${docs.length} documents (${(bytes / 1024).toFixed(0)} KiB) from ${dataPath}\n` +
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")} at start; node ${process.version}`,
);

const rows = [];
const cold = summarizeRun(`cold, --jobs ${jobs}`, await run([...base, "--jobs", String(jobs)], env));
rows.push(cold.row);
const warm = summarizeRun(`cached, --jobs ${jobs}`, await run([...base, "--jobs", String(jobs)], env));
rows.push(warm.row);
if (alsoJobs)
  rows.push(summarizeRun(`cached, --jobs ${alsoJobs}`, await run([...base, "--jobs", alsoJobs], env)).row);
console.table(rows);
console.log(
  `cached run speed-up: ${(cold.ms / warm.ms).toFixed(2)}x wall time ` +
    `(encoding ${cold.row.encode_s}s -> ${warm.row.encode_s}s; generation and decoding are not cached)`,
);
const warmByInput = new Map(warm.records.map((r) => [r.input, r.summary]));
const same = cold.records.every((r) => !r.ok || r.summary === warmByInput.get(r.input));
console.log(`cached run gives the same summaries: ${same}`);
console.log(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
if (!process.argv.includes("--keep")) rmSync(work, { recursive: true, force: true });
