#!/usr/bin/env bash
# One prepared GPU run of the codec (device tool): train for $MINUTES, then pack the weights into
# chunks small enough to come back (<= 15 MiB each) together with the training log.
# Expects the packed data and tokenizer in .gpu/ (carried), writes to $OUT.
set -euo pipefail
export PYTHONUNBUFFERED=1
MINUTES=${MINUTES:-7}
nvidia-smi -L || true
cd training
python3 -m codec.train --data ../.gpu/codec_data.npz --tokenizer ../.gpu/tokenizer.model --out /tmp/run \
  --minutes "$MINUTES" --batch-pairs "${BATCH_PAIRS:-256}" --batch-mono "${BATCH_MONO:-256}" \
  --lr "${LR:-8e-4}" --warmup 400 --eval-every 1.5 --save-every 1000 2>&1 | tee "$OUT/train_stdout.log" | grep -v '"step"' || true
cp /tmp/run/train.log "$OUT/train.log"
python3 -m codec.weights pack /tmp/run/checkpoint.pt "$OUT/weights"
ls -la "$OUT"
