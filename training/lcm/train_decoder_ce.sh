#!/usr/bin/env bash
# The decoder-CE objective against its control (issue 14; SONAR-LLM's loss, reference/followups.md §1).
# The CE term costs ~10x a Base-LCM step on this CPU (16 positions through the 46M-parameter decoder),
# so it is measured as a fine-tuning objective, the way it is affordable here:
#   1. ce-pre  a Base-LCM trained from scratch with the next-concept MSE (the shipped Base-LCM's
#              objective), PRE_MINUTES (default 40)
#   2. from ce-pre, side by side for the same FT_MINUTES (default 20), one thread each, identical but
#      for the loss:
#      ce-mse  more of the same MSE
#      ce-ce   the MSE + CE_WEIGHT x the frozen codec decoder's token cross-entropy of the true next
#              sentence given the predicted concept (CE_POSITIONS positions per step)
# All take the bundled Two-Tower's normalizer, so each is exported beside it into a copy of
# models/default/lcm (runs/<run>-models/lcm; hard links for the Two-Tower's files) that
# `lcm summarize --models runs/ce-ce-models --model base` and eval_summaries.sh (MODELS=...) run.
#
# Usage: training/lcm/train_decoder_ce.sh [PRE_MINUTES] [FT_MINUTES]   (resumable: a finished stage
# 1 is kept)
# Needs: the concepts (lcm/encode_all.sh training/data/lcm2) and their token rows
# (TOKENS=1 lcm/encode_all.sh training/data/lcm2-tokens).
set -euo pipefail
cd "$(dirname "$0")/.."
pre_minutes=${1:-40}
ft_minutes=${2:-20}
data=${DATA:-data/lcm2}
tokens=${TOKENS_DIR:-data/lcm2-tokens}
export LCM_THREADS=1 PYTHONUNBUFFERED=1
common=(--data "$data" --model base --base-layers 4 --model-dim 256 --heads 4 --batch 16 --max-len 256
  --warmup 100 --eval-every 10 --normalizer-from ../models/default/lcm/manifest.json)
/usr/bin/python3 -m lcm.train "${common[@]}" --lr 5e-4 --minutes "$pre_minutes" --out runs/ce-pre --resume \
  >> runs/ce-pre.out 2>&1
ft=("${common[@]}" --lr 2e-4 --minutes "$ft_minutes" --init runs/ce-pre/checkpoint.pt)
/usr/bin/python3 -m lcm.train "${ft[@]}" --out runs/ce-mse > runs/ce-mse.out 2>&1 &
/usr/bin/python3 -m lcm.train "${ft[@]}" --out runs/ce-ce --decoder-ce "${CE_WEIGHT:-0.2}" \
  --ce-positions "${CE_POSITIONS:-16}" --ce-tokens "$tokens" > runs/ce-ce.out 2>&1
wait
for run in ce-pre ce-mse ce-ce; do
  dest="runs/$run-models/lcm"
  rm -rf "$dest" && mkdir -p "$dest"
  for f in ../models/default/lcm/*; do ln "$f" "$dest/" 2>/dev/null || cp "$f" "$dest/"; done
  /usr/bin/python3 -m lcm.export_onnx --base "runs/$run/checkpoint.pt" --base-into "$dest"
done
