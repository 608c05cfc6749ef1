#!/usr/bin/env bash
# codec.decoder_tune from a fresh checkout in one command (issue 13): training/data and training/runs
# are not kept between machines, so a run has to prepare its data, train and export in one go. Every
# stage is resumable: data already prepared is kept, a run with a checkpoint continues (--resume).
#
#   1. codec.prepare_data            the codec's pairs and the NTREX held-out split (dev used, test never)
#   2. codec.align_data + encode     translation pairs, v1 concepts of both sides (data/codec/align)
#   3. lcm/encode_all.sh             the LCM corpora's concepts and token rows (data/lcm2, data/lcm2-tokens)
#   4. codec.decoder_tune            MINUTES of training, then <out>/codec with the new decoder.onnx
#
# Usage: training/codec/decoder_tune_run.sh MINUTES [OUT]   (OUT default training/runs/dec-tune)
# Progress: OUT/tune.log (JSON lines); then measure on NTREX dev with the command it prints.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: training/codec/decoder_tune_run.sh MINUTES [OUT]}
out=${2:-runs/dec-tune}
py=/usr/bin/python3
export PYTHONUNBUFFERED=1
step() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if [ ! -d data/codec/heldout/dev ]; then
  step "prepare_data"
  $py -m codec.prepare_data
fi
# the languages the shipped codec declares (align_data draws pairs for each)
[ -f data/codec/languages.json ] || $py -c "import json; json.dump(json.load(open('../models/default/codec/manifest.json'))['languages'], open('data/codec/languages.json', 'w'))"
align=data/codec/align
if [ ! -f "$align/train.records.jsonl" ]; then
  step "align_data"
  $py -m codec.align_data --out "$align" --per-lang 6000
fi
for name in train dev; do
  if [ ! -f "$align/$name.done" ]; then
    step "encode $name pairs"
    node lcm/encode_docs.mjs --out "$align" --name "$name" --input "$align/$name.records.jsonl"
    touch "$align/$name.done"
  fi
done
step "LCM corpora: concepts and token rows"
(cd .. && training/lcm/encode_all.sh training/data/lcm2 && TOKENS=1 training/lcm/encode_all.sh training/data/lcm2-tokens)

resume=()
[ -f "$out/checkpoint.pt" ] && resume=(--resume)
step "decoder_tune, $minutes minutes -> $out"
$py -m codec.decoder_tune --out "$out" --minutes "$minutes" --batch 4 "${resume[@]}"
langs=$($py -c "import json; print(','.join(json.load(open('data/codec/languages.json'))))")
step "done; measure (the curve of training/README.md, 'Codec v2: the decoder'): node ../dist/src/cli.js eval codec \\
    --data data/codec/heldout/dev --langs $langs --greedy --limit 100 --models $out/codec"
