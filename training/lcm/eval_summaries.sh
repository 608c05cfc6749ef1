#!/usr/bin/env bash
# Summarize the held-out evaluation documents with each system (Base-LCM, Two-Tower, Two-Tower
# --grounded) in one batch run per system (models load once), then score them with
# `lcm eval summarization` (ROUGE, OVL-3, REP-4, plus Lead-k and centroid baselines on the same data).
# Usage: training/lcm/eval_summaries.sh EVAL_DIR   (EVAL_DIR holds heldout.jsonl and docs/<id>.txt)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
cli="node dist/src/cli.js"
for system in base diffusion grounded; do
  flags="--model diffusion"
  [ "$system" = base ] && flags="--model base"
  [ "$system" = grounded ] && flags="--model diffusion --grounded"
  $cli summarize "$dir"/docs/*.txt $flags --format jsonl --seed 0 > "$dir/$system.raw.jsonl" 2> "$dir/$system.err" || true
  node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    const out = lines.map((l) => JSON.parse(l)).map((r) => {
      const file = r.input ?? r.file ?? r.source ?? "";
      const id = require("path").basename(String(file)).replace(/\.txt$/, "");
      const summary = r.summary ?? (r.result && r.result.summary) ?? "";
      return JSON.stringify({ id, summary: (r.concepts || (r.result && r.result.concepts) || []).map((c) => c.text).join("\n") || summary });
    });
    fs.writeFileSync(process.argv[2], out.join("\n") + "\n");
  ' "$dir/$system.raw.jsonl" "$dir/$system.pred.jsonl"
  $cli eval summarization --data "$dir/heldout.jsonl" --predictions "$dir/$system.pred.jsonl" --format json > "$dir/$system.eval.json"
done
