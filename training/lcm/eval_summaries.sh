#!/usr/bin/env bash
# Summarize an evaluation split (training/lcm/make_eval_set.py) with each system (Base-LCM, Two-Tower
# with the decoder's own text, Two-Tower grounded: the default) in one batch run per system (models
# load once), then score them with
# `lcm eval summarization` (ROUGE, OVL-3, REP-4, plus Lead-k and centroid baselines on the same data).
#
# Usage: training/lcm/eval_summaries.sh EVAL_DIR [SPLIT]
#   EVAL_DIR holds SPLIT.jsonl (default heldout) and docs/<id>.txt; results go to EVAL_DIR/<system>.*
# Environment: MODELS (a models folder searched first, e.g. a freshly exported LCM), SYSTEMS (default
# "base diffusion grounded": a --model value for the decoder's own text, MODEL-grounded for grounded
# output, "grounded" alone for the Two-Tower's; e.g. "one-tower one-tower-grounded quant-grounded"),
# THRESHOLD (--grounding-threshold, default the tool's), TAG (suffix for the result files, so sweeps do
# not overwrite each other), EXTRA (more summarize flags).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
split=${2:-heldout}
cli="node dist/src/cli.js"
models=()
[ -n "${MODELS:-}" ] && models=(--models "$MODELS")
for system in ${SYSTEMS:-base diffusion grounded}; do
  case "$system" in
    grounded) flags=(--model diffusion ${THRESHOLD:+--grounding-threshold "$THRESHOLD"}) ;;
    *-grounded) flags=(--model "${system%-grounded}" ${THRESHOLD:+--grounding-threshold "$THRESHOLD"}) ;;
    *) flags=(--model "$system" --no-grounded) ;;
  esac
  name="$system${TAG:-}"
  # shellcheck disable=SC2086
  $cli summarize "$dir"/docs/*.txt "${models[@]}" "${flags[@]}" ${EXTRA:-} --format jsonl --seed 0 \
    > "$dir/$name.raw.jsonl" 2> "$dir/$name.err" || true
  node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    const out = lines.map((l) => JSON.parse(l)).map((r) => {
      const id = require("path").basename(String(r.input)).replace(/\.txt$/, "");
      // What a reader is shown: never a rendered sentinel or a withheld rendering.
      const shown = (r.concepts || []).filter((c) => c.rendering !== "sentinel" && c.rendering !== "withheld");
      return JSON.stringify({ id, summary: shown.map((c) => c.text).join("\n") });
    });
    fs.writeFileSync(process.argv[2], out.join("\n") + "\n");
  ' "$dir/$name.raw.jsonl" "$dir/$name.pred.jsonl"
  $cli eval summarization --data "$dir/$split.jsonl" --predictions "$dir/$name.pred.jsonl" --format json > "$dir/$name.eval.json"
  $cli eval summarization --data "$dir/$split.jsonl" --predictions "$dir/$name.pred.jsonl" --format text | grep "^system " | sed "s/^system /$name/"
done
