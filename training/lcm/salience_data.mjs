// Training data for the salience head (src/tasks/salience-head.ts): for every summarization record,
// the candidate sentences a grounded summary of its document could show (the tool's own reading,
// segmentation, encoding and candidate rule: groundingCandidates), the head's input row for each
// (salienceHeadInputs in the LCM's whitened space) and the extractive-oracle label of each: the
// candidates that best reproduce the reference summary (greedy on ROUGE-1 + ROUGE-2 F, adding one
// only while the score rises, at most as many as the reference has sentences: oracle.mjs).
//
//   node training/lcm/salience_data.mjs --input FILE.jsonl[.gz] --out DIR --name NAME \
//        [--lcm models/default/lcm] [--max-docs N]
//
// Records: {id, document, summaries: [...]} (../shared/data's summarization files, lcm.import_*
// output, or make_eval_set.py's SPLIT.jsonl). Writes NAME.f32 (float32 input rows, every record's
// candidates in order) and NAME.jsonl ({id, rows: [start, count], labels: [candidate positions],
// order: the same positions in the order the greedy search took them (most informative first),
// texts: [the candidates' whole sentences]}). Records are not split here: fit_salience_head.py keeps
// the train split by the hash of the id (lcm.data.split_of). Needs `npm run build`.
import { appendFileSync, createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";

const root = new URL("../../", import.meta.url).pathname;
const { sentencesOf } = await import("./sentences.mjs");
const { oracleOrder } = await import("./oracle.mjs");
const {
  ConceptCodec,
  SalienceSpace,
  groundingCandidates,
  readLcmSpec,
  readManifest,
  readSourceDocument,
  salienceHeadInputs,
} = await import("lcm");

const { values: args } = parseArgs({
  options: {
    input: { type: "string" },
    out: { type: "string" },
    name: { type: "string" },
    codec: { type: "string", default: join(root, "models/default/codec") },
    lcm: { type: "string", default: join(root, "models/default/lcm") },
    "max-docs": { type: "string", default: "0" },
    lang: { type: "string", default: "eng_Latn" },
  },
});
if (!args.input || !args.out || !args.name) {
  process.stderr.write("usage: salience_data.mjs --input FILE --out DIR --name NAME [--lcm DIR] [--max-docs N]\n");
  process.exit(2);
}
mkdirSync(args.out, { recursive: true });
const rowsPath = join(args.out, `${args.name}.f32`);
const indexPath = join(args.out, `${args.name}.jsonl`);
writeFileSync(rowsPath, Buffer.alloc(0));
writeFileSync(indexPath, "");

const codec = await ConceptCodec.load(args.codec, { cache: false });
const spec = readLcmSpec(await readManifest(args.lcm));
const space = await SalienceSpace.load(spec);
if (space.name === "normalized") throw new Error(`${args.lcm}: the LCM has no salience whitening`);

const maxDocs = Number(args["max-docs"]);
let rows = 0;
let records = 0;
const started = Date.now();
const stream = createReadStream(args.input);
const input = createInterface({ input: args.input.endsWith(".gz") ? stream.pipe(createGunzip()) : stream });
for await (const line of input) {
  if (!line.trim()) continue;
  if (maxDocs && records >= maxDocs) break;
  const record = JSON.parse(line);
  const reference = (record.summaries ?? []).find((s) => s?.trim());
  if (!record.document?.trim() || !reference) continue;
  const lang = record.lang ?? args.lang;
  const source = readSourceDocument(record.document, { format: "plain", supported: [lang], sourceLang: lang });
  if (source.sentences.length < 2) continue;
  const { vectors } = await codec.encode(source.sentences.map((s) => s.text), lang);
  const { whole, candidates, places } = groundingCandidates(record.document, source.sentences, source.outline.maxChars);
  const texts = candidates.map((i) => whole.text(i));
  const inputs = salienceHeadInputs(space.views(candidates.map((i) => vectors[i])), places);
  const block = new Float32Array(inputs.length * inputs[0].length);
  inputs.forEach((row, k) => block.set(row, k * row.length));
  appendFileSync(rowsPath, Buffer.from(block.buffer));
  const order = oracleOrder(texts, reference, Math.max(1, sentencesOf(reference, lang).length));
  const labels = [...order].sort((a, b) => a - b);
  appendFileSync(indexPath, `${JSON.stringify({ id: record.id, rows: [rows, inputs.length], labels, order, texts })}\n`);
  rows += inputs.length;
  records++;
  if (records % 200 === 0) {
    const rate = records / ((Date.now() - started) / 1000);
    process.stderr.write(`${args.name}: ${records} records, ${rows} candidates (${rate.toFixed(1)} records/s)\n`);
  }
}
process.stderr.write(`${args.name}: ${records} records, ${rows} candidates -> ${rowsPath}\n`);
