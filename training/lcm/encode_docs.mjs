// Stage 1 of the LCM pipeline: segment and encode documents with the SAME TypeScript planner and ONNX
// encoder the tool uses at inference, so training and inference see identical concepts.
//
//   node training/lcm/encode_docs.mjs --codec models/default/codec --out training/data/lcm \
//        --name NAME --input FILE.jsonl[.gz] [--summary-field title] [--max-docs N] [--max-sentences N]
//
// Input records: documents ({id, text}), documents already cut into sentences ({id, sentences: [...]},
// e.g. the document-level parallel corpora: parallel_docs.mjs), or summarization records ({id,
// document, summaries: [...]}); a record's own "lang" wins over --lang.
// --summary-field makes a document's own field its one-concept summary: a news headline states what
// the article is about, which is the summarize task at its shortest (the ABC news documents' titles).
// Writes NAME.f32 (float32 concept rows, appended) and NAME.jsonl (one line per record:
// {id, parts: {document: [start, count], summaries: [[start, count], ...]}}). Needs `npm run build`.
// --tokens-only writes the encoder's exact input instead of NAME.f32: NAME.ids (uint16 token ids of
// every row, concatenated: tag, pieces, </s>) and NAME.lens (uint16 length of each row), for
// encode_tokens.py to encode on a GPU with the same weights (training/gpu/lcm_run.sh).
import { appendFileSync, createReadStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { parseArgs } from "node:util";

const root = new URL("../../", import.meta.url).pathname;
const { sentencesOf: segment } = await import("./sentences.mjs");
const { ConceptCodec } = await import("lcm");

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
    "tokens-only": { type: "boolean", default: false },
    // long query-focused or story summaries (QMSum, SQuALITY) are not the summarize task we train
    "documents-only": { type: "boolean", default: false },
  },
});
mkdirSync(args.out, { recursive: true });
const tokensOnly = args["tokens-only"];
const vecPath = join(args.out, `${args.name}.f32`);
const idsPath = join(args.out, `${args.name}.ids`);
const lensPath = join(args.out, `${args.name}.lens`);
const idxPath = join(args.out, `${args.name}.jsonl`);
for (const p of tokensOnly ? [idsPath, lensPath] : [vecPath]) writeFileSync(p, Buffer.alloc(0));
writeFileSync(idxPath, "");
const codec = await ConceptCodec.load(args.codec, { cache: false });
const maxDocs = Number(args["max-docs"]);
const maxSentences = Number(args["max-sentences"]);

function sentencesOf(text, lang) {
  const out = segment(text, lang);
  return maxSentences ? out.slice(0, maxSentences) : out;
}

// Pre-cut sentences keep their boundaries; the runtime's 256-character cap still applies.
function givenSentences(list) {
  const out = list.map((s) => String(s).trim().slice(0, 256)).filter(Boolean);
  return maxSentences ? out.slice(0, maxSentences) : out;
}

function tokenize(sentences, lang) {
  const tag = codec.tokenizer.langTagId(codec.resolveLanguage(lang));
  const rowsIds = sentences.map((s) => codec.encoder.tokenize(s, tag).ids);
  const lens = Uint16Array.from(rowsIds, (r) => r.length);
  appendFileSync(idsPath, Buffer.from(Uint16Array.from(rowsIds.flat()).buffer));
  appendFileSync(lensPath, Buffer.from(lens.buffer));
}

let rows = 0;
let docs = 0;
const started = Date.now();
async function encodeAll(sentences, lang) {
  if (sentences.length === 0) return [rows, 0];
  if (tokensOnly) {
    tokenize(sentences, lang);
    const start = rows;
    rows += sentences.length;
    return [start, sentences.length];
  }
  const { vectors } = await codec.encode(sentences, lang);
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
  const lang = rec.lang || args.lang;
  if (rec.summaries && !args["documents-only"]) {
    parts.document = await encodeAll(sentencesOf(rec.document, lang), lang);
    parts.summaries = [];
    for (const s of rec.summaries) parts.summaries.push(await encodeAll(sentencesOf(s, lang), lang));
  } else if (rec.sentences) {
    parts.document = await encodeAll(givenSentences(rec.sentences), lang);
  } else {
    parts.document = await encodeAll(sentencesOf(rec.text ?? rec.document, lang), lang);
    const field = args["summary-field"];
    const headline = field ? rec[field]?.trim() : "";
    // A headline is one concept even when the segmenter would cut it (no final stop, colons).
    if (headline) parts.summaries = [await encodeAll([headline.slice(0, 256)], lang)];
  }
  appendFileSync(idxPath, `${JSON.stringify({ id: rec.id, parts })}\n`);
  docs++;
  if (docs % 20 === 0)
    process.stderr.write(`${args.name}: ${docs} records, ${rows} concepts, ${(rows / ((Date.now() - started) / 1000)).toFixed(1)} concepts/s\n`);
  if (maxDocs && docs >= maxDocs) break;
}
process.stderr.write(`${args.name}: done, ${docs} records, ${rows} concepts in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
