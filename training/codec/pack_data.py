"""Stage 3: tokenize the training data once into a compact array file (codec_data.npz) that training
reads on CPU or GPU: every unique sentence is stored once as uint16 pieces, pairs and monolingual
examples are index arrays. The held-out dev documents are packed too (for dev loss and xsim).
"""
import argparse
import gzip
import json
import random

import numpy as np
import sentencepiece as spm

from common import WORK

MAX_PIECES = 126  # + language tag + </s> = 128 tokens, the codec's max length


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--max-pairs", type=int, default=0, help="subsample pairs (0 = all)")
    ap.add_argument("--max-mono", type=int, default=0, help="subsample monolingual sentences (0 = all)")
    ap.add_argument("--pair-cap-per-lang", type=int, default=0,
                    help="keep at most this many pairs per non-English language (0 = all): trims the big "
                         "languages and keeps every pair of the small ones")
    ap.add_argument("--out", default=str(WORK / "codec" / "codec_data.npz"))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    random.seed(args.seed)
    d = WORK / "codec"
    sp = spm.SentencePieceProcessor(model_file=str(d / "tokenizer.model"))
    langs = json.loads((d / "languages.json").read_text())
    lang_index = {l: i for i, l in enumerate(langs)}
    sentences = {}  # (lang, text) -> index
    order = []

    def sid(lang, text):
        key = (lang, text)
        if key not in sentences:
            sentences[key] = len(order)
            order.append(key)
        return sentences[key]

    pairs = []
    with gzip.open(d / "pairs.tsv.gz", "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    if args.max_pairs:
        random.shuffle(rows)
        rows = rows[: args.max_pairs]
    per_lang = {}
    for la, lb, ta, tb in rows:
        if args.pair_cap_per_lang:
            per_lang[la] = per_lang.get(la, 0) + 1
            if per_lang[la] > args.pair_cap_per_lang:
                continue
        if la in lang_index and lb in lang_index:
            pairs.append((sid(la, ta), sid(lb, tb)))
    with gzip.open(d / "mono.tsv.gz", "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    if args.max_mono:
        random.shuffle(rows)
        rows = rows[: args.max_mono]
    mono = [sid(lang, text) for lang, text in rows if lang in lang_index]
    # dev: NTREX held-out dev documents, multiway -> pairs with English
    dev_dir = d / "heldout" / "dev"
    eng = (dev_dir / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()
    dev_pairs = []
    for path in sorted(dev_dir.glob("*.txt")):
        lang = path.stem
        if lang == "eng_Latn" or lang not in lang_index:
            continue
        for x, e in zip(path.read_text(encoding="utf-8").splitlines(), eng):
            dev_pairs.append((sid(lang, x), sid("eng_Latn", e)))

    texts = [t for _, t in order]
    ids = sp.encode(texts)
    lengths = np.array([min(len(x), MAX_PIECES) for x in ids], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    tokens = np.fromiter((t for x in ids for t in x[:MAX_PIECES]), dtype=np.uint16, count=int(offsets[-1]))
    np.savez_compressed(
        args.out,
        tokens=tokens,
        offsets=offsets,
        lang=np.array([lang_index[l] for l, _ in order], dtype=np.uint16),
        pairs=np.array(pairs, dtype=np.int32),
        mono=np.array(mono, dtype=np.int32),
        dev_pairs=np.array(dev_pairs, dtype=np.int32),
        languages=np.array(langs),
        vocab_size=np.array(sp.get_piece_size()),
    )
    print(json.dumps({"sentences": len(order), "tokens": int(offsets[-1]), "pairs": len(pairs), "mono": len(mono),
                      "dev_pairs": len(dev_pairs), "truncated": int(sum(len(x) > MAX_PIECES for x in ids))}))


if __name__ == "__main__":
    main()
