#!/usr/bin/env node
/**
 * SentencePiece throughput: our TypeScript tokenizer (src/codec/sentencepiece) against
 *  - a naive TypeScript unigram Viterbi (same normalizer; every substring up to the longest piece
 *    looked up in a Map, plain double arithmetic): what a straightforward port costs;
 *  - Python's C++ `sentencepiece` on the same sentences, when /usr/bin/python3 has it (includes
 *    the Python call overhead per sentence, as our callers would pay theirs).
 * Times are process CPU time (this machine is often shared), best of 5 passes after a warm-up.
 *
 * Sentences: the first lines of every NTREX-128 language (10,000 in all, ~120 languages, many
 * scripts). Models: the test fixtures (4k unigram with byte fallback, 2k BPE), the shipped codec's
 * 16k tokenizer, and any --model PATH (e.g. NLLB's sentencepiece.source.256000.model).
 *
 * Usage (after `npm run build`): node bench/tokenizer-speed.mjs [--data DIR] [--count N] [--model PATH]
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SentencePieceProcessor } from "lcm";

function flag(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const repo = new URL("..", import.meta.url).pathname;
const data = flag("--data", join(repo, "../shared/data"));
const count = Number(flag("--count", "10000"));

function loadSentences() {
  const dir = join(data, "parallel/ntrex128");
  const files = readdirSync(dir).filter((f) => f.endsWith(".txt.gz"));
  const perFile = Math.ceil(count / files.length);
  const out = [];
  for (const f of files.sort()) {
    const lines = gunzipSync(readFileSync(join(dir, f)))
      .toString("utf8")
      .split("\n");
    out.push(...lines.filter((l) => l.length > 0).slice(0, perFile));
  }
  return out.slice(0, count);
}

function seconds(run) {
  const start = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(start);
  return [(used.user + used.system) / 1e6, result];
}

function bestOf(passes, run) {
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < passes; i++) best = Math.min(best, seconds(run)[0]);
  return best;
}

/** The straightforward unigram port used as the baseline (not exact on float ties; ids are compared). */
function naiveUnigram(sp) {
  const pieces = new Map();
  let maxLen = 0;
  let minScore = 0;
  sp.model.pieces.forEach((p, id) => {
    if (p.type === 1 || p.type === 4) {
      pieces.set(p.piece, [id, p.type === 4 ? -0.1 : p.score]);
      maxLen = Math.max(maxLen, p.piece.length);
    }
    if (p.type === 1) minScore = Math.min(minScore, p.score);
  });
  return (text) => {
    const s = sp.normalize(text);
    const n = s.length;
    const best = new Float64Array(n + 1).fill(Number.NEGATIVE_INFINITY);
    const from = new Int32Array(n + 1);
    const ids = new Int32Array(n + 1);
    best[0] = 0;
    for (let i = 0; i < n; i++) {
      if (best[i] === Number.NEGATIVE_INFINITY) continue;
      let single = false;
      for (let j = i + 1; j <= Math.min(n, i + maxLen); j++) {
        const hit = pieces.get(s.slice(i, j));
        if (hit === undefined) continue;
        if (j === i + 1) single = true;
        if (best[i] + hit[1] > best[j]) [best[j], from[j], ids[j]] = [best[i] + hit[1], i, hit[0]];
      }
      if (!single && best[i] + minScore - 10 > best[i + 1])
        [best[i + 1], from[i + 1], ids[i + 1]] = [best[i] + minScore - 10, i, sp.unkId];
    }
    const out = [];
    for (let j = n; j > 0; j = from[j]) out.push(ids[j]);
    return out.reverse();
  };
}

function pythonSeconds(modelPath, sentencesPath) {
  const script = `
import json, sys, time, sentencepiece as spm
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
sents = json.load(open(sys.argv[2], encoding="utf-8"))
def best(run):
    run()
    times = []
    for _ in range(5):
        t = time.process_time(); run(); times.append(time.process_time() - t)
    return min(times)
ids = [sp.encode(s) for s in sents]
print(json.dumps([best(lambda: [sp.encode(s) for s in sents]), best(lambda: sp.encode(sents)),
                  best(lambda: [sp.decode(x) for x in ids])]))`;
  try {
    const out = execFileSync("/usr/bin/python3", ["-c", script, modelPath, sentencesPath], {
      encoding: "utf8",
    });
    return JSON.parse(out);
  } catch {
    return null;
  }
}

const sentences = loadSentences();
const chars = sentences.reduce((n, s) => n + s.length, 0);
const sentencesPath = join(tmpdir(), `lcm-tokenizer-bench-${process.pid}.json`);
writeFileSync(sentencesPath, JSON.stringify(sentences));

const extra = flag("--model", null);
const models = [
  ["fixture unigram 4k", join(repo, "test/fixtures/spm/unigram.model")],
  ["fixture BPE 2k", join(repo, "test/fixtures/spm/bpe.model")],
  ["shipped codec 16k", join(repo, "models/default/codec/tokenizer.model")],
  ...(extra ? [[extra, extra]] : []),
].filter(([, path]) => existsSync(path));

console.log(`${sentences.length} sentences, ${chars} characters, node ${process.version}`);
const rate = (s) => `${Math.round(sentences.length / s).toLocaleString("en-US")} sent/s`;
for (const [name, path] of models) {
  const bytes = readFileSync(path);
  // Load includes building the piece trie (done by the first encode).
  const [loadS, sp] = seconds(() => {
    const processor = SentencePieceProcessor.fromBytes(bytes);
    processor.encode("warm-up");
    return processor;
  });
  const ids = sentences.map((s) => sp.encode(s));
  const encodeS = bestOf(5, () => sentences.map((s) => sp.encode(s)));
  const decodeS = bestOf(5, () => ids.map((x) => sp.decode(x)));
  const tokens = ids.reduce((n, x) => n + x.length, 0);
  console.log(`\n${name}: load ${(loadS * 1000).toFixed(0)} ms, ${tokens} tokens`);
  console.log(`  ours    encode ${(encodeS * 1000).toFixed(0).padStart(6)} ms  ${rate(encodeS)}`);
  console.log(`  ours    decode ${(decodeS * 1000).toFixed(0).padStart(6)} ms  ${rate(decodeS)}`);
  if (sp.model.trainerSpec.modelType === 1) {
    const naive = naiveUnigram(sp);
    const naiveS = bestOf(2, () => sentences.map((s) => naive(s)));
    console.log(
      `  naive   encode ${(naiveS * 1000).toFixed(0).padStart(6)} ms  ${rate(naiveS)}  (ours is ${(naiveS / encodeS).toFixed(1)}x)`,
    );
  }
  const py = pythonSeconds(path, sentencesPath);
  if (py) {
    console.log(
      `  python  encode ${(py[0] * 1000).toFixed(0).padStart(6)} ms  ${rate(py[0])}  (one call per sentence; ours is ${(py[0] / encodeS).toFixed(1)}x)`,
    );
    console.log(
      `  python  encode ${(py[1] * 1000).toFixed(0).padStart(6)} ms  ${rate(py[1])}  (one batch call)`,
    );
    console.log(`  python  decode ${(py[2] * 1000).toFixed(0).padStart(6)} ms  ${rate(py[2])}`);
  }
}
