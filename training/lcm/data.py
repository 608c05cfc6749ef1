"""Concept sequences for LCM training, read from encode_docs.mjs output (NAME.f32 + NAME.jsonl).

Two kinds of training sequences, both ending in the "End of text." concept:
  pretrain: a document's concepts (long documents cut into windows), loss on every position;
  sft:      [source ; "[MODEL]:" ; target ; "End of text."], loss on target positions only.
            summarize = document -> summary; extend = summary -> document (roles swapped).
Records are split by a stable hash of their id: the first 20% of the hash range is the held-out test
split (reported numbers), the next 10% the dev split (tuning: grounding threshold, lengths); neither
is ever trained on.
"""
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Sequence:
    concepts: np.ndarray  # [N, D] float32 raw codec space
    loss_from: int  # positions >= loss_from carry loss
    kind: str
    corpus: str = ""
    # each concept's row in its corpus (NAME.f32; the same row of encode_docs --tokens-only's NAME.ids),
    # -1 for the special concepts: what the decoder-CE objective reads the true sentence's tokens by
    rows: np.ndarray = None


def load_corpus(folder, name, dim):
    folder = Path(folder)
    vecs = np.fromfile(folder / f"{name}.f32", dtype=np.float32).reshape(-1, dim)
    records = [json.loads(l) for l in (folder / f"{name}.jsonl").read_text().splitlines() if l.strip()]
    return vecs, records


HELDOUT_FRACTION = 0.2
DEV_FRACTION = 0.1


def _hash_unit(record_id):
    # "doc@lang" (parallel_docs.mjs): every language version of a document lands in the same split
    return int(hashlib.sha256(record_id.split("@")[0].encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def is_heldout(record_id, fraction=HELDOUT_FRACTION):
    return _hash_unit(record_id) < fraction


def split_of(record_id, heldout_fraction=HELDOUT_FRACTION, dev_fraction=DEV_FRACTION):
    """'heldout' (test), 'dev' (tuning) or 'train'."""
    h = _hash_unit(record_id)
    if h < heldout_fraction:
        return "heldout"
    return "dev" if h < heldout_fraction + dev_fraction else "train"


def rows(vecs, part):
    start, count = part
    return vecs[start: start + count]


def build_sequences(folder, dim, specials, max_len=256, heldout_fraction=HELDOUT_FRACTION, split="train"):
    """specials: {"eot": vec, "model": vec} raw. Returns a list of Sequence for the split."""
    eot, model_turn = specials["eot"][None], specials["model"][None]
    out = []
    folder = Path(folder)
    names = sorted(p.stem for p in folder.glob("*.jsonl") if (folder / f"{p.stem}.f32").exists())
    for name in names:
        vecs, records = load_corpus(folder, name, dim)
        for rec in records:
            if split_of(rec["id"], heldout_fraction) != split:
                continue
            doc = rows(vecs, rec["parts"]["document"])
            if len(doc) == 0:
                continue
            doc_rows = np.arange(rec["parts"]["document"][0], sum(rec["parts"]["document"]))
            special = np.array([-1])

            def seq(parts, row_parts, loss_from, kind):
                return Sequence(np.concatenate(parts), loss_from, kind, name, np.concatenate(row_parts))

            # pretraining windows over the document
            window = max_len - 1
            for s in range(0, len(doc), window):
                chunk = doc[s: s + window]
                if len(chunk) >= 2:
                    out.append(seq([chunk, eot], [doc_rows[s: s + window], special], 0, "pretrain"))
            for summ in rec["parts"].get("summaries", []):
                target = rows(vecs, summ)
                if len(target) == 0:
                    continue
                target_rows = np.arange(summ[0], summ[0] + summ[1])
                # summarize: keep the source's head if it does not fit
                room = max_len - len(target) - 2
                if room >= 4:
                    src = doc[:room]
                    out.append(seq([src, model_turn, target, eot], [doc_rows[:room], special, target_rows, special],
                                   len(src) + 1, "summarize"))
                # extend: summary -> the document's opening (as much as fits)
                n = max(0, max_len - len(target) - 2)
                if len(doc[:n]) >= 2:
                    out.append(seq([target, model_turn, doc[:n], eot], [target_rows, special, doc_rows[:n], special],
                                   len(target) + 1, "extend"))
    return out


def heldout_pretrain_sequences(folder, dim, specials, max_len=256, split="heldout"):
    """The documents of a held-out split as next-concept sequences, in the one shuffled order that
    lcm.train, lcm.evaluate and lcm.baselines all score (their first 48)."""
    seqs = [s for s in build_sequences(folder, dim, specials, max_len, split=split) if s.kind == "pretrain"]
    random.Random(0).shuffle(seqs)
    return seqs


def fit_robust_normalizer(sample):
    """Per-dimension median and IQR scaled to a Gaussian's sigma (IQR / 1.349): sklearn's RobustScaler
    with quantile_range=(25, 75) and unit_variance — the IQR the paper describes (the reference code
    passes (0.25, 0.75), which sklearn reads as percentiles; we use the quartiles deliberately)."""
    center = np.median(sample, axis=0)
    q1, q3 = np.percentile(sample, 25, axis=0), np.percentile(sample, 75, axis=0)
    scale = (q3 - q1) / 1.3489795003921634
    scale[scale < 1e-8] = 1.0
    return center.astype(np.float32), scale.astype(np.float32)
