#!/usr/bin/env bash
# End-to-end smoke test of the codec pipeline on a tiny committed slice (CI runs it through the test
# suite): tokenizer -> pack -> train a few steps on CPU -> evaluate -> export ONNX (int8) into $1.
# Takes about a minute on 2 cores. Usage: training/smoke.sh OUT_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: smoke.sh OUT_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/../test/fixtures/codec-smoke/codec" "$work/codec"
export LCM_WORK="$work" LCM_THREADS=2 PYTHONUNBUFFERED=1
PY=${PYTHON:-/usr/bin/python3}
cd "$here"
$PY -m codec.train_tokenizer --vocab 1000 --per-lang 3000 --eng 3000 >/dev/null 2>&1
$PY -m codec.pack_data >/dev/null
$PY -m codec.train --data "$work/codec/codec_data.npz" --tokenizer "$work/codec/tokenizer.model" --out "$work/run" \
  --minutes 0.3 --batch-pairs 8 --batch-mono 8 --warmup 10 --dim 64 --heads 4 --ffn 128 \
  --encoder-layers 2 --decoder-layers 2 --eval-every 100 >/dev/null
$PY -m codec.weights pack "$work/run/checkpoint.pt" "$work/run/weights" >/dev/null
$PY -m codec.evaluate --weights "$work/run/weights.part00" --tokenizer "$work/codec/tokenizer.model" \
  --test "$work/codec/heldout/dev" --out "$work/run/eval.json" --limit 10 >/dev/null
python_langs=$(mktemp); echo '["eng_Latn","fra_Latn","deu_Latn"]' > "$python_langs"
$PY -m codec.export_onnx --weights "$work/run/weights.part00" --tokenizer "$work/codec/tokenizer.model" \
  --languages "$python_langs" --out "$out" --int8 --name lcm-smoke-codec >/dev/null 2>&1
rm -f "$python_langs"
cp "$work/run/eval.json" "$out/eval.json"
echo "smoke codec exported to $out"
