#!/usr/bin/env bash
# One prepared GPU run of the LCM (device tool): encode the token files with the shipped encoder
# (lcm.encode_tokens, checked against ONNX Runtime), then pre-train the Two-Tower diffusion LCM and
# the Base-LCM side by side on the one GPU for $MINUTES each, and pack both checkpoints into chunks
# small enough to come back, with the logs. Expects (carried) .gpu/codec/{encoder.onnx,manifest.json}
# and .gpu/lcm/ = `TOKENS=1 PRETRAIN=1 training/lcm/encode_all.sh` output (*.ids gzipped) + specials.
#
#   locally:  TOKENS=1 PRETRAIN=1 training/lcm/encode_all.sh .gpu/lcm && gzip .gpu/lcm/*.ids .gpu/lcm/*.lens
#   device:   MINUTES=7 training/gpu/lcm_run.sh
#   back:     python3 -m lcm.pack unpack OUT/two_tower runs/NAME-two-tower/checkpoint.pt (and base)
set -uo pipefail
export PYTHONUNBUFFERED=1
MINUTES=${MINUTES:-7}
OUT=${OUT:-/tmp/lcm_out}
mkdir -p "$OUT"
nvidia-smi -L || true
gpu=$(cd "${GPU_DIR:-.gpu}" && pwd)
data=$gpu/lcm
for f in "$data"/*.gz; do [ -e "$f" ] && gunzip -f "$f"; done
cd training
python3 -m lcm.encode_tokens --codec "$gpu/codec" --data "$data" --check "${CHECK_ROWS:-32}" 2>&1 | tail -20
common=(--data "$data" --max-len 256 --model-dim "${DIM:-256}" --heads 4 --batch "${BATCH:-64}" --lr "${LR:-6e-4}"
  --warmup 300 --eval-every "${EVAL_EVERY:-1.5}" --keep-best --minutes "$MINUTES")
python3 -m lcm.train "${common[@]}" --out /tmp/tt --model two_tower --context-layers "${CTX:-4}" \
  --denoiser-layers "${DEN:-4}" > "$OUT/two_tower.out" 2>&1 &
python3 -m lcm.train "${common[@]}" --out /tmp/base --model base --base-layers "${BASE_LAYERS:-6}" \
  > "$OUT/base.out" 2>&1
wait
for m in two_tower:tt base:base; do
  name=${m%%:*}
  grep -v '"loss"' "$OUT/$name.out" | cut -c1-400 | tail -6
  grep '"loss"' "$OUT/$name.out" | tail -2
  run=/tmp/${m##*:}
  python3 -m lcm.pack pack "$run/checkpoint.pt" "$OUT/$name" || echo "pack $name failed"
  # the lowest held-out L2 of the run, when it is not the last checkpoint
  if [ -f "$run/checkpoint_best.pt" ] && ! cmp -s "$run/checkpoint_best.pt" "$run/checkpoint.pt"; then
    python3 -m lcm.pack pack "$run/checkpoint_best.pt" "$OUT/${name}_best" || echo "pack ${name}_best failed"
  fi
done
ls -la "$OUT"
