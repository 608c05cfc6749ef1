"""Bring DialogSum's train split (12,460 dialogues, one human summary each) in as summarize pairs.

Source: github.com/cylnlp/dialogsum, `DialogSum_Data.zip` at commit 9a79c6b7a768020c97b44e955312dd68172c34f4
(the zip is the only place the train split is stored whole; its later loose copy is a Git LFS-sized
blob that snapshots omit). Licence: CC BY-NC-SA 4.0 (the repository's README), like the DialogSum dev
split already in ../shared/data. Only `dialogsum.train.jsonl` is read from the zip; the test split
beside it is held out for evaluation and is never opened.

The train file is one Python dict literal per line (single quotes), not JSON, hence ast.literal_eval.

Our evaluation records (held-out and dev) come from DialogSum's *dev* split, so a train dialogue that
is a near-duplicate of any dev dialogue is dropped, by the rule ../shared/data used for dev against
the held-out split: it shares at least 3 long utterances, or at least half of its utterances, with one
dev dialogue (utterances compared lower-cased with punctuation and spaces removed; long = 40+ chars).

Usage: python3 -m lcm.import_dialogsum --zip DialogSum_Data.zip --out data/extra/dialogsum_train.jsonl.gz
   (get the zip with: git --git-dir=<mirror of cylnlp/dialogsum> cat-file blob \
    9a79c6b7a768020c97b44e955312dd68172c34f4:DialogSum_Data.zip > DialogSum_Data.zip)
"""
import argparse
import ast
import gzip
import io
import json
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

TRAIN_MEMBER = "DialogSum_Data/dialogsum.train.jsonl"
LONG_UTTERANCE = 40
SHARED_LONG = 3
SHARED_FRACTION = 0.5


def utterances(dialogue):
    """Normalised utterances: speaker tag dropped, lower-cased, only letters and digits kept."""
    out = []
    for line in dialogue.split("\n"):
        text = line.split(":", 1)[1] if line.startswith("#Person") and ":" in line else line
        key = re.sub(r"[\W_]+", "", text.lower())
        if key:
            out.append(key)
    return out


def near_duplicate_index(dev_records):
    """utterance -> the dev ids whose dialogue holds it."""
    holders = defaultdict(set)
    for rec in dev_records:
        for u in set(utterances(rec["document"])):
            holders[u].add(rec["id"])
    return holders


def is_near_duplicate(dialogue, holders):
    us = set(utterances(dialogue))
    if not us:
        return False
    shared_all = defaultdict(int)
    shared_long = defaultdict(int)
    for u in us:
        for dev_id in holders.get(u, ()):
            shared_all[dev_id] += 1
            if len(u) >= LONG_UTTERANCE:
                shared_long[dev_id] += 1
    return any(n >= SHARED_LONG for n in shared_long.values()) or any(
        n >= SHARED_FRACTION * len(us) for n in shared_all.values()
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--zip", required=True, help="DialogSum_Data.zip from cylnlp/dialogsum @ 9a79c6b")
    ap.add_argument("--out", required=True, help="summarization records, .jsonl.gz")
    ap.add_argument("--dev", default=str(Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
                                         / "summarization" / "dialogsum.dev.jsonl.gz"))
    args = ap.parse_args()
    with gzip.open(args.dev, "rt", encoding="utf-8") as f:
        holders = near_duplicate_index(json.loads(line) for line in f if line.strip())
    kept = dropped = 0
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.zip) as z, z.open(TRAIN_MEMBER) as raw, gzip.open(out, "wt", encoding="utf-8") as w:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if not line.strip():
                continue
            rec = ast.literal_eval(line)
            dialogue, summary = rec["dialogue"].strip(), rec["summary"].strip()
            if not dialogue or not summary:
                continue
            if is_near_duplicate(dialogue, holders):
                dropped += 1
                continue
            w.write(json.dumps({"id": f"dialogsum-{rec['fname']}", "lang": "eng_Latn",
                                "document": dialogue, "summaries": [summary]}, ensure_ascii=False) + "\n")
            kept += 1
    print(f"kept {kept} train dialogues, dropped {dropped} near-duplicates of dev dialogues -> {out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
