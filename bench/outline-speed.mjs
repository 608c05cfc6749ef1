#!/usr/bin/env node
/**
 * Outlining speed: 1 MB of English as plain text and as Markdown, through the same library calls as
 * `lcm outline` (structure + segmentation + sections, then stats and the JSON form). Prints seconds per
 * run (the first run is cold; best and median of the warm runs), the time split and the compression.
 * The target is under 1 s per MB on the 2-core development machine.
 *
 * Input comes from the repository only: Mill's On Liberty (test/fixtures/outline/on-liberty.txt.gz)
 * for plain text, and for Markdown the same book with Markdown headings, emphasis, links, a list and
 * a code block every few paragraphs, each repeated up to exactly 1 MB (1,048,576 characters).
 *
 * Usage (after `npm run build`):
 *   node bench/outline-speed.mjs [--runs N] [--mb N] [--json]
 *   node bench/outline-speed.mjs --cli-mb 50   also time `lcm outline` end to end on an N MB file
 *                                               (wall time and peak RSS of the child process)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  buildOutline,
  markdownStructure,
  outlineJsonChunks,
  outlineStats,
  plainStructure,
  ruleSegmenter,
} from "lcm";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const runs = option("--runs", 5);
const megabytes = option("--mb", 1);
const cliMegabytes = option("--cli-mb", 0);
const asJson = args.includes("--json");

const root = new URL("..", import.meta.url);
const book = gunzipSync(readFileSync(new URL("test/fixtures/outline/on-liberty.txt.gz", root))).toString(
  "utf8",
);

function repeatTo(text, chars) {
  let out = "";
  while (out.length < chars) out += `${text}\n\n`;
  return out.slice(0, chars);
}

function asMarkdown(text) {
  const paragraphs = text.split(/\n\n+/);
  const out = [];
  paragraphs.forEach((p, i) => {
    if (i % 12 === 0) out.push(`## Section ${i / 12 + 1}`);
    if (i % 12 === 5)
      out.push(`- A point about [liberty](https://example.org/${i}) in *this* part.\n- Another **point**.`);
    if (i % 12 === 9) out.push("```\nconst unchanged = true;\n```");
    out.push(i % 3 === 0 ? p.replace(/ (\w{6,}) /, " *$1* ") : p);
  });
  return out.join("\n\n");
}

const size = Math.round(megabytes * 1024 * 1024);
const inputs = [
  { name: "plain", format: "plain", text: repeatTo(book, size) },
  { name: "markdown", format: "markdown", text: repeatTo(asMarkdown(book), size) },
];

const seconds = (start) => (performance.now() - start) / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];

for (const { name, format, text } of inputs) {
  const totals = [];
  let split = null;
  let stats = null;
  for (let run = 0; run <= runs; run++) {
    const t0 = performance.now();
    const outline = buildOutline(text, { segmenter: ruleSegmenter, format });
    const t1 = performance.now();
    stats = outlineStats(outline);
    let jsonChars = 0;
    for (const chunk of outlineJsonChunks(outline, stats)) jsonChars += chunk.length;
    const total = seconds(t0);
    totals.push(total);
    if (run === runs) {
      // Time split on the last run: structure alone, segmentation alone.
      const s0 = performance.now();
      const blocks = format === "markdown" ? markdownStructure(text) : plainStructure(text);
      const structure = seconds(s0);
      const g0 = performance.now();
      for (const b of blocks) if (b.kind === "prose") ruleSegmenter.segment(b.text);
      const segmentation = seconds(g0);
      split = {
        build: (t1 - t0) / 1000,
        structure,
        segmentation,
        stats_and_json: total - (t1 - t0) / 1000,
        jsonChars,
      };
    }
  }
  const warm = totals.slice(1);
  results.push({
    input: name,
    chars: text.length,
    cold_s: +totals[0].toFixed(3),
    best_s: +Math.min(...warm).toFixed(3),
    median_s: +median(warm).toFixed(3),
    split: Object.fromEntries(
      Object.entries(split).map(([k, v]) => [k, k === "jsonChars" ? v : +v.toFixed(3)]),
    ),
    concepts: stats.concepts,
    tokens: stats.tokens,
    ratio: stats.ratio,
  });
}

if (cliMegabytes > 0) {
  const dir = mkdtempSync(join(tmpdir(), "lcm-outline-bench-"));
  try {
    for (const { name, format, text } of inputs) {
      const path = join(dir, `big.${format === "markdown" ? "md" : "txt"}`);
      writeFileSync(path, repeatTo(text, Math.round(cliMegabytes * 1024 * 1024)));
      const cli = new URL("dist/src/cli.js", root).pathname;
      const t0 = performance.now();
      const run = spawnSync(
        "/usr/bin/time",
        ["-f", "%M", process.execPath, cli, "outline", path, "-f", "json", "-o", join(dir, "out.json"), "-q"],
        {
          encoding: "utf8",
        },
      );
      const wall = seconds(t0);
      const peakKb = Number(run.stderr.trim().split("\n").at(-1));
      results.push({
        input: `cli ${name} ${cliMegabytes} MB`,
        exit: run.status,
        wall_s: +wall.toFixed(2),
        peak_rss_mb: Math.round(peakKb / 1024),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (asJson) {
  console.log(JSON.stringify(results, null, 2));
} else {
  for (const r of results) {
    if (r.wall_s !== undefined) {
      console.log(`${r.input}: ${r.wall_s} s wall, peak RSS ${r.peak_rss_mb} MB, exit ${r.exit}`);
      continue;
    }
    console.log(
      `${r.input} ${(r.chars / 1048576).toFixed(2)} MB: cold ${r.cold_s} s, warm best ${r.best_s} s / median ${r.median_s} s` +
        ` (structure ${r.split.structure} s, segmentation ${r.split.segmentation} s, stats+json ${r.split.stats_and_json} s);` +
        ` ${r.concepts} concepts, ${r.tokens} tokens (estimated), ${r.ratio} tokens/concept`,
    );
  }
}
