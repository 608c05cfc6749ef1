#!/usr/bin/env bash
# One prepared GPU run of the codec (device tool): train for $MINUTES, evaluate on the held-out test
# documents, then pack the weights into chunks small enough to come back (<= 15 MiB each) with the
# training log and the evaluation report. Expects .gpu/{codec_data.npz,tokenizer.model,test/} (carried).
set -uo pipefail
export PYTHONUNBUFFERED=1
MINUTES=${MINUTES:-7}
nvidia-smi -L || true
mkdir -p .gpu/test && tar -C .gpu -xJf .gpu/test.tar.xz
cd training
python3 -m codec.train --data ../.gpu/codec_data.npz --tokenizer ../.gpu/tokenizer.model --out /tmp/run \
  --minutes "$MINUTES" --batch-pairs "${BATCH_PAIRS:-256}" --batch-mono "${BATCH_MONO:-256}" \
  --lr "${LR:-8e-4}" --warmup 400 --eval-every 1.5 --save-every 1000 > "$OUT/train_stdout.log" 2>&1
echo "train exit $?"; grep -v '"step": [0-9]*, "lr"' "$OUT/train_stdout.log" | cut -c1-600 | tail -20
grep '"lr"' "$OUT/train_stdout.log" | tail -3
cp /tmp/run/train.log "$OUT/train.log"
python3 -m codec.weights pack /tmp/run/checkpoint.pt "$OUT/weights" || exit 1
timeout "${EVAL_SECONDS:-100}" python3 -m codec.evaluate --weights /tmp/run/checkpoint.pt --tokenizer ../.gpu/tokenizer.model \
  --test ../.gpu/test --out "$OUT/eval_test.json" > "$OUT/eval_stdout.log" 2>&1
echo "eval exit $?"; tail -5 "$OUT/eval_stdout.log"
ls -la "$OUT"
