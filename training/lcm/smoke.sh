#!/usr/bin/env bash
# End-to-end smoke run of the LCM pipeline on a tiny committed slice (public-domain inaugural
# addresses): encode with CODEC_DIR, train a tiny Two-Tower, One-Tower and Base-LCM for a few seconds
# each on CPU, fit residual codebooks (lcm.rvq) and train a tiny Quant-LCM on them, export ONNX +
# manifest into OUT_DIR (Two-Tower + Base) and, when given, ONE_TOWER_DIR (One-Tower) and QUANT_DIR
# (Quant-LCM). The test suite runs it after training/smoke.sh.
# It also walks the GPU path at tiny scale on CPU (training/gpu/lcm_run.sh): token files encoded by
# encode_tokens.py must give the concepts the tool gives (prints "gpu path: min cosine ..."), and the
# exported Two-Tower comes from a checkpoint carried through lcm.pack (fp16 chunks); the export is read
# back into checkpoints (lcm.import_onnx, prints "onnx import: ..."), and gets a salience whitening
# (lcm.fit_salience_space).
# With HEAD_DIR, a copy of the export gets a learned salience head (salience_data.mjs on the BBC test
# sample, lcm.fit_salience_head; prints "salience head: ...") and HEAD_DIR/reference_scores.f32, the
# trainer's probability for every candidate of the sample, for the tool to reproduce.
# Usage: training/lcm/smoke.sh CODEC_DIR OUT_DIR [ONE_TOWER_DIR [QUANT_DIR [HEAD_DIR]]]   (needs `npm run build`)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
codec=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)  # absolute: the script changes directory below
one_tower_out=${3:+$(mkdir -p "$3" && cd "$3" && pwd)}
quant_out=${4:+$(mkdir -p "$4" && cd "$4" && pwd)}
head_out=${5:+$(mkdir -p "$5" && cd "$5" && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LCM_THREADS=2 PYTHONUNBUFFERED=1
PY=${PYTHON:-/usr/bin/python3}
node "$here/lcm/encode_docs.mjs" --codec "$codec" --out "$work/data" --name inaugural \
  --input "$here/../test/fixtures/lcm-smoke/docs.jsonl" 2>/dev/null
node "$here/lcm/specials.mjs" "$codec" "$work/data"
node "$here/lcm/encode_docs.mjs" --codec "$codec" --out "$work/tok" --name inaugural --tokens-only \
  --input "$here/../test/fixtures/lcm-smoke/docs.jsonl" 2>/dev/null
cd "$here"
$PY -m lcm.encode_tokens --codec "$codec" --data "$work/tok" --device cpu >/dev/null
$PY - "$work/data" "$work/tok" <<'PY'
import json, sys
import numpy as np
dim = json.load(open(sys.argv[1] + "/specials.json"))["dim"]
tool, gpu = (np.fromfile(d + "/inaugural.f32", dtype=np.float32).reshape(-1, dim) for d in sys.argv[1:])
if tool.shape != gpu.shape:
    sys.exit(f"gpu path: {gpu.shape[0]} rows, the tool encoded {tool.shape[0]}")
cos = (tool * gpu).sum(1) / (np.linalg.norm(tool, axis=1) * np.linalg.norm(gpu, axis=1))
print(f"gpu path: min cosine {cos.min():.6f} over {len(cos)} concepts")
if cos.min() < 0.9999:
    sys.exit("gpu path: encode_tokens.py does not reproduce the tool's concepts")
PY
small="--model-dim 32 --heads 2 --context-layers 1 --denoiser-layers 1 --base-layers 1 --one-tower-layers 1 --batch 4
  --warmup 5 --max-len 64"
$PY -m lcm.train --data "$work/data" --out "$work/tt" --model two_tower --minutes 0.15 $small >/dev/null
$PY -m lcm.train --data "$work/data" --out "$work/base" --model base --minutes 0.1 $small >/dev/null
$PY -m lcm.train --data "$work/data" --out "$work/ot" --model one_tower --minutes 0.1 $small >/dev/null
grep '"event": "end"' "$work/ot/train.log" | sed 's/.*"step": \([0-9]*\).*/one-tower: trained \1 steps/'
$PY -m lcm.rvq fit --data "$work/data" --codebooks 4 --units 16 --iters 5 --out "$work/codebooks.npz" \
  >"$work/rvq.json"
$PY -c "import json, sys; r = json.load(open(sys.argv[1])); l = r['levels'][-1]
print(f\"rvq: {r['codebooks']}x{r['units']} held-out relative mse {l['relative_mse']}\")" "$work/rvq.json"
$PY -m lcm.train --data "$work/data" --out "$work/quant" --model quant --codebooks "$work/codebooks.npz" \
  --minutes 0.1 $small >/dev/null
grep '"event": "end"' "$work/quant/train.log" | sed 's/.*"step": \([0-9]*\).*/quant: trained \1 steps/'
$PY -m lcm.pack pack "$work/tt/checkpoint.pt" "$work/tt/carried" >/dev/null
$PY -m lcm.pack unpack "$work/tt/carried" "$work/tt/unpacked.pt"
$PY -m lcm.export_onnx --two-tower "$work/tt/unpacked.pt" --base "$work/base/checkpoint.pt" \
  --codec-manifest "$codec/manifest.json" --out "$out" --name lcm-smoke >/dev/null 2>&1
# the salience space (lcm.fit_salience_space) added to the export, as for the bundled models
$PY -m lcm.fit_salience_space --data "$work/data" --corpora inaugural --model "$out" --weight 2 --length 0.5 >/dev/null
if [ -n "$head_out" ]; then
  cp -r "$out"/. "$head_out"/
  node "$here/lcm/salience_data.mjs" --codec "$codec" --lcm "$head_out" --out "$work/salience" --name bbc \
    --input "$here/../test/fixtures/eval/bbc_sample.jsonl" 2>/dev/null
  $PY -m lcm.fit_salience_head --data "$work/salience" --corpora bbc --epochs 2 --hidden 4 --threads 1 \
    --model "$head_out" --weight 3 --reference-scores "$head_out/reference_scores.f32" >/dev/null
  echo "salience head: $(wc -l < "$work/salience/bbc.jsonl") records"
fi
# the export read back into checkpoints (lcm.import_onnx) must hold the very weights exported; from an
# --fp16 export, those weights rounded to float16
$PY -m lcm.export_onnx --two-tower "$work/tt/unpacked.pt" --base "$work/base/checkpoint.pt" \
  --codec-manifest "$codec/manifest.json" --out "$work/fp16" --name lcm-smoke --fp16 >/dev/null 2>&1
$PY -m lcm.import_onnx "$out" --out "$work/imported" >/dev/null 2>&1
$PY -m lcm.import_onnx "$work/fp16" --out "$work/imported16" >/dev/null 2>&1
$PY - "$work" <<'PY'
import sys
import torch
work = sys.argv[1]
for label, prefix, rounded in (("", "imported", False), (" (fp16 export)", "imported16", True)):
    worst, tensors = 0.0, 0
    for trained, kind in ((f"{work}/tt/unpacked.pt", "two-tower"), (f"{work}/base/checkpoint.pt", "base")):
        a, b = torch.load(trained)["model"], torch.load(f"{work}/{prefix}-{kind}/checkpoint.pt")["model"]
        if a.keys() != b.keys():
            sys.exit(f"onnx import: {prefix}-{kind} has other tensors than {trained}")
        for k in a:
            # the export stores tables of 4,096 numbers or more in float16, smaller ones as they are
            want = a[k].half().float() if rounded and a[k].numel() >= 4096 else a[k].float()
            worst = max(worst, float((want - b[k].float()).abs().max()))
            tensors += 1
    print(f"onnx import{label}: {tensors} tensors, max difference {worst}")
PY
if [ -n "$one_tower_out" ]; then
  $PY -m lcm.export_onnx --one-tower "$work/ot/checkpoint.pt" --codec-manifest "$codec/manifest.json" \
    --out "$one_tower_out" --name lcm-smoke-one-tower --int8 >/dev/null 2>&1
  echo "smoke One-Tower exported to $one_tower_out"
fi
if [ -n "$quant_out" ]; then
  $PY -m lcm.export_onnx --quant "$work/quant/checkpoint.pt" --codec-manifest "$codec/manifest.json" \
    --out "$quant_out" --name lcm-smoke-quant >/dev/null 2>&1
  echo "smoke Quant-LCM exported to $quant_out"
fi
if [ -n "${PARITY_OUT:-}" ]; then
  $PY -m lcm.reference_sampler --checkpoint "$work/tt/unpacked.pt" --specials "$work/data/specials.f32" \
    --prompt-from "$work/data" --out "$PARITY_OUT" >/dev/null
fi
echo "smoke LCM exported to $out"
