#!/usr/bin/env bash
# Encode the LCM corpora with the shipped codec (see encode_docs.mjs). Resumable per corpus: a corpus
# whose .done marker exists is skipped. Usage: training/lcm/encode_all.sh [OUT_DIR]   (V1=1: the
# first shipped model's smaller corpus list)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-training/data/lcm}
data=${LCM_DATA:-../shared/data}
mkdir -p "$out"
run() {  # name input [extra args]
  local name=$1 input=$2; shift 2
  [ -f "$out/$name.done" ] && return 0
  node training/lcm/encode_docs.mjs --out "$out" --name "$name" --input "$input" "$@"
  touch "$out/$name.done"
}
run bbc "$data/summarization/bbc_news_summary.all.jsonl.gz"
run dialogsum "$data/summarization/dialogsum.dev.jsonl.gz"
if [ -n "${V1:-}" ]; then
  # the v1 model's data: 600 ABC documents, no headlines
  run abc "$data/documents/nltk_abc.jsonl.gz" --max-docs 600
else
  # v2: every ABC document, its headline as a one-concept summary (a summarize pair per document)
  run abc "$data/documents/nltk_abc.jsonl.gz" --summary-field title
fi
