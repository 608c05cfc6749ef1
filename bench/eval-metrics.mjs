#!/usr/bin/env node
/**
 * Throughput of the evaluation metrics (src/eval) on real data, so `lcm eval` stays cheap next to the
 * models it measures:
 *   - ROUGE-1/2/L/Lsum (with and without the Porter stemmer): every BBC News Summary reference scored
 *     against the first six sentences of its article;
 *   - corpus chrF, chrF++ and BLEU-13a: NTREX-128 fra_Latn-CA against fra_Latn (1,997 sentences);
 *   - xSIM (absolute and ratio margin) on random 256-d embeddings.
 *
 * Usage (after `npm run build`): node bench/eval-metrics.mjs [--data DIR]   (default ../shared/data)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  corpusBleu,
  corpusChrf,
  oneSentencePerLine,
  readSummarizationData,
  scoreRougeMulti,
  splitSentences,
  xsimError,
} from "lcm";

const dataFlag = process.argv.indexOf("--data");
const data =
  dataFlag > 0 ? process.argv[dataFlag + 1] : new URL("../../shared/data", import.meta.url).pathname;

function time(label, unit, count, run) {
  run(); // warm-up
  const start = performance.now();
  const result = run();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(34)} ${(count / seconds).toFixed(0).padStart(8)} ${unit}/s  (${seconds.toFixed(3)} s)`,
  );
  return result;
}

const records = await readSummarizationData(join(data, "summarization/bbc_news_summary.all.jsonl.gz"));
const pairs = records.map((r) => ({
  prediction: splitSentences(r.document, r.lang).slice(0, 6).join("\n"),
  references: r.summaries.map((s) => oneSentencePerLine(s, r.lang)),
}));
for (const useStemmer of [false, true]) {
  time(`ROUGE-1/2/L/Lsum stem=${useStemmer}`, "pairs", pairs.length, () =>
    pairs.map((p) => scoreRougeMulti(p.references, p.prediction, { useStemmer })),
  );
}

const lines = (name) =>
  gunzipSync(readFileSync(join(data, "parallel/ntrex128", name)))
    .toString("utf8")
    .trimEnd()
    .split("\n");
const hyps = lines("variants/fra_Latn-CA.txt.gz");
const refs = [lines("fra_Latn.txt.gz")];
const chrf = time("corpus chrF", "sentences", hyps.length, () => corpusChrf(hyps, refs));
const chrfpp = time("corpus chrF++", "sentences", hyps.length, () =>
  corpusChrf(hyps, refs, { wordOrder: 2 }),
);
const bleu = time("corpus BLEU-13a", "sentences", hyps.length, () => corpusBleu(hyps, refs));
console.log(
  `  (fra-CA vs fra: chrF ${chrf.toFixed(2)}, chrF++ ${chrfpp.toFixed(2)}, BLEU ${bleu.score.toFixed(2)})`,
);

let seed = 1;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const n = 1000;
const source = Array.from({ length: n }, () => Float32Array.from({ length: 256 }, random));
const target = source.map((row) => row.map((x) => x + 3 * random()));
for (const margin of ["absolute", "ratio"]) {
  const result = time(`xSIM ${margin} (${n} x ${n}, d=256)`, "rows", n, () =>
    xsimError(source, target, { margin }),
  );
  console.log(`  (error rate ${(100 * result.errorRate).toFixed(2)}%)`);
}
