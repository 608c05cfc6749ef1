#!/usr/bin/env bash
# How the shipped default LCM (models/default/lcm) was trained, on CPU (2 cores):
# train the Two-Tower diffusion LCM and the Base-LCM side by side (one thread each) on the encoded
# corpora (training/lcm/encode_all.sh), export both with the manifest. Minutes are arguments so a
# longer run is one edit away. Usage: training/lcm/train_default.sh [TWO_TOWER_MINUTES] [BASE_MINUTES]
#
# Environment: DATA (default data/lcm), RUNS (run-name prefix, default lcm), INIT (a run-name prefix
# to fine-tune from: its checkpoints' weights, config and normalizer, fresh optimiser and schedule),
# LR (default 5e-4), CARD (a model-card JSON for the manifest), TRAIN_ARGS (more lcm.train flags, e.g.
# --sft-weight 10 to fine-tune mostly on the summarize/extend pairs).
#   v1: training/lcm/train_default.sh 30 15
#   v2: DATA=data/lcm2 RUNS=lcm2 INIT=lcm LR=3e-4 training/lcm/train_default.sh 45 25
#   v3: pre-trained on a GPU (training/gpu/lcm_run.sh, unpacked to runs/gpu4-*), then fine-tuned here:
#       DATA=data/lcm2 RUNS=ft4 INIT=gpu4 LR=2e-4 TRAIN_ARGS="--sft-weight 10" training/lcm/train_default.sh 25 20
set -euo pipefail
cd "$(dirname "$0")/.."
tt_min=${1:-30}
base_min=${2:-15}
data=${DATA:-data/lcm}
runs=${RUNS:-lcm}
[ -f "$data/specials.f32" ] || node lcm/specials.mjs ../models/default/codec "$data"
export LCM_THREADS=1 PYTHONUNBUFFERED=1
common="--data $data --max-len 256 --model-dim 256 --heads 4 --batch 16 --lr ${LR:-5e-4} --warmup 100 --eval-every 10 ${TRAIN_ARGS:-}"
tt_init="" base_init=""
if [ -n "${INIT:-}" ]; then
  tt_init="--init runs/$INIT-two-tower/checkpoint.pt"
  base_init="--init runs/$INIT-base/checkpoint.pt"
fi
/usr/bin/python3 -m lcm.train $common --out "runs/$runs-two-tower" --model two_tower --context-layers 2 \
  --denoiser-layers 3 --minutes "$tt_min" $tt_init > "runs/$runs-two-tower.out" 2>&1 &
/usr/bin/python3 -m lcm.train $common --out "runs/$runs-base" --model base --base-layers 4 \
  --minutes "$base_min" $base_init > "runs/$runs-base.out" 2>&1
wait
/usr/bin/python3 -m lcm.export_onnx --two-tower "runs/$runs-two-tower/checkpoint.pt" --base "runs/$runs-base/checkpoint.pt" \
  --codec-manifest ../models/default/codec/manifest.json --out "${OUT:-../models/default/lcm}" ${CARD:+--card $CARD}
