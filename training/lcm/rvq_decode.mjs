// Decode quality of residual-quantized concepts (lcm.rvq sweep --decode-codec): held-out sentences are
// encoded with the tool's encoder, decoded from their continuous concepts and from their quantized ones
// (each --codebooks folder: codebooks.f32 [K, V, D] little-endian float32 in the normalized space and
// codebooks.json {codebooks, units, center, scale}), and every decoding is scored against its source
// sentence (corpus BLEU, chrF). Prints one JSON object: {continuous: {bleu, chrf}, NAME: {bleu, chrf,
// codebooks}, ..., sentences, examples}.
//
//   node training/lcm/rvq_decode.mjs --codec CODEC --input DOCS.jsonl --sentences 60 --codebooks DIR ...
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";

const { sentencesOf } = await import("./sentences.mjs");
const { ConceptCodec, corpusBleu, corpusChrf } = await import("lcm");

const { values: args } = parseArgs({
  options: {
    codec: { type: "string" },
    input: { type: "string" },
    sentences: { type: "string", default: "60" },
    codebooks: { type: "string", multiple: true, default: [] },
    beam: { type: "string", default: "1" },
  },
});
const want = Number(args.sentences);
const sources = [];
for (const line of readFileSync(args.input, "utf8").split("\n")) {
  if (!line.trim() || sources.length >= want) continue;
  // at most 2 sentences a document, 4..40 words: a varied sample of ordinary sentences
  const picked = sentencesOf(JSON.parse(line).text).filter((s) => {
    const words = s.split(/\s+/).length;
    return words >= 4 && words <= 40;
  });
  sources.push(...picked.slice(0, Math.min(2, want - sources.length)));
}
const codec = await ConceptCodec.load(args.codec, { cache: false });
const { vectors } = await codec.encode(sources, "eng_Latn");
const decodeOptions = { beam: Number(args.beam), maxNewTokens: 64 };
const texts = async (vs) => (await codec.decode(vs, "eng_Latn", decodeOptions)).map((d) => d.text);
const score = (hyps) => ({
  bleu: Math.round(corpusBleu(hyps, [sources]).score * 100) / 100,
  chrf: Math.round(corpusChrf(hyps, [sources]) * 100) / 100,
});
const continuous = await texts(vectors);
const report = { sentences: sources.length, continuous: score(continuous), examples: [] };
const exampleRows = [0, 1, 2].filter((i) => i < sources.length);
for (const i of exampleRows) report.examples.push({ source: sources[i], continuous: continuous[i] });
for (const dir of args.codebooks) {
  const meta = JSON.parse(readFileSync(join(dir, "codebooks.json"), "utf8"));
  const raw = readFileSync(join(dir, "codebooks.f32"));
  const books = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const dim = vectors[0].length;
  const quantized = vectors.map((v) => {
    const r = Float64Array.from(v, (x, d) => (x - meta.center[d]) / meta.scale[d]);
    const sum = new Float64Array(dim);
    for (let k = 0; k < meta.codebooks; k++) {
      let best = 0;
      let bestDist = Infinity;
      for (let u = 0; u < meta.units; u++) {
        const off = (k * meta.units + u) * dim;
        let dist = 0;
        for (let d = 0; d < dim; d++) dist += (r[d] - books[off + d]) ** 2;
        if (dist < bestDist) [best, bestDist] = [u, dist];
      }
      const off = (k * meta.units + best) * dim;
      for (let d = 0; d < dim; d++) {
        r[d] -= books[off + d];
        sum[d] += books[off + d];
      }
    }
    return Float32Array.from(sum, (x, d) => x * meta.scale[d] + meta.center[d]);
  });
  const hyps = await texts(quantized);
  const name = basename(dir);
  report[name] = { ...score(hyps), codebooks: `${meta.codebooks}x${meta.units}` };
  for (const i of exampleRows) report.examples[i][name] = hyps[i];
}
await codec.release();
process.stdout.write(`${JSON.stringify(report)}\n`);
