"""Shared helpers for the training pipeline: paths, gz readers, text normalisation for dedup."""
import gzip
import json
import os
import re
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("LCM_DATA", REPO.parent / "shared" / "data"))
WORK = Path(os.environ.get("LCM_WORK", REPO / "training" / "data"))


def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def read_jsonl(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def dedup_key(text):
    """Case-, punctuation- and space-insensitive key, so near-identical copies of held-out
    sentences are caught across corpora."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def set_torch_threads():
    import torch

    if not torch.cuda.is_available():
        torch.set_num_threads(int(os.environ.get("LCM_THREADS", "2")))
