#!/usr/bin/env bash
# End-to-end smoke run of the LCM pipeline on a tiny committed slice (public-domain inaugural
# addresses): encode with CODEC_DIR, train a tiny Two-Tower and Base-LCM for a few seconds each on
# CPU, export ONNX + manifest into OUT_DIR. The test suite runs it after training/smoke.sh.
# Usage: training/lcm/smoke.sh CODEC_DIR OUT_DIR   (needs `npm run build`)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
codec=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)  # absolute: the script changes directory below
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LCM_THREADS=2 PYTHONUNBUFFERED=1
PY=${PYTHON:-/usr/bin/python3}
node "$here/lcm/encode_docs.mjs" --codec "$codec" --out "$work/data" --name inaugural \
  --input "$here/../test/fixtures/lcm-smoke/docs.jsonl" 2>/dev/null
node "$here/lcm/specials.mjs" "$codec" "$work/data"
cd "$here"
small="--model-dim 32 --heads 2 --context-layers 1 --denoiser-layers 1 --base-layers 1 --batch 4 --warmup 5 --max-len 64"
$PY -m lcm.train --data "$work/data" --out "$work/tt" --model two_tower --minutes 0.15 $small >/dev/null
$PY -m lcm.train --data "$work/data" --out "$work/base" --model base --minutes 0.1 $small >/dev/null
$PY -m lcm.export_onnx --two-tower "$work/tt/checkpoint.pt" --base "$work/base/checkpoint.pt" \
  --codec-manifest "$codec/manifest.json" --out "$out" --name lcm-smoke >/dev/null 2>&1
if [ -n "${PARITY_OUT:-}" ]; then
  $PY -m lcm.reference_sampler --checkpoint "$work/tt/checkpoint.pt" --specials "$work/data/specials.f32" \
    --prompt-from "$work/data" --out "$PARITY_OUT" >/dev/null
fi
echo "smoke LCM exported to $out"
