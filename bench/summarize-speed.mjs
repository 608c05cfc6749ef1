/**
 * End-to-end speed of `summarize` on a 10,000-word document summarized to 10 concepts, with the time
 * split into segment, encode, generate and decode (issue 6: under 5 s on the 2-core machine).
 *
 * The document is real text from the repository: the public-domain inaugural addresses in
 * test/fixtures/lcm-smoke/docs.jsonl as one Markdown document (a heading per address), cut at the
 * paragraph where it reaches 10,000 words. The concept cache is off, so encoding is cold.
 *
 *   npm run build
 *   node bench/summarize-speed.mjs [--models DIR] [--runs N] [--threads N] [--words N] [--concepts N] [--beam K] [--grounded]
 *     [--baseline DIR] [--model M[,M...]]
 *   --model: the LCM families to time (two-tower, one-tower, quant, base; default the LCM's own), each on
 *   the same document in this process, runs alternating; prints each one's medians and its ratio to the
 *   first (the bundled families are companions of the Two-Tower: tasks/engine.ts)
 *   --baseline: a second models root (e.g. the previous release's) run the same way in this process,
 *   runs alternating with the main one; prints per-stage medians of both and their ratios
 *   (--beam defaults to the codec's decoder.default_beam; --grounded shows concepts as source sentences
 *   where the model's grounding threshold allows, which skips decoding them)
 *
 * Besides wall time it prints the process's CPU time (a loaded machine inflates wall time), and, as a
 * yardstick for the decode stage, the time to decode ten of the document's own sentences (an untrained
 * stand-in LCM makes concepts the decoder turns into maximum-length noise).
 *
 * Models: the usual discovery (--models, LCM_MODELS, user data dir, models/default). Before the trained
 * default LCM ships, time an untrained stand-in of the same architecture:
 *   /usr/bin/python3 bench/make-standin-lcm.py /tmp/standin && mkdir -p /tmp/m &&
 *   cp -r models/default/codec /tmp/m/codec && cp -r /tmp/standin /tmp/m/lcm &&
 *   node bench/summarize-speed.mjs --models /tmp/m
 */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { ConceptEngine, summarize } from "lcm";

const { values } = parseArgs({
  options: {
    models: { type: "string" },
    runs: { type: "string", default: "1" },
    threads: { type: "string" },
    words: { type: "string", default: "10000" },
    concepts: { type: "string", default: "10" },
    beam: { type: "string" },
    grounded: { type: "boolean", default: false },
    baseline: { type: "string" },
    model: { type: "string" },
  },
});
const models = values.model ? values.model.split(",") : [undefined];
const targetWords = Number(values.words);

function inauguralDocument(words) {
  const lines = readFileSync(new URL("../test/fixtures/lcm-smoke/docs.jsonl", import.meta.url), "utf8")
    .split("\n")
    .filter(Boolean);
  const parts = [];
  let count = 0;
  for (const line of lines) {
    const doc = JSON.parse(line);
    const [, year, name] = /(\d{4})-(.*)$/.exec(doc.id) ?? [null, "", doc.id];
    parts.push(`# Inaugural address, ${year} (${name})`);
    for (const paragraph of doc.text.split(/\n\s*\n/)) {
      if (count >= words) break;
      parts.push(paragraph.trim());
      count += paragraph.split(/\s+/).filter(Boolean).length;
    }
    if (count >= words) break;
  }
  return { text: `${parts.join("\n\n")}\n`, words: count };
}

const doc = inauguralDocument(targetWords);
const threads = values.threads ? Number(values.threads) : undefined;
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const cpuTime = (usage) => (usage.user + usage.system) / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const STAGES = ["segment", "encode", "generate", "decode", "total"];

async function openEngine(models, model) {
  const loadStart = performance.now();
  const engine = await ConceptEngine.open({ models, cache: false, threads, model });
  return { engine, model, loadMs: performance.now() - loadStart, timings: [] };
}

const main = await openEngine(values.models, models[0]);
// The other families asked for: the LCMs beside the first (sharing its codec), timed the same way.
const others = [];
for (const model of models.slice(1)) {
  const start = performance.now();
  others.push({
    engine: await main.engine.forModel(model),
    model,
    loadMs: performance.now() - start,
    timings: [],
  });
}
const base = values.baseline ? await openEngine(values.baseline, models[0]) : null;
const { engine } = main;
const load = loadavg();
console.log(
  `document: ${doc.words} words, ${doc.text.length} chars (inaugural addresses 1789-); ` +
    `LCM ${engine.spec.manifest.name} (d=${engine.spec.modelDim}, max_context ${engine.spec.maxContext}) ` +
    `on codec ${engine.codec.name} (${engine.codec.dim}-d)`,
);
console.log(
  `machine: ${cpus().length} cores, load average ${load.map((x) => x.toFixed(2)).join(" ")}; ` +
    `threads ${threads ?? "default"}; models loaded in ${(main.loadMs / 1000).toFixed(2)} s (not counted below)`,
);

// The codec's own default unless --beam says otherwise (the shipped codec decodes greedily).
const beam = values.beam ? Number(values.beam) : engine.codec.manifest.decoder.defaultBeam;
let sourceSentences = null;

async function timedRun(subject, run, label) {
  const cpu = process.cpuUsage();
  const result = await summarize(
    subject.engine,
    { text: doc.text, name: "inaugural.md", format: "markdown" },
    {
      maxConcepts: Number(values.concepts),
      seed: run,
      decode: { beam },
      grounded: values.grounded,
      ...(subject.model && { model: subject.model }),
    },
  );
  const cpuMs = cpuTime(process.cpuUsage(cpu));
  if (subject === main) sourceSentences ??= result.source.sentences;
  const t = result.stats.timings;
  subject.timings.push(t);
  const h = result.hierarchy;
  const shape = h
    ? `${h.levels} levels, ${h.chunks.filter((c) => c.level === 1).length} chunks`
    : "one level (fits the context)";
  console.log(
    `${label}run ${run}: segment ${fmt(t.segment)} | encode ${fmt(t.encode)} | generate ${fmt(t.generate)} | ` +
      `decode ${fmt(t.decode)} | total ${fmt(t.total)} (process CPU ${fmt(cpuMs)})`,
  );
  console.log(
    `  ${result.stats.sourceSentences} sentences, ${shape}; ${result.concepts.length} summary concepts ` +
      `(${result.stats.generated} generated in ${result.stats.calls} calls, ${result.stats.denoiserRuns} denoiser runs, ` +
      `${result.stats.contextRuns} contextualizer runs); stops: ${result.stops.join(", ")}` +
      (values.grounded ? `; ${result.stats.grounded} shown as source sentences` : ""),
  );
}

const label = (subject) => (subject.model ? `${subject.model} ` : "");
for (let run = 1; run <= Number(values.runs); run++) {
  await timedRun(main, run, base ? "models   " : label(main));
  for (const other of others) await timedRun(other, run, label(other));
  if (base) await timedRun(base, run, "baseline ");
}
const medians = (subject) =>
  Object.fromEntries(STAGES.map((k) => [k, median(subject.timings.map((t) => t[k]))]));
const m = medians(main);
console.log(`median total: ${fmt(m.total)} (target < 5 s)`);
for (const other of others) {
  const o = medians(other);
  console.log(
    `${other.model} medians (ratio to ${main.model ?? "the first"}): ` +
      STAGES.map((k) => `${k} ${fmt(o[k])} (${m[k] > 0 ? (o[k] / m[k]).toFixed(2) : "-"}x)`).join(" | "),
  );
}
if (base) {
  const b = medians(base);
  console.log(
    `baseline (${values.baseline}) medians vs models: ` +
      STAGES.map(
        (k) => `${k} ${fmt(b[k])} -> ${fmt(m[k])} (${m[k] > 0 ? (b[k] / m[k]).toFixed(2) : "-"}x)`,
      ).join(" | "),
  );
  await base.engine.release();
}

// Yardstick: decoding ten real sentences' concepts, what a trained model's summary costs to render.
const sample = sourceSentences.slice(0, 10).map((s) => s.text);
const encoded = await engine.codec.encode(sample, "eng_Latn");
const cpu = process.cpuUsage();
const t0 = performance.now();
const decoded = await engine.codec.decode(encoded.vectors, "eng_Latn", { beam });
const tokens = decoded.reduce((n, d) => n + d.tokens.length, 0);
console.log(
  `decode yardstick: 10 of the document's own sentences (${tokens} tokens) decode in ` +
    `${fmt(performance.now() - t0)} (process CPU ${fmt(cpuTime(process.cpuUsage(cpu)))}), beam ${beam}`,
);
await engine.release();
