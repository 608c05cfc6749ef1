#!/usr/bin/env bash
# Tiny-scale CPU check of the LCM trainer's distributed path (DDP over gloo, 2 workers).
# On GPU machines use torchrun (see training/README.md). Debian's torch 1.13 `torchrun` crashes on
# Python 3.11 before starting workers (elastic's Std enum parsing), so this sets the same environment
# variables torchrun sets (MASTER_ADDR/PORT, WORLD_SIZE, RANK, LOCAL_RANK) and starts the 2 workers itself.
# Usage: tests/lcm_ddp_cpu.sh DATA_DIR OUT_DIR [MODEL]   (MODEL: two_tower (default), one_tower or base)
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 out=$2 model=${3:-two_tower}
export MASTER_ADDR=127.0.0.1 MASTER_PORT=$((29500 + RANDOM % 1000)) WORLD_SIZE=2 LCM_THREADS=1 OMP_NUM_THREADS=1
args=(--data "$data" --out "$out" --model "$model" --minutes 0.15 --model-dim 32 --heads 2 --context-layers 1
      --denoiser-layers 1 --one-tower-layers 1 --base-layers 1 --batch 4 --warmup 5 --max-len 64)
RANK=1 LOCAL_RANK=1 /usr/bin/python3 -m lcm.train "${args[@]}" > "$out.rank1.log" 2>&1 &
RANK=0 LOCAL_RANK=0 /usr/bin/python3 -m lcm.train "${args[@]}"
wait
grep -q '"event": "end"' "$out/train.log"
grep -q '"world_size": 2' "$out/train.log"
echo "DDP (2 workers, gloo) trained and checkpointed: $out/checkpoint.pt"
