#!/usr/bin/env node
/**
 * Language detection (src/languages/detect-language.ts, franc-all mapped onto FLORES codes) on
 * NTREX-128: per-sentence accuracy (100 sentences per language), per-document accuracy (40 lines
 * joined) and time per sentence, over the languages that are SONAR codes. Languages below 80% are
 * listed with what they were taken for.
 *
 * Usage (after `npm run build`): node bench/language-detect.mjs [--data DIR]   (default ../shared/data)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { detectLanguage, isKnownLanguage } from "lcm";

const flag = process.argv.indexOf("--data");
const data = flag > 0 ? process.argv[flag + 1] : new URL("../../shared/data", import.meta.url).pathname;
const dir = join(data, "parallel/ntrex128");

let correct = 0;
let total = 0;
let docsCorrect = 0;
let docs = 0;
let seconds = 0;
const weak = [];
for (const file of readdirSync(dir).sort()) {
  const code = file.replace(/\.txt\.gz$/, "");
  if (!file.endsWith(".txt.gz") || !isKnownLanguage(code)) continue;
  const lines = gunzipSync(readFileSync(join(dir, file)))
    .toString("utf8")
    .split("\n")
    .filter(Boolean);
  const sample = lines.slice(1000, 1100);
  const start = process.hrtime.bigint();
  const answers = sample.map((line) => detectLanguage(line).lang);
  seconds += Number(process.hrtime.bigint() - start) / 1e9;
  const ok = answers.filter((lang) => lang === code).length;
  correct += ok;
  total += sample.length;
  const doc = detectLanguage(lines.slice(0, 40).join(" ")).lang;
  docs++;
  if (doc === code) docsCorrect++;
  if (ok < 0.8 * sample.length) {
    const counts = new Map();
    for (const a of answers) if (a !== code) counts.set(a, (counts.get(a) ?? 0) + 1);
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    weak.push(`${code} ${ok}% (as ${top?.[0]})`);
  }
}
console.log(`${docs} SONAR languages in NTREX-128`);
console.log(`sentences: ${correct}/${total} = ${((100 * correct) / total).toFixed(1)}% correct`);
console.log(`documents (40 lines): ${docsCorrect}/${docs} correct`);
console.log(`${((1000 * seconds) / total).toFixed(2)} ms per sentence`);
console.log(`below 80%: ${weak.join(", ")}`);
