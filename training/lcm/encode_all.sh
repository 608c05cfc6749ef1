#!/usr/bin/env bash
# Encode the LCM corpora with the shipped codec (see encode_docs.mjs). Resumable per corpus: a corpus
# whose .done marker exists is skipped. Usage: training/lcm/encode_all.sh [OUT_DIR]
#   V1=1        the first shipped model's smaller corpus list
#   PRETRAIN=1  add the pre-training documents: books (the first BOOK_SENTENCES, default 1500, of
#               each), speeches, news, meetings, stories and the document-level parallel corpora in
#               every language the codec declares
#   TOKENS=1    write token files for a GPU to encode (encode_tokens.py) instead of concepts
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-training/data/lcm}
data=${LCM_DATA:-../shared/data}
mkdir -p "$out"
run() {  # name input [extra args]
  local name=$1 input=$2; shift 2
  [ -f "$out/$name.done" ] && return 0
  node training/lcm/encode_docs.mjs --out "$out" --name "$name" --input "$input" ${TOKENS:+--tokens-only} "$@"
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
if [ -n "${PRETRAIN:-}" ]; then
  books=(--max-sentences "${BOOK_SENTENCES:-1500}")
  for part in part1 part2 part3; do
    run "gutenberg_$part" "$data/documents/gutenberg_eng_literature_$part.jsonl.gz" "${books[@]}"
  done
  run gutenberg_nonfiction "$data/documents/gutenberg_eng_nonfiction.jsonl.gz" "${books[@]}"
  run gutenberg_fra_deu_spa "$data/documents/gutenberg_fra_deu_spa.jsonl.gz" "${books[@]}"
  run inaugural "$data/documents/nltk_inaugural.jsonl.gz"
  run state_union "$data/documents/nltk_state_union.jsonl.gz"
  run newstest2019 "$data/documents/wmt_newstest2019_eng.jsonl.gz"
  run qmsum "$data/summarization/qmsum.train.jsonl.gz" --documents-only
  run squality "$data/summarization/squality.train.jsonl.gz" --documents-only
  [ -f "$out/parallel_docs.jsonl" ] || node training/lcm/parallel_docs.mjs "$out/parallel_docs.jsonl"
  run parallel "$out/parallel_docs.jsonl"
fi
