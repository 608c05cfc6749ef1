"""Bring the whole BBC News Summary dataset (2,225 articles, each with an extractive summary) in as
summarize pairs; ../shared/data holds 100 of them (20 per topic), the records our BBC dev and held-out
sets come from.

Source: github.com/Miguel-G-Soares/PRI_proj1 at commit c62aec4c60f1354646e598ea5f2fb5860192e20b, folder
`BBC News Summary/` (`News Articles/<topic>/NNN.txt`, `Summaries/<topic>/NNN.txt`): a copy of the Kaggle
"BBC News Summary" dataset, released there as CC0 (the article text is BBC content: research use, as
../shared/data says of its 100-article subset of the same dataset). Only the data folder is read.

Every article that is one of ../shared/data's 100, or a near-duplicate of one (the dataset repeats some
stories), is dropped, so nothing trained on here is ever evaluated: an article is a near-duplicate when
it shares at least 3 long sentences (40+ characters, compared lower-cased with only letters and digits
kept), or half its sentences, with one of the 100. A repeat of an article already kept is dropped too,
so no story sits on both sides of the train / held-out hash split.

The documents are laid out as ../shared/data lays out its subset: the headline, a blank line, then the
paragraphs (lines within a paragraph joined with spaces). The summary files run sentences together
("$10.9bn.For the full-year"); a space is put back after each sentence end that lacks one.

Usage: python3 -m lcm.import_bbc_news --git-dir <mirror of Miguel-G-Soares/PRI_proj1> \
         --out data/extra/bbc_news_full.jsonl.gz
Writes one record per article: {"id": "bbcnews-<topic>-NNN", "lang", "document", "summaries": [...]}.
"""
import argparse
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

COMMIT = "c62aec4c60f1354646e598ea5f2fb5860192e20b"
FOLDER = "BBC News Summary"
LONG_SENTENCE = 40
SHARED_LONG = 3
SHARED_FRACTION = 0.5
# A sentence end run into the next sentence: "bn.For", "said.\"The", "2004.The".
RUN_TOGETHER = re.compile(r"([a-z0-9%)][.!?][\"']?)(?=[A-Z\"'])")


def git(git_dir, *args):
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=True, capture_output=True).stdout


def document_of(raw):
    blocks = [b for b in re.split(r"\n\s*\n", raw.replace("\r", "").strip()) if b.strip()]
    return "\n\n".join(" ".join(line.strip() for line in b.split("\n") if line.strip()) for b in blocks)


def summary_of(raw):
    text = " ".join(line.strip() for line in raw.replace("\r", "").split("\n") if line.strip())
    return RUN_TOGETHER.sub(r"\1 ", text)


def sentence_keys(text):
    """Normalised sentences of a document (a rough cut: enough to recognise a repeated story)."""
    pieces = re.split(r"(?<=[.!?])\s+|\n+", text)
    return {re.sub(r"[^a-z0-9]", "", p.lower()) for p in pieces} - {""}


def near_duplicate(keys, shared):
    longs = {k for k in keys if len(k) >= LONG_SENTENCE}
    for other in shared:
        common = keys & other
        if len(longs & other) >= SHARED_LONG or len(common) >= SHARED_FRACTION * max(len(keys), 1):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--git-dir", required=True, help="a mirror of Miguel-G-Soares/PRI_proj1")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared/data"),
                    help="../shared/data (its BBC subset is what is excluded)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with gzip.open(Path(args.shared) / "summarization/bbc_news_summary.all.jsonl.gz", "rt") as f:
        shared = [sentence_keys(json.loads(line)["document"]) for line in f if line.strip()]
    listing = git(args.git_dir, "ls-tree", "-r", "--name-only", COMMIT, "--", f"{FOLDER}/News Articles/")
    kept = dropped = repeats = 0
    seen = []
    out = gzip.open(args.out, "wt", encoding="utf-8")
    for path in sorted(listing.decode().splitlines()):
        topic, name = path.split("/")[-2:]
        summary_path = f"{FOLDER}/Summaries/{topic}/{name}"
        article = git(args.git_dir, "show", f"{COMMIT}:{path}").decode("utf-8", errors="replace")
        summary = git(args.git_dir, "show", f"{COMMIT}:{summary_path}").decode("utf-8", errors="replace")
        document = document_of(article)
        keys = sentence_keys(document)
        if near_duplicate(keys, shared):
            dropped += 1
            continue
        if near_duplicate(keys, seen):
            repeats += 1
            continue
        seen.append(keys)
        record = {"id": f"bbcnews-{topic}-{name.removesuffix('.txt')}", "lang": "eng_Latn",
                  "document": document, "summaries": [summary_of(summary)]}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        kept += 1
    out.close()
    print(f"kept {kept} articles, dropped {dropped} that are (near-)copies of ../shared/data's 100 "
          f"and {repeats} repeats of an article kept -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
