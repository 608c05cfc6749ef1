"""Stage 1: build the codec's training and held-out data from ../shared/data.

Outputs (under training/data/codec/):
  pairs.tsv.gz     lang_a, lang_b, text_a, text_b   (translation pairs, one side usually eng_Latn)
  mono.tsv.gz      lang, text                       (monolingual sentences for auto-encoding)
  heldout/{test,dev}/<lang>.txt  multiway NTREX held-out documents (line i aligned across langs)
  heldout/{test,dev}/docs.tsv    which documents
  stats.json

Held-out = whole NTREX-128 documents (every 5th document -> test, every 5th+2 -> dev). Any training
sentence whose dedup key equals a held-out sentence of the same language is dropped, and the WMT 2019
English documents (the same news as NTREX) are not used at all.
"""
import argparse
import gzip
import json
import random
import re
from collections import Counter, defaultdict

from common import DATA, WORK, dedup_key, read_jsonl, read_lines

MAX_CHARS = 256
MIN_CHARS = 2


def ntrex_split():
    rows = [line.split("\t") for line in (DATA / "parallel/ntrex128/docs.tsv").read_text().splitlines()[1:]]
    test, dev, train = [], [], []
    for i, (doc, first, last) in enumerate((r[0], int(r[1]), int(r[2])) for r in rows):
        (test if i % 5 == 0 else dev if i % 5 == 2 and i % 10 == 2 else train).append((doc, first, last))
    return test, dev, train


def multiway(folder):
    folder = DATA / "parallel" / folder
    return {p.name[: -len(".txt.gz")]: read_lines(p) for p in sorted(folder.glob("*.txt.gz"))}


def ok(text):
    return MIN_CHARS <= len(text) <= MAX_CHARS


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mono-per-lang", type=int, default=400_000, help="cap on monolingual sentences per language")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    random.seed(args.seed)
    out = WORK / "codec"
    (out / "heldout").mkdir(parents=True, exist_ok=True)

    # --- held-out NTREX documents
    test_docs, dev_docs, _ = ntrex_split()
    ntrex = multiway("ntrex128")
    heldout_lines = set()
    for name, docs in (("test", test_docs), ("dev", dev_docs)):
        d = out / "heldout" / name
        d.mkdir(parents=True, exist_ok=True)
        lines = [i for _, a, b in docs for i in range(a - 1, b)]
        heldout_lines.update(lines)
        for lang, sents in ntrex.items():
            (d / f"{lang}.txt").write_text("\n".join(sents[i] for i in lines) + "\n", encoding="utf-8")
        (d / "docs.tsv").write_text("".join(f"{doc}\t{a}\t{b}\n" for doc, a, b in docs))
    banned = defaultdict(set)  # lang -> dedup keys of held-out sentences
    for lang, sents in ntrex.items():
        base = lang.split("-")[0]
        for i in heldout_lines:
            banned[base].add(dedup_key(sents[i]))

    pairs = []
    stats = Counter()

    def add_pair(la, lb, ta, tb, source):
        ta, tb = ta.strip(), tb.strip()
        if not (ok(ta) and ok(tb)):
            stats["skipped_length"] += 1
            return
        if dedup_key(ta) in banned[la] or dedup_key(tb) in banned[lb]:
            stats["dropped_heldout_overlap"] += 1
            return
        pairs.append((la, lb, ta, tb))
        stats[f"src:{source}"] += 1

    # --- multiway corpora: pair every language with English
    for lang, sents in ntrex.items():
        if lang == "eng_Latn" or "-" in lang:
            continue
        for i, (x, e) in enumerate(zip(sents, ntrex["eng_Latn"])):
            if i not in heldout_lines:
                add_pair(lang, "eng_Latn", x, e, "ntrex128")
    for folder in ["tico19_test", "multi30k_train", "multi30k_val"] + sorted(
        p.name for p in (DATA / "parallel").glob("wmt_*") if (p / "eng_Latn.txt.gz").exists()
    ):
        mw = multiway(folder)
        if "eng_Latn" not in mw:
            continue
        for lang, sents in mw.items():
            if lang == "eng_Latn" or "-" in lang:
                continue
            for x, e in zip(sents, mw["eng_Latn"]):
                add_pair(lang, "eng_Latn", x, e, folder)
    # --- pairwise corpora
    for folder in sorted(p for p in (DATA / "parallel").iterdir() if p.is_dir()):
        for tsv in sorted(folder.glob("*-eng_Latn.tsv.gz")):
            lang = tsv.name.split("-eng_Latn")[0]
            for line in read_lines(tsv):
                cols = line.split("\t")
                if len(cols) == 2:
                    add_pair(lang, "eng_Latn", cols[0], cols[1], folder.name)

    # --- monolingual sentences from documents (news-like first, then books)
    mono = defaultdict(list)
    splitter = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(¿¡]?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9])")
    for path in sorted((DATA / "documents").glob("*.jsonl.gz")):
        if "wmt_newstest2019" in path.name:  # the NTREX English documents: never train on them
            continue
        for doc in read_jsonl(path):
            for para in doc["text"].split("\n\n"):
                para = " ".join(para.split())
                if not para or para.isupper():
                    continue
                for sent in splitter.split(para):
                    if 10 <= len(sent) <= MAX_CHARS and dedup_key(sent) not in banned[doc["lang"]]:
                        mono[doc["lang"]].append(sent)
    # the non-English side of pairs is monolingual data too (auto-encoding in every language)
    mono_rows = []
    for lang, sents in mono.items():
        random.shuffle(sents)
        sents = list(dict.fromkeys(sents))[: args.mono_per_lang]
        mono_rows.extend((lang, s) for s in sents)
        stats[f"mono:{lang}"] = len(sents)
    random.shuffle(pairs)
    random.shuffle(mono_rows)

    with gzip.open(out / "pairs.tsv.gz", "wt", encoding="utf-8") as f:
        for row in pairs:
            f.write("\t".join(row) + "\n")
    with gzip.open(out / "mono.tsv.gz", "wt", encoding="utf-8") as f:
        for row in mono_rows:
            f.write("\t".join(row) + "\n")
    langs = Counter(p[0] for p in pairs)
    stats["pairs"] = len(pairs)
    stats["mono"] = len(mono_rows)
    stats["heldout_test_lines"] = sum(b - a + 1 for _, a, b in test_docs)
    stats["heldout_dev_lines"] = sum(b - a + 1 for _, a, b in dev_docs)
    (out / "stats.json").write_text(json.dumps({"stats": stats, "pairs_per_lang": langs.most_common()}, indent=1))
    print(json.dumps({k: v for k, v in stats.items() if not k.startswith("mono:")}, indent=1))
    print("languages with pairs:", len(langs))


if __name__ == "__main__":
    main()
