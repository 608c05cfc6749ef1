#!/usr/bin/env node
/**
 * Segmentation speed on 1 MiB of English prose: the first 1,048,576 bytes of a Project Gutenberg
 * book (Middlemarch by default), segmented by the rule-based segmenter (whole text in one call, and
 * paragraph by paragraph as the planner calls it) and by Intl.Segmenter (granularity "sentence") as
 * the baseline. Prints the best of several runs after a warm-up.
 *
 * Usage (after `npm run build`):
 *   node bench/segment-speed.mjs [--book gutenberg-145] [--runs 5] [--json] [--intl-whole]
 *        [--data /work/shared/data/documents/gutenberg_eng_literature_part1.jsonl.gz]
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { segmentSentences } from "lcm";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
};
const dataFile = option("--data", "/work/shared/data/documents/gutenberg_eng_literature_part1.jsonl.gz");
const bookId = option("--book", "gutenberg-145");
const runs = Number(option("--runs", "5"));
const MIB = 1024 * 1024;

async function readBook() {
  const lines = createInterface({ input: createReadStream(dataFile).pipe(createGunzip()) });
  for await (const line of lines) {
    const doc = JSON.parse(line);
    if (doc.id === bookId) {
      lines.close();
      return doc;
    }
  }
  throw new Error(`book ${bookId} not found in ${dataFile}`);
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `bytes`. */
function firstBytes(text, bytes) {
  const buffer = Buffer.from(text, "utf8").subarray(0, bytes);
  return new TextDecoder("utf-8", { fatal: false }).decode(buffer).replace(/\uFFFD$/, "");
}

function best(fn) {
  fn(); // warm-up: JIT, ICU data
  let fastest = Number.POSITIVE_INFINITY;
  let result;
  for (let k = 0; k < runs; k++) {
    const started = performance.now();
    result = fn();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return { ms: fastest, count: result };
}

const book = await readBook();
const text = firstBytes(book.text, MIB);
const megabytes = Buffer.byteLength(text, "utf8") / MIB;
const paragraphs = [];
for (const match of text.matchAll(/[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g)) paragraphs.push(match[0]);

// The first call pays for JIT compilation and Unicode regex set-up, as a one-shot CLI run would.
const coldStarted = performance.now();
segmentSentences(text, { lang: "eng_Latn" });
const coldMs = performance.now() - coldStarted;
const whole = best(() => segmentSentences(text, { lang: "eng_Latn" }).length);
const byParagraph = best(() => {
  let count = 0;
  for (const paragraph of paragraphs) count += segmentSentences(paragraph, { lang: "eng_Latn" }).length;
  return count;
});
// Intl.Segmenter is measured paragraph by paragraph: over the whole 1 MiB string at once V8 takes
// tens of seconds (it appears to be quadratic in the string length), which would be no fair baseline.
const intlSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const intl = best(() => {
  let count = 0;
  for (const paragraph of paragraphs) for (const _ of intlSegmenter.segment(paragraph)) count++;
  return count;
});
/** One run of Intl.Segmenter over the whole text (slow: only with --intl-whole). */
function intlWholeText() {
  const started = performance.now();
  const segments = [...intlSegmenter.segment(text)].length;
  return { ms: performance.now() - started, segments };
}
const intlWhole = args.includes("--intl-whole") ? intlWholeText() : undefined;

const report = {
  book: `${book.id} ${book.title}`,
  mib: megabytes,
  characters: text.length,
  paragraphs: paragraphs.length,
  rules_first_call_ms: coldMs,
  rules_whole: { ms: whole.ms, mib_per_s: megabytes / (whole.ms / 1000), segments: whole.count },
  rules_by_paragraph: {
    ms: byParagraph.ms,
    mib_per_s: megabytes / (byParagraph.ms / 1000),
    segments: byParagraph.count,
  },
  intl_by_paragraph: { ms: intl.ms, mib_per_s: megabytes / (intl.ms / 1000), segments: intl.count },
  intl_whole: intlWhole,
  ratio_rules_to_intl: byParagraph.ms / intl.ms,
};

if (args.includes("--json")) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const line = (name, r) =>
    `${name.padEnd(30)} ${r.ms.toFixed(1).padStart(7)} ms  ${r.mib_per_s.toFixed(1).padStart(6)} MiB/s  ${r.segments} segments`;
  console.log(
    `${report.book}: ${megabytes.toFixed(2)} MiB, ${text.length} chars, ${paragraphs.length} paragraphs`,
  );
  console.log(`best of ${runs} runs after a warm-up`);
  console.log(`rules, first call (cold)        ${coldMs.toFixed(1).padStart(7)} ms`);
  console.log(line("rules, one call", report.rules_whole));
  console.log(line("rules, per paragraph", report.rules_by_paragraph));
  console.log(line("Intl.Segmenter, per paragraph", report.intl_by_paragraph));
  if (intlWhole) console.log(`Intl.Segmenter, one call: ${intlWhole.ms.toFixed(0)} ms (one run)`);
  console.log(`rules / Intl time ratio (per paragraph): ${report.ratio_rules_to_intl.toFixed(2)}`);
}
