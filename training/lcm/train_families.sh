#!/usr/bin/env bash
# How the bundled One-Tower and Quant-LCM (models/default/one-tower, models/default/quant) were trained,
# on CPU (2 cores), at the bundled Two-Tower's scale and on its data (training/lcm/encode_all.sh's
# default corpora, data/lcm2): the One-Tower and the Quant-LCM side by side, one thread each, with the
# Two-Tower's optimiser settings; the Quant-LCM's residual codebooks are fitted first (lcm.rvq) on the
# same data's train records. Minutes are arguments. Usage:
#   training/lcm/train_families.sh [ONE_TOWER_MINUTES] [QUANT_MINUTES]
# Environment: DATA (default data/lcm2), RUNS (run-name prefix, default fam), GRID (codebooks KxV,
# default 16x256: chosen by `python3 -m lcm.rvq sweep`, training/README.md "Quant-LCM codebooks"),
# LAYERS (One-Tower and Quant-LCM layers, default 6), OUT (default ../models/default), SKIP_EXPORT=1.
# Exports are --int8 (weights int8 per output channel, other large tables and the codebooks float16).
set -euo pipefail
cd "$(dirname "$0")/.."
one_min=${1:-60}
quant_min=${2:-60}
data=${DATA:-data/lcm2}
runs=${RUNS:-fam}
grid=${GRID:-16x256}
layers=${LAYERS:-6}
out=${OUT:-../models/default}
[ -f "$data/specials.f32" ] || node lcm/specials.mjs ../models/default/codec "$data"
export LCM_THREADS=1 PYTHONUNBUFFERED=1
common="--data $data --max-len 256 --model-dim 256 --heads 4 --batch 16 --lr ${LR:-5e-4} --warmup 100 --eval-every 10 ${TRAIN_ARGS:-}"
books="runs/$runs-codebooks-$grid.npz"
resume=""
[ -f "runs/$runs-one-tower/checkpoint.pt" ] && resume="--resume"
# shellcheck disable=SC2086
/usr/bin/python3 -m lcm.train $common --out "runs/$runs-one-tower" --model one_tower --one-tower-layers "$layers" \
  --minutes "$one_min" $resume > "runs/$runs-one-tower.out" 2>&1 &
one_pid=$!
if [ ! -f "$books" ]; then
  /usr/bin/python3 -m lcm.rvq fit --data "$data" --codebooks "${grid%x*}" --units "${grid#*x}" --out "$books" \
    > "runs/$runs-codebooks-$grid.json"
fi
resume=""
[ -f "runs/$runs-quant/checkpoint.pt" ] && resume="--resume"
# shellcheck disable=SC2086
/usr/bin/python3 -m lcm.train $common --out "runs/$runs-quant" --model quant --codebooks "$books" \
  --one-tower-layers "$layers" --minutes "$quant_min" $resume > "runs/$runs-quant.out" 2>&1
wait "$one_pid"
[ -n "${SKIP_EXPORT:-}" ] && exit 0
RUNS_PREFIX=$runs /usr/bin/python3 lcm/cards/make_family_cards.py
codec=../models/default/codec/manifest.json
/usr/bin/python3 -m lcm.export_onnx --one-tower "runs/$runs-one-tower/checkpoint.pt" --codec-manifest "$codec" \
  --out "$out/one-tower" --name lcm-default-one-tower --card lcm/cards/one-tower-v1.json --int8
/usr/bin/python3 -m lcm.export_onnx --quant "runs/$runs-quant/checkpoint.pt" --codec-manifest "$codec" \
  --out "$out/quant" --name lcm-default-quant --card lcm/cards/quant-v1.json --int8
