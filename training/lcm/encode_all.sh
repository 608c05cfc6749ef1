#!/usr/bin/env bash
# Encode the LCM corpora with the shipped codec (see encode_docs.mjs). Resumable per corpus: a corpus
# whose .done marker exists is skipped. Usage: training/lcm/encode_all.sh [OUT_DIR]
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
run abc "$data/documents/nltk_abc.jsonl.gz" --max-docs 600
run sotu "$data/documents/nltk_state_union.jsonl.gz" --max-docs 12
run squality_train "$data/summarization/squality.train.jsonl.gz"
run squality_dev "$data/summarization/squality.dev.jsonl.gz"
