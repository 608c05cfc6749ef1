"""The salience head (src/tasks/salience-head.ts, issue 14): a small network that scores how likely a
source sentence is to belong in a summary of its document, trained on the extractive-oracle sentences
of summarization records (training/lcm/salience_data.mjs writes its inputs and labels).

Grounded summaries rank the sentences near each concept the LCM generates by cosine + weight x prior.
The prior was centrality in the whitened space (fit_salience_space.py), a fixed rule; this learns it
from what reference summaries keep. Its inputs (salienceHeadInputs) are the sentence's whitened unit
concept, its product with the document's direction, that direction, centrality (raw and standardized
within the document), length, position and the document's size; the network is
sigmoid(w2 . relu(W1 x + b1) + b2 + v . x).

Records are split by the hash of their id (lcm.data.split_of): the head trains on the train split of
each corpus and the epoch is chosen on the dev splits (precision of its top --top candidates against
the oracle, on the dev splits of 100+ records where there are any); held-out records are never read.
Each record weighs the same within its corpus whatever its length, and each corpus weighs
sqrt(records) unless --corpus-weight says otherwise, so a few hundred meetings or stories are not
drowned by 10,000 dialogues yet do not dominate them.

Writes MODEL/salience_head.f16 (float16: W1 [hidden, inputs] row-major, b1, w2, b2, v) and the
manifest's "salience.head" entry and checksum; with --weight also defaults.salience and with --length
defaults.salience_length. MODEL must already have a salience whitening, the one the inputs were
computed in (salience_data.mjs --lcm). The manifest and the file are replaced atomically.

Usage (from training/; the shipped head):
  python3 -m lcm.fit_salience_head --data data/salience --corpora bbcnews,bbc,dialogsum,dialogsum_train \
      --hidden 32 --lr 3e-4 --weight-decay 1e-2 --epochs 6 --loss both --batch 512 --threads 2 \
      --model runs/sal-models/lcm --weight 3 --length 0.5
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from common import add_model_file
from lcm.data import split_of

FILE = "salience_head.f16"
# salienceHeadInputs: three D-wide blocks (the concept, its product with the document's direction, that
# direction), then these scalars, centrality first
SCALARS = 6


def load(folder, name, split, graded=0.0):
    """(inputs [rows, F] float32, labels [rows], record index [rows], records) of one corpus's split.
    graded g > 0: each oracle sentence's label is (1 + the step the greedy oracle took it at)^-g, so the
    sentence that reproduces most of the reference counts most (binary where no order was recorded)."""
    folder = Path(folder)
    index = [json.loads(l) for l in (folder / f"{name}.jsonl").read_text().splitlines() if l.strip()]
    kept = [r for r in index if split == "any" or split_of(r["id"]) == split]
    total = sum(r["rows"][1] for r in index)
    table = np.memmap(folder / f"{name}.f32", dtype=np.float32, mode="r")
    width = table.size // total
    table = table.reshape(total, width)
    xs, ys, doc = [], [], []
    for k, r in enumerate(kept):
        start, count = r["rows"]
        xs.append(np.asarray(table[start:start + count]))
        y = np.zeros(count, np.float32)
        if graded and "order" in r:
            y[r["order"]] = (1 + np.arange(len(r["order"]), dtype=np.float32)) ** -graded
        else:
            y[r["labels"]] = 1
        ys.append(y)
        doc.append(np.full(count, k, np.int64))
    if not kept:
        return np.zeros((0, width), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64), []
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(doc), kept


class Head(torch.nn.Module):
    def __init__(self, inputs, hidden, dropout):
        super().__init__()
        self.drop = torch.nn.Dropout(dropout)
        self.l1 = torch.nn.Linear(inputs, hidden)
        self.l2 = torch.nn.Linear(hidden, 1)
        # a linear path beside the hidden layer: what is simply "more central" or "longer" needs no unit
        self.skip = torch.nn.Linear(inputs, 1, bias=False)
        torch.nn.init.zeros_(self.skip.weight)

    def forward(self, x):
        # dropout on the concept blocks only: the few scalars (centrality above all) are always seen
        scalars = x.shape[-1] - SCALARS
        x = torch.cat([self.drop(x[..., :scalars]), x[..., scalars:]], -1)
        return (self.l2(torch.relu(self.l1(x))) + self.skip(x)).squeeze(-1)


def oracle_recall(scores, labels, doc, top=None):
    """Mean over records of |top-k ∩ oracle| / k: k = the record's oracle count (records with one), or
    min(top, that count) with `top` (precision of the first few picks, what a short summary shows)."""
    out = []
    bounds = np.flatnonzero(np.diff(doc)) + 1
    for y, s in zip(np.split(labels, bounds), np.split(scores, bounds)):
        k = int(y.sum())
        if k == 0:
            continue
        if top is not None:
            k = min(k, top)
        best = np.argsort(-s, kind="stable")[:k]
        out.append(y[best].sum() / k)
    return float(np.mean(out)) if out else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/salience", help="salience_data.mjs output")
    ap.add_argument("--corpora", default="bbcnews,bbc,dialogsum,dialogsum_train",
                    help="corpora to train on (their train split) and select on (their dev split)")
    ap.add_argument("--corpus-weight", action="append", default=[], metavar="NAME=W",
                    help="a corpus's total weight (default sqrt(records))")
    ap.add_argument("--model", help="an exported LCM folder with a salience whitening (manifest updated)")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--inputs", choices=["all", "scalars", "no-concept"], default="all",
                    help="inputs the network may use (the others are zeroed, their weights written as 0): "
                         "all; scalars (centrality, length, position, first, count); no-concept (scalars and "
                         "the product with the mean direction, not the concept itself)")
    ap.add_argument("--loss", choices=["bce", "listwise", "both"], default="listwise",
                    help="bce: each sentence in or out of the oracle; listwise: a softmax over each record's "
                         "candidates against its oracle sentences (ranking within a document, which is what "
                         "grounding uses); both: their sum")
    ap.add_argument("--graded", type=float, default=0.0, metavar="G",
                    help="weigh each oracle sentence by (1 + the step the greedy oracle took it at)^-G in the "
                         "listwise loss (1: 1, 1/2, 1/3...; 0: all alike)")
    ap.add_argument("--reference-scores", metavar="PATH",
                    help="also write the head's probability for every row of the first corpus (float32, all "
                         "splits, in file order): what the tool must compute from the same inputs (tests)")
    ap.add_argument("--save", help="also save the PyTorch weights and input mask here (for analysis)")
    ap.add_argument("--top", type=int, default=2, help="also report precision of the first TOP picks")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weight", type=float, help="also set defaults.salience (tuned on the dev splits)")
    ap.add_argument("--length", type=float, help="also set defaults.salience_length")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    corpora = [c for c in args.corpora.split(",") if c]
    given = dict(w.split("=") for w in args.corpus_weight)

    xs, ys, ws, dev = [], [], [], {}
    spans, doc_weights = [], []  # each train record's [start, count) rows, and its weight
    sizes = {}
    offset = 0
    for name in corpora:
        x, y, doc, kept = load(args.data, name, "train", args.graded)
        if not kept:
            continue
        counts = np.bincount(doc)
        total = float(given[name]) if name in given else np.sqrt(len(kept))
        # every record weighs total / records, spread over its candidates
        ws.append((total / len(kept)) / counts[doc])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        spans.extend((offset + int(a), int(c)) for a, c in zip(starts, counts))
        doc_weights.extend([total / len(kept)] * len(kept))
        offset += len(y)
        xs.append(x)
        ys.append(y)
        sizes[name] = {"records": len(kept), "candidates": len(y), "weight": round(total, 2)}
        dev[name] = load(args.data, name, "dev")
    x = torch.from_numpy(np.concatenate(xs))
    y = torch.from_numpy(np.concatenate(ys))
    w = np.concatenate(ws)
    w = torch.from_numpy((w / w.mean()).astype(np.float32))
    inputs = x.shape[1]
    dim = (inputs - SCALARS) // 3
    mask = torch.ones(inputs)
    if args.inputs == "scalars":
        mask[:-SCALARS] = 0
    elif args.inputs == "no-concept":
        mask[:dim] = 0
    x = x * mask
    dev = {n: (dx * mask.numpy(), dy, dd, kept) for n, (dx, dy, dd, kept) in dev.items()}
    print(json.dumps({"train": sizes, "inputs": inputs, "using": args.inputs}), flush=True)

    def dev_recall(model):
        model.eval()
        out = {}
        with torch.no_grad():
            for name, (dx, dy, ddoc, kept) in dev.items():
                if kept:
                    scores = model(torch.from_numpy(dx)).numpy()
                    out[name] = [round(oracle_recall(scores, dy, ddoc), 4),
                                 round(oracle_recall(scores, dy, ddoc, args.top), 4)]
        model.train()
        return out

    # Reference points on the dev split: centrality alone, and centrality x length^0.5 (the shipped prior).
    centre_at = inputs - SCALARS
    baseline = {}
    for name, (dx, dy, ddoc, kept) in dev.items():
        if kept:
            cent, loglen = dx[:, centre_at], dx[:, centre_at + 1]
            weighted = cent * np.exp(0.5 * loglen)
            baseline[name] = {"centrality": [round(oracle_recall(cent, dy, ddoc), 4),
                                             round(oracle_recall(cent, dy, ddoc, args.top), 4)],
                              "centrality_x_length^0.5": [round(oracle_recall(weighted, dy, ddoc), 4),
                                                          round(oracle_recall(weighted, dy, ddoc, args.top), 4)]}
    print(json.dumps({"dev_baselines": baseline}), flush=True)

    model = Head(inputs, args.hidden, args.dropout)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    best, best_state, started = -1.0, None, time.time()
    dw = torch.tensor(doc_weights, dtype=torch.float32)
    dw = dw / dw.mean()
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(spans))
        total, batches = 0.0, 0
        at_doc = 0
        while at_doc < len(order):
            # records until the batch holds args.batch candidates
            chosen, rows_in = [], 0
            while at_doc < len(order) and (rows_in < args.batch or not chosen):
                chosen.append(int(order[at_doc]))
                rows_in += spans[order[at_doc]][1]
                at_doc += 1
            at = torch.cat([torch.arange(spans[d][0], spans[d][0] + spans[d][1]) for d in chosen])
            logits = model(x[at])
            loss = torch.zeros(())
            if args.loss in ("bce", "both"):
                loss = loss + (loss_fn(logits, (y[at] > 0).float()) * w[at]).mean()
            if args.loss in ("listwise", "both"):
                parts = torch.split(logits, [spans[d][1] for d in chosen])
                labels = torch.split(y[at], [spans[d][1] for d in chosen])
                terms = [-(torch.log_softmax(p, 0) * t).sum() / t.sum() * dw[d]
                         for p, t, d in zip(parts, labels, chosen) if t.sum() > 0]
                if terms:
                    loss = loss + torch.stack(terms).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss)
            batches += 1
        recall = dev_recall(model)
        # selected on the dev splits large enough to tell (100+ records), where there are any
        large = [r[1] for n, r in recall.items() if len(dev[n][3]) >= 100] or [r[1] for r in recall.values()]
        score = float(np.mean(large))
        print(json.dumps({"epoch": epoch, "loss": round(total / max(batches, 1), 5), "dev_oracle_recall": recall,
                          "mean": round(score, 4), "seconds": round(time.time() - started)}), flush=True)
        if score > best:
            best, best_state = score, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    print(json.dumps({"best_dev_mean_recall": round(best, 4)}), flush=True)
    if args.reference_scores:
        model.eval()
        rows, _, _, _ = load(args.data, corpora[0], "any")
        with torch.no_grad():
            probability = torch.sigmoid(model(torch.from_numpy(rows) * mask)).numpy()
        probability.astype("<f4").tofile(args.reference_scores)
    if args.save:
        torch.save({"state": model.state_dict(), "inputs": inputs, "hidden": args.hidden, "mask": mask}, args.save)
    if args.model:
        write(Path(args.model), model, mask, args, corpora, sizes)


def write(model_dir, model, mask, args, corpora, sizes):
    manifest = json.loads((model_dir / "manifest.json").read_text())
    if "salience" not in manifest:
        raise SystemExit(f"{model_dir}: no salience whitening; run lcm.fit_salience_space first")
    # the inputs it was not given get weight 0, so the tool (which computes them all) ignores them
    w1 = model.l1.weight.detach().numpy() * mask.numpy()[None, :]
    skip = model.skip.weight.detach().numpy().ravel() * mask.numpy()
    table = np.concatenate([w1.ravel(), model.l1.bias.detach().numpy(),
                            model.l2.weight.detach().numpy().ravel(), model.l2.bias.detach().numpy(), skip])

    def update(manifest):
        manifest["salience"]["head"] = {
            "file": FILE,
            "dtype": "float16",
            "hidden": args.hidden,
            "inputs": args.inputs,
            "trained_on": {"corpora": corpora, "split": "train", "records": sizes,
                           "labels": "extractive oracle (greedy ROUGE-1 + ROUGE-2 F against the reference)"},
        }
        if args.weight is not None:
            manifest.setdefault("defaults", {})["salience"] = args.weight
        if args.length is not None:
            manifest.setdefault("defaults", {})["salience_length"] = args.length

    add_model_file(model_dir, FILE, table.astype("<f2"), update)
    print(json.dumps({"file": str(model_dir / FILE), "hidden": args.hidden, "weight": args.weight,
                      "length": args.length}))


if __name__ == "__main__":
    main()
