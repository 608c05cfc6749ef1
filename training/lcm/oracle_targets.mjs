// Extractive-oracle summarize targets for LCM fine-tuning: for every record with a reference summary,
// the source sentences that best reproduce it (greedy on ROUGE-1 + ROUGE-2 F against the reference,
// adding a sentence only while the score rises, at most one per reference sentence). Their concepts
// become the record's summary, so the model learns to predict concepts that lie on source sentences,
// the ones `--grounded` can show. (Standard for extractive summarizers, e.g. BertSumExt.)
//
//   node training/lcm/oracle_targets.mjs --from training/data/lcm2 --to training/data/lcm3 \
//        --corpus bbc:summarization/bbc_news_summary.all.jsonl.gz --corpus dialogsum:... \
//        --corpus abc:documents/nltk_abc.jsonl.gz:title
//
// Reads the encoded corpora (NAME.f32 + NAME.jsonl from encode_docs.mjs) and the original records
// (re-segmented with the same planner, so sentence i is concept row i); writes NAME.f32 (the same rows
// plus the oracle rows appended) and NAME.jsonl with the summaries replaced. Needs `npm run build`.
import { copyFileSync, createReadStream, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";

const root = new URL("../../", import.meta.url).pathname;
const { sentencesOf } = await import("./sentences.mjs");
const { oracleOrder } = await import("./oracle.mjs");

const { values: args } = parseArgs({
  options: {
    from: { type: "string" },
    to: { type: "string" },
    data: { type: "string", default: join(root, "../shared/data") },
    corpus: { type: "string", multiple: true },
    dim: { type: "string", default: "512" },
  },
});
const dim = Number(args.dim);
mkdirSync(args.to, { recursive: true });
for (const f of ["specials.f32", "specials.json"]) copyFileSync(join(args.from, f), join(args.to, f));

/** Indices of the oracle sentences, in document order. */
const oracle = (sentences, reference, limit) => oracleOrder(sentences, reference, limit).sort((a, b) => a - b);

for (const spec of args.corpus) {
  const [name, file, field] = spec.split(":");
  const vecs = new Float32Array(readFileSync(join(args.from, `${name}.f32`)).buffer.slice(0));
  const index = readFileSync(join(args.from, `${name}.jsonl`), "utf8").split("\n").filter(Boolean).map(JSON.parse);
  const byId = new Map(index.map((r) => [r.id, r]));
  const outVec = join(args.to, `${name}.f32`);
  const outIdx = join(args.to, `${name}.jsonl`);
  copyFileSync(join(args.from, `${name}.f32`), outVec);
  writeFileSync(outIdx, "");
  let rows = vecs.length / dim;
  let records = 0;
  let targets = 0;
  const input = createReadStream(join(args.data, file)).pipe(createGunzip());
  for await (const line of createInterface({ input })) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line);
    const encoded = byId.get(rec.id);
    if (!encoded) continue;
    const document = sentencesOf(field ? rec.text : rec.document);
    const [start, count] = encoded.parts.document;
    if (document.length !== count) throw new Error(`${name} ${rec.id}: ${document.length} sentences, ${count} concepts`);
    const references = field ? [rec[field]] : rec.summaries;
    const summaries = [];
    for (const reference of references) {
      if (!reference?.trim()) continue;
      const picked = oracle(document, reference, Math.max(1, sentencesOf(reference).length));
      if (picked.length === 0) continue;
      const buf = new Float32Array(picked.length * dim);
      picked.forEach((i, k) => buf.set(vecs.subarray((start + i) * dim, (start + i + 1) * dim), k * dim));
      appendFileSync(outVec, Buffer.from(buf.buffer));
      summaries.push([rows, picked.length]);
      rows += picked.length;
      targets++;
    }
    appendFileSync(outIdx, `${JSON.stringify({ id: rec.id, parts: { document: encoded.parts.document, summaries } })}\n`);
    records++;
  }
  process.stderr.write(`${name}: ${records} records, ${targets} oracle summaries\n`);
}
