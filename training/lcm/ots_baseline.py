"""Debian's Open Text Summarizer (`apt-get install ots`) as a baseline at equal length: for every
record of an evaluation split, OTS's summary with as many sentences as another system's summary of
the same document (the smallest --ratio that gives at least that many, then its first k sentences
in OTS's order). Writes predictions for `lcm eval summarization --predictions`.

Usage (from training/):
  python3 -m lcm.ots_baseline --dir data/lcm_dev --split dev \
      --like data/lcm_dev/grounded.pred.jsonl --out data/lcm_dev/ots.pred.jsonl
"""
import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def sentences(text):
    return [s.strip() for s in SENTENCE.split(" ".join(text.split())) if s.strip()]


def ots(path, ratio):
    out = subprocess.run(["ots", "-r", str(ratio), str(path)], capture_output=True, text=True, check=True)
    return sentences(out.stdout)


def summary_of(path, k):
    for ratio in range(1, 101):
        got = ots(path, ratio)
        if len(got) >= k:
            return got[:k]
    return ots(path, 100)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="make_eval_set's folder (SPLIT.jsonl, docs/<id>.txt)")
    ap.add_argument("--split", required=True)
    ap.add_argument("--like", required=True, help="predictions whose per-document length OTS matches")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not shutil.which("ots"):
        sys.exit("ots_baseline: the ots command is missing: apt-get install ots")
    folder = Path(args.dir)
    lengths = {}
    for line in Path(args.like).read_text().splitlines():
        r = json.loads(line)
        lengths[r["id"]] = max(1, len([s for s in r["summary"].split("\n") if s.strip()]))
    with open(args.out, "w") as out:
        for line in (folder / f"{args.split}.jsonl").read_text().splitlines():
            rid = json.loads(line)["id"]
            picked = summary_of(folder / "docs" / f"{rid}.txt", lengths.get(rid, 3))
            out.write(json.dumps({"id": rid, "summary": "\n".join(picked)}) + "\n")


if __name__ == "__main__":
    main()
