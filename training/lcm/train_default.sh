#!/usr/bin/env bash
# How the shipped default LCM (models/default/lcm) was trained, on CPU (2 cores):
# encode the corpora with the default codec, train the Two-Tower diffusion LCM and the Base-LCM side
# by side (one thread each), export both with the manifest. Minutes are arguments so a longer run is
# one edit away. Usage: training/lcm/train_default.sh [TWO_TOWER_MINUTES] [BASE_MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
tt_min=${1:-30}
base_min=${2:-15}
data=data/lcm
[ -f "$data/specials.f32" ] || node lcm/specials.mjs ../models/default/codec "$data"
export LCM_THREADS=1 PYTHONUNBUFFERED=1
common="--data $data --max-len 256 --model-dim 256 --heads 4 --batch 16 --lr 5e-4 --warmup 100 --eval-every 10"
/usr/bin/python3 -m lcm.train $common --out runs/lcm-two-tower --model two_tower --context-layers 2 \
  --denoiser-layers 3 --minutes "$tt_min" > runs/lcm-two-tower.out 2>&1 &
/usr/bin/python3 -m lcm.train $common --out runs/lcm-base --model base --base-layers 4 \
  --minutes "$base_min" > runs/lcm-base.out 2>&1
wait
/usr/bin/python3 -m lcm.export_onnx --two-tower runs/lcm-two-tower/checkpoint.pt --base runs/lcm-base/checkpoint.pt \
  --codec-manifest ../models/default/codec/manifest.json --out ../models/default/lcm ${CARD:+--card $CARD}
