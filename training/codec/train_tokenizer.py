"""Stage 2: train the codec's SentencePiece tokenizer (unigram, byte fallback) on a language-balanced
sample of the training data, with one `__xxx_Xxxx__` tag token per training language (SONAR's format).

Special ids follow fairseq2: pad=0, unk=1, bos=2, eos=3. Output: training/data/codec/tokenizer.model
"""
import argparse
import gzip
import json
import random
from collections import defaultdict

import sentencepiece as spm

from common import WORK


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vocab", type=int, default=16000)
    ap.add_argument("--per-lang", type=int, default=30000, help="max sentences per language in the sample")
    ap.add_argument("--eng", type=int, default=150000, help="English sentences in the sample")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    random.seed(args.seed)
    out = WORK / "codec"
    by_lang = defaultdict(set)
    with gzip.open(out / "pairs.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            la, lb, ta, tb = line.rstrip("\n").split("\t")
            by_lang[la].add(ta)
            by_lang[lb].add(tb)
    with gzip.open(out / "mono.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            lang, text = line.rstrip("\n").split("\t")
            by_lang[lang].add(text)
    langs = sorted(by_lang)
    sample = []
    for lang in langs:
        sents = sorted(by_lang[lang])
        random.shuffle(sents)
        sample.extend(sents[: args.eng if lang == "eng_Latn" else args.per_lang])
    random.shuffle(sample)
    sample_path = out / "tokenizer_sample.txt"
    sample_path.write_text("\n".join(sample) + "\n", encoding="utf-8")
    tags = [f"__{lang}__" for lang in langs]
    spm.SentencePieceTrainer.train(
        input=str(sample_path),
        model_prefix=str(out / "tokenizer"),
        model_type="unigram",
        vocab_size=args.vocab,
        character_coverage=0.9995,
        byte_fallback=True,
        pad_id=0,
        unk_id=1,
        bos_id=2,
        eos_id=3,
        pad_piece="<pad>",
        unk_piece="<unk>",
        bos_piece="<s>",
        eos_piece="</s>",
        user_defined_symbols=tags,
        input_sentence_size=2_000_000,
        shuffle_input_sentence=True,
        num_threads=2,
        max_sentence_length=2048,
        train_extremely_large_corpus=False,
    )
    (out / "languages.json").write_text(json.dumps(langs))
    print(f"trained {args.vocab} pieces on {len(sample)} sentences, {len(langs)} language tags")


if __name__ == "__main__":
    main()
