#!/usr/bin/env node
/**
 * Concept codec speed: sentences per CPU-second for encoding and decoding with our runtime (src/sonar), against the
 * naive way as the baseline (one sentence per graph run; for decoding also no key/value cache, i.e. the
 * whole prefix recomputed every step). Also: session load time and speed with and without folding the
 * int8 weights at load (disable_quant_qdq), and peak memory.
 *
 * Model: --model DIR, else models/default/codec, else the smoke codec the test suite trains
 * (node_modules/.cache/lcm-smoke-codec, or LCM_SMOKE_CODEC). For figures at the shipped size before
 * the trained default exists: `/usr/bin/python3 bench/make-random-codec.py /tmp/rand --tokenizer
 * <smoke>/tokenizer.model` makes a random d=512 6+6-layer 16k-vocabulary int8 codec. A random model
 * never emits </s>, so decoding always runs to --max-tokens; compare tokens/s. That script keeps the
 * PyTorch checkpoint next to the ONNX files, and then this benchmark also runs the same model in
 * PyTorch eager (bench/codec-speed-torch.py, Debian's python3-torch) and prints the ratios.
 *
 * Sentences: the first --count lines of NTREX-128 English (../shared/data) or of the test fixture.
 * Best of --repeat runs after a warm-up; threads from LCM_THREADS (default 1). Each line shows wall
 * time and process CPU time; ratios are computed on CPU time (work done), which stays meaningful on a
 * machine shared with other jobs, where wall time mostly measures the others.
 *
 * With --baseline DIR (another codec with the same contract, e.g. the previous release's files), the
 * two models' default encode and greedy decode are also timed in this process, runs alternating, and
 * the ratios printed: what a new model costs against the one it replaces, on the same machine state.
 *
 * Usage (after `npm run build`): node bench/codec-speed.mjs [--model DIR] [--baseline DIR] [--count 128]
 *   [--decode-count 16] [--max-tokens 40] [--repeat 3] [--parts fold,encode,decode,torch]
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ConceptCodec, ConceptDecoder, ConceptEncoder, DEFAULT_ENCODER_BATCHING, readManifest } from "lcm";

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const repo = new URL("..", import.meta.url).pathname;
process.env.LCM_THREADS ??= "1";
const count = Number(flag("--count", "128"));
const decodeCount = Number(flag("--decode-count", "16"));
const maxTokens = Number(flag("--max-tokens", "40"));
const repeat = Number(flag("--repeat", "3"));
/** Which parts to run: fold, encode, decode, torch (default: all). */
const parts = new Set(flag("--parts", "fold,encode,decode,torch").split(","));

function findModel() {
  const given = flag("--model", process.env.LCM_SMOKE_CODEC);
  if (given) return given;
  const bundled = join(repo, "models/default/codec");
  if (existsSync(join(bundled, "manifest.json"))) return bundled;
  const cache = join(repo, "node_modules/.cache/lcm-smoke-codec");
  const built = existsSync(cache)
    ? readdirSync(cache)
        .map((name) => join(cache, name))
        .filter((dir) => existsSync(join(dir, "manifest.json")))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (built.length > 0) return built[0];
  throw new Error("no model: pass --model DIR, or run the test suite once to train the smoke codec");
}

function loadSentences() {
  const ntrex = join(repo, "../shared/data/parallel/ntrex128/eng_Latn.txt.gz");
  const text = existsSync(ntrex)
    ? gunzipSync(readFileSync(ntrex)).toString("utf8")
    : readFileSync(join(repo, "test/fixtures/codec-smoke/codec/heldout/dev/eng_Latn.txt"), "utf8");
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const out = [];
  while (out.length < count) out.push(...lines.slice(0, count - out.length));
  return out;
}

/** Best wall-clock ms of `repeat` runs after a warm-up; `cpu` records the process CPU ms of that run. */
let lastCpuMs = 0;
async function best(fn) {
  await fn(); // warm-up
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    const wall = performance.now() - t;
    if (wall < min) {
      min = wall;
      const u = process.cpuUsage(c);
      lastCpuMs = (u.user + u.system) / 1000;
    }
  }
  return min;
}

const fmt = (x, digits = 1) => x.toFixed(digits).padStart(9);
const cpuNote = (r) => `  (wall ${r.wall.toFixed(0)} ms, CPU ${r.cpu.toFixed(0)} ms)`;
const modelDir = findModel();
const manifest = await readManifest(modelDir);
const sentences = loadSentences();
console.log(
  `model ${manifest.name} (${manifest.embeddingDim}-d, ${manifest.decoder.layers} decoder layers, vocab ${manifest.decoder.vocabSize}, ${manifest.weights ?? "?"}) from ${modelDir}`,
);
console.log(`threads ${process.env.LCM_THREADS}, ${sentences.length} sentences, best of ${repeat}\n`);

// --- session load and the int8 folding option ---
const codec = await ConceptCodec.load(manifest, { cache: false });
const lang = manifest.languages.includes("eng_Latn") ? "eng_Latn" : manifest.languages[0];
if (parts.has("fold")) await foldComparison();
async function foldComparison() {
  console.log(
    "int8 weights folded to fp32 at load (disable_quant_qdq) vs kept int8 (MatMulNBits); the runtime's",
  );
  console.log("defaults take the faster per graph: encoder unfolded, decoder folded:");
  for (const fold of [true, false]) {
    let t = performance.now();
    const encoder = await ConceptEncoder.load(manifest, codec.tokenizer, { foldQuantizedWeights: fold });
    const encLoad = performance.now() - t;
    t = performance.now();
    const decoder = await ConceptDecoder.load(manifest, codec.tokenizer, { foldQuantizedWeights: fold });
    const decLoad = performance.now() - t;
    await best(() => encoder.encode(sentences, lang));
    const encCpu = lastCpuMs;
    const vectors = (await encoder.encode(sentences.slice(0, 4), lang)).vectors;
    await best(() => decoder.decode(vectors, lang, { greedy: true, maxNewTokens: maxTokens }));
    const decCpu = lastCpuMs;
    console.log(
      `  fold=${fold ? "yes" : "no "}  load (wall) encoder ${fmt(encLoad, 0)} ms, decoder ${fmt(decLoad, 0)} ms;` +
        `  encode ${fmt((sentences.length / encCpu) * 1000)} sent/CPU-s;  greedy decode ${fmt((4 / decCpu) * 1000, 2)} sent/CPU-s`,
    );
    await encoder.release();
    await decoder.release();
  }
}

// --- encode ---
if (parts.has("encode")) await encodeComparison();
async function encodeComparison() {
  console.log("\nencode (sentences per CPU-second, ratio to one sentence per run):");
  async function encodeWith(batching, chunked = 0) {
    const encoder = await ConceptEncoder.load(manifest, codec.tokenizer, { batching });
    const ms = await best(async () => {
      if (chunked === 0) return encoder.encode(sentences, lang);
      for (let i = 0; i < sentences.length; i += chunked)
        await encoder.encode(sentences.slice(i, i + chunked), lang);
    });
    await encoder.release();
    return { sps: (sentences.length / lastCpuMs) * 1000, cpu: lastCpuMs, wall: ms };
  }
  const naive = await encodeWith({ tokenBudget: 1e9, maxRows: 1 });
  const naiveEncode = naive.sps;
  console.log(`  naive, 1 per run                        ${fmt(naiveEncode)} ${fmt(1, 2)}x${cpuNote(naive)}`);
  const unbucketed = await encodeWith({ tokenBudget: 1e9, maxRows: 32 }, 32);
  console.log(
    `  32 per run, input order (no bucketing)  ${fmt(unbucketed.sps)} ${fmt(unbucketed.sps / naiveEncode, 2)}x${cpuNote(unbucketed)}`,
  );
  for (const [rows, budget] of [
    [8, 4096],
    [32, 4096],
    [64, 512], // the runtime's default
    [128, 4096],
  ]) {
    const r = await encodeWith({ tokenBudget: budget, maxRows: rows });
    console.log(
      `  bucketed, <=${String(rows).padEnd(3)} rows, budget ${String(budget).padEnd(5)}  ${fmt(r.sps)} ${fmt(r.sps / naiveEncode, 2)}x${cpuNote(r)}`,
    );
  }
}

// --- decode ---
if (parts.has("decode")) await decodeComparison();
async function decodeComparison() {
  console.log(
    `\ndecode (${decodeCount} sentences, at most ${maxTokens} new tokens; per CPU-second: sentences, tokens; ratio to naive):`,
  );
  const decoder = await codec.decoder();
  const vectors = (await codec.encode(sentences.slice(0, decodeCount), lang)).vectors;
  for (const search of [{ greedy: true }, { beam: 5 }]) {
    const name = search.greedy ? "greedy" : "beam 5";
    const rows = [];
    let tokens = 0;
    const run = async (options, oneByOne) => {
      tokens = 0;
      const count = (list) => {
        for (const d of list) tokens += d.tokens.length + 1;
      };
      if (!oneByOne)
        count(await decoder.decode(vectors, lang, { ...search, maxNewTokens: maxTokens, ...options }));
      else
        for (const v of vectors)
          count(await decoder.decode([v], lang, { ...search, maxNewTokens: maxTokens, ...options }));
    };
    for (const [label, options, oneByOne] of [
      ["naive: 1 per run, no KV cache", { useCache: false }, true],
      ["1 per run, KV cache", {}, true],
      ["batched, KV cache (default)", {}, false],
    ]) {
      const ms = await best(() => run(options, oneByOne));
      rows.push({
        label,
        sps: (vectors.length / lastCpuMs) * 1000,
        tps: (tokens / lastCpuMs) * 1000,
        wall: ms,
        cpu: lastCpuMs,
      });
    }
    for (const r of rows) {
      console.log(
        `  ${name.padEnd(7)} ${r.label.padEnd(32)} ${fmt(r.sps, 2)} sent ${fmt(r.tps, 0)} tok ${fmt(r.sps / rows[0].sps, 2)}x${cpuNote(r)}`,
      );
    }
  }
}
await codec.release();

// --- against a baseline model (--baseline), runs alternating ---
const baselineDir = flag("--baseline", undefined);
if (baselineDir) await baselineComparison(baselineDir);
async function baselineComparison(dir) {
  // this model first, then the baseline
  const models = [
    { codec: await ConceptCodec.load(manifest, { cache: false }) },
    { codec: await ConceptCodec.load(await readManifest(dir), { cache: false }) },
  ];
  console.log(
    `\nagainst the baseline ${dir} (default settings, greedy decoding to at most ${maxTokens} tokens; best of ${repeat} alternating runs, per CPU-second):`,
  );
  const measure = async (model) => {
    let c = process.cpuUsage();
    await model.codec.encode(sentences, lang);
    let u = process.cpuUsage(c);
    const encode = sentences.length / ((u.user + u.system) / 1e6);
    const concepts = (await model.codec.encode(sentences.slice(0, decodeCount), lang)).vectors;
    c = process.cpuUsage();
    const decoded = await model.codec.decode(concepts, lang, { greedy: true, maxNewTokens: maxTokens });
    u = process.cpuUsage(c);
    const seconds = (u.user + u.system) / 1e6;
    const tokens = decoded.reduce((n, d) => n + d.tokens.length + 1, 0);
    return { encode, decodeSentences: concepts.length / seconds, decodeTokens: tokens / seconds, tokens };
  };
  for (const model of models) await measure(model); // warm-up
  const bestOf = models.map(() => ({ encode: 0, decodeSentences: 0, decodeTokens: 0, tokens: 0 }));
  for (let i = 0; i < repeat; i++) {
    for (const [k, model] of models.entries()) {
      const r = await measure(model);
      for (const key of Object.keys(r)) bestOf[k][key] = Math.max(bestOf[k][key], r[key]);
    }
  }
  const [ours, base] = bestOf;
  const row = (label, a, b, unit) =>
    console.log(
      `  ${label.padEnd(30)} ${fmt(a)} ${unit}  baseline ${fmt(b)} ${unit}  ratio ${fmt(a / b, 2)}x`,
    );
  row("encode", ours.encode, base.encode, "sent");
  row("greedy decode", ours.decodeSentences, base.decodeSentences, "sent");
  row("greedy decode", ours.decodeTokens, base.decodeTokens, "tok ");
  console.log(`  tokens decoded: ${ours.tokens} (this model), ${base.tokens} (baseline)`);
  for (const model of models) await model.codec.release();
}

console.log(
  `\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (all of the above in one process)`,
);

// --- the same model in PyTorch (eager), when its checkpoint is at hand ---
const checkpoint = join(modelDir, "checkpoint.pt");
if (parts.has("torch") && existsSync(checkpoint)) {
  const file = join(tmpdir(), `lcm-bench-sentences-${process.pid}.txt`);
  writeFileSync(file, sentences.join("\n"));
  const ours = await oursForTorch();
  const result = spawnSync(
    process.env.PYTHON ?? "/usr/bin/python3",
    [
      join(repo, "bench/codec-speed-torch.py"),
      ...[
        "--checkpoint",
        checkpoint,
        "--tokenizer",
        join(modelDir, manifest.tokenizer.file),
        "--sentences",
        file,
      ],
      ...["--decode-count", String(decodeCount), "--max-tokens", String(maxTokens), "--lang", lang],
      ...["--threads", process.env.LCM_THREADS],
      ...["--batch-tokens", String(DEFAULT_ENCODER_BATCHING.tokenBudget)],
      ...["--batch-rows", String(DEFAULT_ENCODER_BATCHING.maxRows)],
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) {
    console.log(
      `\nPyTorch comparison failed: ${(result.stderr || result.error?.message || "").trim().split("\n").pop()}`,
    );
  } else {
    const torch = JSON.parse(result.stdout);
    console.log(
      `\nPyTorch ${torch.torch} eager vs ours, same checkpoint and sentences, ${torch.threads} thread(s), per CPU-second:`,
    );
    const line = (label, a, b, unit) =>
      console.log(
        `  ${label.padEnd(36)} ours ${fmt(a)} ${unit}  torch ${fmt(b)} ${unit}  ratio ${fmt(a / b, 2)}x`,
      );
    line("encode (bucketed batches, both)", ours.encode, torch.encode_sentences_per_cpu_s, "sent");
    line("greedy decode, KV cache", ours.cached, torch.greedy_cached_tokens_per_cpu_s, "tok ");
    line("greedy decode, no cache", ours.uncached, torch.greedy_uncached_tokens_per_cpu_s, "tok ");
    console.log(
      `  cache speed-up (cached / uncached tokens per CPU-s): ours ${fmt(ours.cached / ours.uncached, 2)}x, torch ${fmt(torch.greedy_cached_tokens_per_cpu_s / torch.greedy_uncached_tokens_per_cpu_s, 2)}x`,
    );
    console.log(
      `  peak RSS: torch process ${torch.peak_rss_mb.toFixed(0)} MB; ours (this whole benchmark) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  }
}

/** Our figures in the PyTorch script's terms: exactly maxTokens greedy steps per concept, batched. */
async function oursForTorch() {
  const fresh = await ConceptCodec.load(manifest, { cache: false });
  await best(() => fresh.encode(sentences, lang));
  const encode = (sentences.length / lastCpuMs) * 1000;
  const concepts = (await fresh.encode(sentences.slice(0, decodeCount), lang)).vectors;
  const rate = async (useCache) => {
    let tokens = 0;
    await best(async () => {
      tokens = 0;
      for (const d of await fresh.decode(concepts, lang, {
        greedy: true,
        maxNewTokens: maxTokens,
        useCache,
      })) {
        tokens += d.tokens.length + 1;
      }
    });
    return (tokens / lastCpuMs) * 1000;
  };
  const result = { encode, cached: await rate(true), uncached: await rate(false) };
  await fresh.release();
  return result;
}
