#!/usr/bin/env bash
# The decoder-CE objective against its control (issue 14; SONAR-LLM's loss, reference/followups.md §1):
# two Base-LCMs trained side by side from scratch for the same minutes on the same data, one thread
# each, identical but for the loss:
#   ce-mse  next-concept MSE (the shipped Base-LCM's objective)
#   ce-ce   the same MSE + CE_WEIGHT x the frozen codec decoder's token cross-entropy of the true
#           next sentence given the predicted concept (CE_POSITIONS positions per step)
# Both take the bundled Two-Tower's normalizer, so each is exported beside it into a copy of
# models/default/lcm (runs/ce-*-models/lcm; hard links for the Two-Tower's files) that
# `lcm summarize --models runs/ce-ce-models --model base` and eval_summaries.sh (MODELS=...) run.
#
# Usage: training/lcm/train_decoder_ce.sh [MINUTES]   (from anywhere; default 40)
# Needs: the concepts (lcm/encode_all.sh training/data/lcm2) and their token rows
# (TOKENS=1 lcm/encode_all.sh training/data/lcm2-tokens).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-40}
data=${DATA:-data/lcm2}
tokens=${TOKENS_DIR:-data/lcm2-tokens}
export LCM_THREADS=1 PYTHONUNBUFFERED=1
common=(--data "$data" --model base --base-layers 4 --model-dim 256 --heads 4 --batch 16 --max-len 256
  --lr 5e-4 --warmup 100 --eval-every 10 --minutes "$minutes"
  --normalizer-from ../models/default/lcm/manifest.json)
/usr/bin/python3 -m lcm.train "${common[@]}" --out runs/ce-mse > runs/ce-mse.out 2>&1 &
/usr/bin/python3 -m lcm.train "${common[@]}" --out runs/ce-ce --decoder-ce "${CE_WEIGHT:-0.2}" \
  --ce-positions "${CE_POSITIONS:-16}" --ce-tokens "$tokens" > runs/ce-ce.out 2>&1
wait
for run in ce-mse ce-ce; do
  dest="runs/$run-models/lcm"
  rm -rf "$dest" && mkdir -p "$dest"
  for f in ../models/default/lcm/*; do ln "$f" "$dest/" 2>/dev/null || cp "$f" "$dest/"; done
  /usr/bin/python3 -m lcm.export_onnx --base "runs/$run/checkpoint.pt" --base-into "$dest"
done
