"""Write a summarization evaluation folder for one split of the LCM's records (lcm.data.split_of):
SPLIT.jsonl (the records, for `lcm eval summarization --data`) and docs/<id>.txt (one document per
file, for `lcm summarize`). The test split ("heldout") is for reported numbers only; "dev" is for
tuning (grounding threshold, lengths). Neither is ever trained on.

At most --per-corpus records from each corpus (default 40, in file order) keep a full evaluation of
every system to minutes on CPU; the shipped numbers use the defaults.

Usage: python3 -m lcm.make_eval_set --split dev --out data/lcm_dev [--data ../../shared/data]
       python3 -m lcm.make_eval_set --split all --corpus summarization/qmsum.val.jsonl.gz --out data/qmsum_val
The long-document validation sets (QMSum val, SQuALITY dev) are never trained or tuned on: `--split
all` takes every record of the corpora given (`--corpus`, repeatable) and names the file all.jsonl.
"""
import argparse
import gzip
import json
from pathlib import Path

from lcm.data import split_of

CORPORA = ("summarization/bbc_news_summary.all.jsonl.gz", "summarization/dialogsum.dev.jsonl.gz")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=["heldout", "dev", "all"], required=True)
    ap.add_argument("--corpus", action="append", help="a summarization file under --data (default: BBC + DialogSum)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / ".." / "shared" / "data"))
    ap.add_argument("--per-corpus", type=int, default=40)
    args = ap.parse_args()
    out = Path(args.out)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    kept = []
    for corpus in args.corpus or CORPORA:
        taken = 0
        with gzip.open(Path(args.data) / corpus, "rt", encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                if (args.split != "all" and split_of(rec["id"]) != args.split) or taken >= args.per_corpus:
                    continue
                taken += 1
                kept.append(rec)
                name = str(rec["id"]).replace("/", "_")
                (out / "docs" / f"{name}.txt").write_text(rec["document"] + "\n", encoding="utf-8")
    with open(out / f"{args.split}.jsonl", "w", encoding="utf-8") as f:
        for rec in kept:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{args.split}: {len(kept)} records -> {out}")


if __name__ == "__main__":
    main()
