"""Codec v2 by alignment maps, step 1: the sentences whose v1 concepts the maps are fitted on.

Writes records for lcm/encode_docs.mjs (`{id, lang, sentences}`), so the concepts come from the same
ONNX encoder and tokenizer the tool runs, not a PyTorch copy:
  <out>/train.records.jsonlup to --per-lang translation pairs (xx, eng) per language the codec declares, drawn
                     from codec.prepare_data's pairs.tsv.gz (which already excludes every held-out
                     NTREX line); record "<lang>/<k>/xx" holds the xx sides, "<lang>/<k>/eng" the English
  <out>/dev.records.jsonl  the NTREX dev documents, line-aligned across languages (for choosing the map)
The NTREX test documents are never read here: they are the held-out evaluation (`lcm eval codec`).

Sentences are trimmed and cut at 256 characters here, as the runtime does, so encode_docs keeps every
row and the two sides stay aligned.

Usage (from training/): python3 -m codec.align_data --out data/codec/align --per-lang 6000
"""
import argparse
import gzip
import json
import random
from pathlib import Path

from common import WORK

CHUNK = 500


def clean(text):
    return text.strip()[:256].strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(WORK / "codec" / "align"))
    ap.add_argument("--per-lang", type=int, default=6000)
    ap.add_argument("--start", type=int, default=0,
                    help="skip each language's first pairs (already encoded by a run with --per-lang START); "
                         "the draw is the same, so the two runs' pairs never overlap")
    ap.add_argument("--name", default="train", help="records file <out>/NAME.records.jsonl")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    d = WORK / "codec"
    langs = [l for l in json.loads((d / "languages.json").read_text()) if l != "eng_Latn"]
    by_lang = {l: [] for l in langs}
    seen = set()
    with gzip.open(d / "pairs.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            la, lb, ta, tb = line.rstrip("\n").split("\t")
            if lb == "eng_Latn" and la in by_lang:
                xx, en = clean(ta), clean(tb)
            elif la == "eng_Latn" and lb in by_lang:
                la, xx, en = lb, clean(tb), clean(ta)
            else:
                continue
            if xx and en and (la, xx) not in seen:
                seen.add((la, xx))
                by_lang[la].append((xx, en))
    rng = random.Random(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with open(out / f"{args.name}.records.jsonl", "w", encoding="utf-8") as f:
        for lang in langs:
            pairs = by_lang[lang]
            rng.shuffle(pairs)
            pairs = pairs[args.start: args.per_lang]
            counts[lang] = len(pairs)
            for k in range(0, len(pairs), CHUNK):
                chunk = pairs[k: k + CHUNK]
                f.write(json.dumps({"id": f"{lang}/{k // CHUNK}/xx", "lang": lang,
                                    "sentences": [x for x, _ in chunk]}, ensure_ascii=False) + "\n")
                f.write(json.dumps({"id": f"{lang}/{k // CHUNK}/eng", "lang": "eng_Latn",
                                    "sentences": [e for _, e in chunk]}, ensure_ascii=False) + "\n")
    dev = d / "heldout" / "dev"
    eng = [clean(x) for x in (dev / "eng_Latn.txt").read_text(encoding="utf-8").splitlines()]
    with open(out / "dev.records.jsonl", "w", encoding="utf-8") as f:
        for lang in ["eng_Latn", *langs]:
            lines = [clean(x) for x in (dev / f"{lang}.txt").read_text(encoding="utf-8").splitlines()]
            assert len(lines) == len(eng) and all(lines), f"{lang}: dev lines not aligned with English"
            f.write(json.dumps({"id": f"{lang}/dev", "lang": lang, "sentences": lines}, ensure_ascii=False) + "\n")
    (out / f"{args.name}.counts.json").write_text(json.dumps({"per_lang": counts, "dev_lines": len(eng)}, indent=1))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
