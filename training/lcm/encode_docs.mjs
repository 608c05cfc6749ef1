// Stage 1 of the LCM pipeline: segment and encode documents with the SAME TypeScript planner and ONNX
// encoder the tool uses at inference, so training and inference see identical concepts.
//
//   node training/lcm/encode_docs.mjs --codec models/default/codec --out training/data/lcm \
//        --name NAME --input FILE.jsonl[.gz] [--summary-field title] [--max-docs N] [--max-sentences N]
//
// Input records: documents ({id, text}) or summarization records ({id, document, summaries: [...]}).
// --summary-field makes a document's own field its one-concept summary: a news headline states what
// the article is about, which is the summarize task at its shortest (the ABC news documents' titles).
// Writes NAME.f32 (float32 concept rows, appended) and NAME.jsonl (one line per record:
// {id, parts: {document: [start, count], summaries: [[start, count], ...]}}). Needs `npm run build`.
import { appendFileSync, createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { parseArgs } from "node:util";

const root = new URL("../../", import.meta.url).pathname;
const { sentencesOf: segment } = await import("./sentences.mjs");
const { ConceptCodec } = await import(join(root, "dist/src/sonar/codec.js"));

const { values: args } = parseArgs({
  options: {
    codec: { type: "string", default: join(root, "models/default/codec") },
    out: { type: "string" },
    name: { type: "string" },
    input: { type: "string" },
    "max-docs": { type: "string", default: "0" },
    "max-sentences": { type: "string", default: "0" },
    lang: { type: "string", default: "eng_Latn" },
    "summary-field": { type: "string" },
  },
});
mkdirSync(args.out, { recursive: true });
const vecPath = join(args.out, `${args.name}.f32`);
const idxPath = join(args.out, `${args.name}.jsonl`);
writeFileSync(vecPath, Buffer.alloc(0));
writeFileSync(idxPath, "");
const codec = await ConceptCodec.load(args.codec, { cache: false });
const maxDocs = Number(args["max-docs"]);
const maxSentences = Number(args["max-sentences"]);

function sentencesOf(text) {
  const out = segment(text, args.lang);
  return maxSentences ? out.slice(0, maxSentences) : out;
}

let rows = 0;
let docs = 0;
const started = Date.now();
async function encodeAll(sentences) {
  if (sentences.length === 0) return [rows, 0];
  const { vectors } = await codec.encode(sentences, args.lang);
  const buf = new Float32Array(vectors.length * codec.dim);
  vectors.forEach((v, i) => buf.set(v, i * codec.dim));
  appendFileSync(vecPath, Buffer.from(buf.buffer));
  const start = rows;
  rows += vectors.length;
  return [start, vectors.length];
}

const stream = args.input.endsWith(".gz") ? createReadStream(args.input).pipe(createGunzip()) : createReadStream(args.input);
for await (const line of createInterface({ input: stream })) {
  if (!line.trim()) continue;
  const rec = JSON.parse(line);
  const parts = {};
  if (rec.summaries) {
    parts.document = await encodeAll(sentencesOf(rec.document));
    parts.summaries = [];
    for (const s of rec.summaries) parts.summaries.push(await encodeAll(sentencesOf(s)));
  } else {
    parts.document = await encodeAll(sentencesOf(rec.text));
    const field = args["summary-field"];
    const headline = field ? rec[field]?.trim() : "";
    // A headline is one concept even when the segmenter would cut it (no final stop, colons).
    if (headline) parts.summaries = [await encodeAll([headline.slice(0, 256)])];
  }
  appendFileSync(idxPath, `${JSON.stringify({ id: rec.id, parts })}\n`);
  docs++;
  if (docs % 20 === 0)
    process.stderr.write(`${args.name}: ${docs} records, ${rows} concepts, ${(rows / ((Date.now() - started) / 1000)).toFixed(1)} concepts/s\n`);
  if (maxDocs && docs >= maxDocs) break;
}
process.stderr.write(`${args.name}: done, ${docs} records, ${rows} concepts in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
