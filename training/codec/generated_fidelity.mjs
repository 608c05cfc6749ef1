#!/usr/bin/env node
// How faithfully a decoder renders the concepts an LCM generates (issue 13): for summaries made with
// the decoder's own text (`lcm summarize --no-grounded --format jsonl`), each rendering is scored
// against the source sentence its concept is nearest to (chrF2 of the rendering against that
// sentence: the generated concept stands for it), and counted as shown or withheld by the tool's
// faithfulness checks. Two runs with the same LCM, seed and documents but different decoders
// generate the same concepts, so the difference is the decoder's alone.
//
// Usage: node training/codec/generated_fidelity.mjs RAW.jsonl [RAW2.jsonl ...]   (run `npm run build` first)
// Prints one JSON line per file: concepts, shown share, corpus chrF against the nearest source
// sentence (all renderings, and the shown ones).
import { readFileSync } from "node:fs";
import { corpusChrf } from "../../dist/src/eval/chrf.js";

function fidelity(file) {
  const hyps = [];
  const refs = [];
  const shownHyps = [];
  const shownRefs = [];
  let concepts = 0;
  let shown = 0;
  for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const record = JSON.parse(line);
    if (!record.ok) continue;
    const text = readFileSync(record.input, "utf8");
    for (const concept of record.concepts) {
      if (concept.rendering === "sentinel" || !concept.grounding?.length) continue;
      const [start, end] = concept.grounding[0].span;
      const source = text.slice(start, end);
      concepts++;
      hyps.push(concept.text);
      refs.push(source);
      if (concept.shown) {
        shown++;
        shownHyps.push(concept.text);
        shownRefs.push(source);
      }
    }
  }
  const round = (x) => Math.round(x * 100) / 100;
  return {
    file,
    concepts,
    shown_share: round(shown / Math.max(1, concepts)),
    chrf_vs_nearest_source: round(corpusChrf(hyps, [refs])),
    chrf_shown_vs_nearest_source: shownHyps.length ? round(corpusChrf(shownHyps, [shownRefs])) : null,
  };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node training/codec/generated_fidelity.mjs RAW.jsonl [RAW2.jsonl ...]\n");
  process.exit(2);
}
for (const file of files) process.stdout.write(`${JSON.stringify(fidelity(file))}\n`);
