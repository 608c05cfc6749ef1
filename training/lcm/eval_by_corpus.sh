#!/usr/bin/env bash
# ROUGE per corpus of an evaluation split: the BBC news and DialogSum dialogues of the held-out (or dev)
# records are different tasks, and one pooled number hides which one moved. Scores each system's
# predictions (eval_summaries.sh's EVAL_DIR/<system>.pred.jsonl) on each corpus's records alone, with
# Lead-k and the centroid on the same records, through `lcm eval summarization`.
#
# Usage: training/lcm/eval_by_corpus.sh EVAL_DIR SPLIT SYSTEM... (e.g. training/data/lcm_eval heldout grounded)
# Environment: LEAD_K (the baselines' sentences; default each corpus's median reference sentences: give
# the length the systems were asked for, e.g. 2 with EXTRA="-n 2", to compare at equal length).
# Prints one line per corpus and system: corpus, records, system, its mean sentences, ROUGE-L F1 x 100
# of the system, Lead-k and the centroid (ROUGE_ALL=1: ROUGE-1/2/L of each).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
split=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
only() {  # only CORPUS IN OUT: the lines of IN whose record id starts with CORPUS-
  node -e '
    const fs = require("fs");
    const keep = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean)
      .filter((l) => JSON.parse(l).id.split("-")[0] === process.argv[1]);
    fs.writeFileSync(process.argv[3], keep.join("\n") + "\n");
  ' "$@"
}
for corpus in $(node -e '
  const fs = require("fs");
  const ids = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).id);
  console.log([...new Set(ids.map((id) => id.split("-")[0]))].join(" "));
' "$dir/$split.jsonl"); do
  only "$corpus" "$dir/$split.jsonl" "$work/data.jsonl"
  for system in "$@"; do
    only "$corpus" "$dir/$system.pred.jsonl" "$work/pred.jsonl"
    node dist/src/cli.js eval summarization --data "$work/data.jsonl" --predictions "$work/pred.jsonl" \
      ${LEAD_K:+--lead-k "$LEAD_K"} --format json | node -e '
        const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const f = (x, type) => (x.rouge[type].fmeasure * 100).toFixed(2);
        const l = (x) => (process.env.ROUGE_ALL ? ["rouge1", "rouge2", "rougeL"] : ["rougeL"]).map((t) => f(x, t)).join("/");
        console.log([process.argv[1], r.records, process.argv[2], r.system.length.meanSentences.toFixed(2), l(r.system),
          l(r.baselines.lead), l(r.baselines.centroid)].join("\t"));
      ' "$corpus" "$system"
  done
done
