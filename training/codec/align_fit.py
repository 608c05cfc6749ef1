"""Codec v2 by alignment maps, step 2: fit one map per language between v1's language regions and
v1's English space, and measure it on the held-out NTREX dev documents.

Why maps and not a retrained encoder: four distillation runs on 2 CPU cores (codec/distill.py) moved
the dev xsim error from 42.8% to 28.6% and then flattened, at ~20 pairs/s. v1 already separates
sentences within each language (it auto-encodes French at chrF 29); what it lacks is a shared
coordinate system. A map per language, fitted on v1's own concepts of translation pairs, is cheap to
fit (seconds), leaves English exactly as it is (so the bundled LCMs and decoder keep their space), and
runs in microseconds per concept.

Two directions per language:
  to_shared:   v1(xx sentence)  -> v1(its English translation)   applied after encoding xx text
  from_shared: v1(English)      -> v1(the xx translation)        applied before decoding into xx
Families measured: identity (v1), affine (ridge least squares, closed form) and a residual MLP
(x + W2 gelu(W1 x + b1) + b2, tanh GELU as in the runtime), trained with MSE plus an in-batch contrastive term on centred vectors.

Inputs: align_data.py's records encoded by lcm/encode_docs.mjs (train.f32/jsonl, dev.f32/jsonl).
Writes <out>/fit.json (dev metrics per family and language) and <out>/maps.npz (the chosen family's
parameters, float32) for codec.align_export.

Usage (from training/):
  python3 -m codec.align_fit --data data/codec/align --out runs/align [--family affine|mlp|both]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from common import set_torch_threads


def load_parts(folder, name):
    vecs = np.fromfile(folder / f"{name}.f32", dtype=np.float32)
    index = [json.loads(l) for l in (folder / f"{name}.jsonl").read_text().splitlines() if l.strip()]
    dim = 512
    vecs = vecs.reshape(-1, dim)
    return {r["id"]: vecs[r["parts"]["document"][0]: sum(r["parts"]["document"])] for r in index}


def training_pairs(folder):
    """Every encoded train*.f32 batch of records (align_data --name train, train2, ...), per language."""
    parts = {}
    for index in sorted(folder.glob("train*.jsonl")):
        if (folder / f"{index.stem}.f32").exists():
            parts.update({f"{index.stem}:{k}": v for k, v in load_parts(folder, index.stem).items()})
    out = {}
    for key in parts:
        if key.endswith("/xx") and key[:-2] + "eng" in parts:  # a run still encoding has a last half
            lang = key.split(":", 1)[1].split("/")[0]
            xx, en = parts[key], parts[key[:-2] + "eng"]
            assert len(xx) == len(en), key
            out.setdefault(lang, ([], []))
            out[lang][0].append(xx)
            out[lang][1].append(en)
    return {l: (np.concatenate(a), np.concatenate(b)) for l, (a, b) in out.items()}


def dev_pairs(folder):
    parts = load_parts(folder, "dev")
    eng = parts["eng_Latn/dev"]
    return {k.split("/")[0]: (v, eng) for k, v in parts.items() if not k.startswith("eng_Latn")}


def xsim_errors(a, b):
    """xx -> eng nearest-neighbour error among the set, raw cosine and with each side's mean removed."""
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    target = torch.arange(len(a))
    raw = (F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T).argmax(1).ne(target).float().mean()
    ac, bc = a - a.mean(0), b - b.mean(0)
    cen = (F.normalize(ac, dim=-1) @ F.normalize(bc, dim=-1).T).argmax(1).ne(target).float().mean()
    return float(raw), float(cen)


def fit_affine(x, y, ridge):
    """W, b minimising |x W + b - y|^2 + ridge |W - I|^2: shrinks toward the identity, not zero."""
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    d = x.shape[1]
    a = xc.T @ xc + ridge * np.eye(d)
    w = np.linalg.solve(a, xc.T @ yc + ridge * np.eye(d))
    return {"w": w.astype(np.float32), "b": (my - mx @ w).astype(np.float32)}


def fit_procrustes(x, y):
    """Rotation (and one scale) between the centred clouds: keeps every distance within a language, so
    sentences stay as separable as v1 made them (least squares shrinks them toward the mean)."""
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    u, sv, vt = np.linalg.svd(xc.T @ yc)
    r = u @ vt
    scale = sv.sum() / (xc ** 2).sum()
    w = r * scale
    return {"w": w.astype(np.float32), "b": (my - mx @ w).astype(np.float32)}


def apply_affine(p, x):
    return x @ p["w"] + p["b"]


class ResidualMlp(torch.nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.inner = torch.nn.Linear(dim, hidden)
        self.outer = torch.nn.Linear(hidden, dim)
        torch.nn.init.zeros_(self.outer.weight)
        torch.nn.init.zeros_(self.outer.bias)

    def forward(self, x):
        return x + self.outer(F.gelu(self.inner(x), approximate="tanh"))


def fit_mlp(x, y, hidden, epochs, contrastive, seed):
    torch.manual_seed(seed)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    centre = y.mean(0)
    model = ResidualMlp(x.shape[1], hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    steps = epochs * (len(x) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=steps)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for s in range(0, len(x) - 127, 128):
            i = perm[s: s + 128]
            out = model(x[i])
            loss = F.mse_loss(out, y[i])
            if contrastive:
                a, b = F.normalize(out - centre, dim=-1), F.normalize(y[i] - centre, dim=-1)
                logits = a @ b.T / 0.05
                t = torch.arange(len(i))
                loss = loss + contrastive * 0.5 * (F.cross_entropy(logits, t) + F.cross_entropy(logits.T, t))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


@torch.no_grad()
def apply_mlp(p, x):
    h = F.gelu(torch.as_tensor(x) @ torch.as_tensor(p["inner.weight"]).T + torch.as_tensor(p["inner.bias"]),
               approximate="tanh")  # the runtime's form (src/codec/language-maps.ts)
    return (torch.as_tensor(x) + h @ torch.as_tensor(p["outer.weight"]).T + torch.as_tensor(p["outer.bias"])).numpy()


def measure(lang_dev, to_shared, from_shared):
    """Dev metrics of one language's maps (None = identity)."""
    x, e = lang_dev
    mapped = to_shared(x) if to_shared else x
    back = from_shared(e) if from_shared else e
    raw, cen = xsim_errors(mapped, e)
    return {"mse_to_eng": round(float(((mapped - e) ** 2).mean()), 5),
            "mse_from_eng": round(float(((back - x) ** 2).mean()), 5),
            "xsim_raw": round(raw, 4), "xsim_centred": round(cen, 4)}


def summarise(per_lang):
    keys = ["mse_to_eng", "mse_from_eng", "xsim_raw", "xsim_centred"]
    return {k: round(float(np.mean([v[k] for v in per_lang.values()])), 4) for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/codec/align")
    ap.add_argument("--out", default="runs/align")
    ap.add_argument("--family", choices=["affine", "procrustes", "mlp", "both"], default="both")
    ap.add_argument("--ridge", type=float, nargs="+", default=[1.0, 10.0, 100.0])
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--contrastive", type=float, default=0.05)
    ap.add_argument("--max-pairs", type=int, default=0, help="use at most this many training pairs per language")
    ap.add_argument("--save", choices=["affine", "procrustes", "mlp"], help="write maps.npz for this family")
    args = ap.parse_args()
    set_torch_threads()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    train, dev = training_pairs(data), dev_pairs(data)
    if args.max_pairs:
        train = {l: (x[: args.max_pairs], e[: args.max_pairs]) for l, (x, e) in train.items()}
    report = {"train_pairs": {l: len(v[0]) for l, v in train.items()}, "dev_lines": len(next(iter(dev.values()))[0])}
    report["identity"] = {l: measure(dev[l], None, None) for l in train}
    report["identity_mean"] = summarise(report["identity"])
    print("identity", report["identity_mean"], flush=True)
    chosen = {}
    if args.family in ("affine", "both"):
        for ridge in args.ridge:
            t0 = time.time()
            maps = {l: (fit_affine(*train[l], ridge), fit_affine(train[l][1], train[l][0], ridge)) for l in train}
            per = {l: measure(dev[l], lambda v, p=m[0]: apply_affine(p, v), lambda v, p=m[1]: apply_affine(p, v))
                   for l, m in maps.items()}
            report[f"affine_ridge{ridge:g}"] = per
            report[f"affine_ridge{ridge:g}_mean"] = summarise(per)
            print(f"affine ridge {ridge:g}", summarise(per), f"{time.time() - t0:.0f}s", flush=True)
            chosen[f"affine_ridge{ridge:g}"] = maps
    if args.family in ("procrustes", "both"):
        maps = {l: (fit_procrustes(*train[l]), fit_procrustes(train[l][1], train[l][0])) for l in train}
        per = {l: measure(dev[l], lambda v, p=m[0]: apply_affine(p, v), lambda v, p=m[1]: apply_affine(p, v))
               for l, m in maps.items()}
        report["procrustes"], report["procrustes_mean"] = per, summarise(per)
        print("procrustes", summarise(per), flush=True)
        chosen["procrustes"] = maps
    if args.family in ("mlp", "both"):
        t0 = time.time()
        maps = {}
        for l in train:
            maps[l] = (fit_mlp(*train[l], args.hidden, args.epochs, args.contrastive, 1),
                       fit_mlp(train[l][1], train[l][0], args.hidden, args.epochs, 0.0, 2))
        per = {l: measure(dev[l], lambda v, p=m[0]: apply_mlp(p, v), lambda v, p=m[1]: apply_mlp(p, v))
               for l, m in maps.items()}
        name = f"mlp_h{args.hidden}_c{args.contrastive:g}"
        report[name] = per
        report[name + "_mean"] = summarise(per)
        print(name, summarise(per), f"{time.time() - t0:.0f}s", flush=True)
        chosen[name] = maps
    (out / "fit.json").write_text(json.dumps(report, indent=1))
    if args.save:
        name = next(k for k in chosen if k.startswith(args.save))
        arrays = {}
        for l, (to_p, from_p) in chosen[name].items():
            for k, v in to_p.items():
                arrays[f"{l}/to_shared/{k}"] = v
            for k, v in from_p.items():
                arrays[f"{l}/from_shared/{k}"] = v
        np.savez(out / "maps.npz", family=np.array(args.save), fitted=np.array(name), **arrays)
        print("saved", name, "->", out / "maps.npz")


if __name__ == "__main__":
    main()
