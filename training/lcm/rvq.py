"""Residual vector quantization of the concept space (the Quantized LCM's codebooks, reference/lcm.md §1.5,
followups §3): K codebooks of V units each, fitted one level at a time by k-means on what the levels
before left over, in the LCM's normalized space (robust normalizer, as lcm.train fits it). A concept is
the sum of one centroid per codebook: x ~ c_1[u_1] + ... + c_K[u_K] (greedy assignment, beam 1, as the
paper's IRVQ).

  python3 -m lcm.rvq fit --data DATA --codebooks 8 --units 256 --out codebooks.npz
  python3 -m lcm.rvq sweep --data DATA --grid 4x256,8x256,16x256,8x1024 [--decode-codec CODEC
      --decode-docs DOCS.jsonl.gz --decode-sentences 60]

DATA is an encode_docs.mjs output folder (NAME.f32 + NAME.jsonl): codebooks are fitted on its train
records and measured on its held-out and dev records (lcm.data split_of), never the other way. The
report: reconstruction MSE (normalized space, and relative to the data's variance) and cosine to the
continuous concept (raw space) after each codebook; `sweep --decode-codec` also decodes a sample of
held-out sentences from their continuous and their quantized concepts (training/lcm/rvq_decode.mjs:
the tool's own encoder and decoder) and scores both against the source (BLEU, chrF).
"""
import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from common import set_torch_threads
from lcm.data import fit_robust_normalizer, split_of


def load_rows(folder, dim, splits):
    """Concept rows of every corpus in folder whose record's split is in `splits`."""
    folder = Path(folder)
    out = []
    for idx in sorted(folder.glob("*.jsonl")):
        vecs = np.fromfile(folder / f"{idx.stem}.f32", dtype=np.float32).reshape(-1, dim)
        for line in idx.read_text().splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            if split_of(rec["id"]) not in splits:
                continue
            parts = [rec["parts"]["document"], *rec["parts"].get("summaries", [])]
            for start, count in parts:
                out.append(vecs[start: start + count])
    return np.concatenate(out) if out else np.zeros((0, dim), np.float32)


def kmeans(x, k, iters=20, seed=0):
    """Lloyd's k-means with k-means++ seeding over rows of x [N, D] (torch float32) -> [k, D]. An empty
    cluster is re-seeded with the row farthest from its centroid."""
    g = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    first = torch.randint(n, (1,), generator=g)
    centers = [x[first]]
    d2 = ((x - centers[0]) ** 2).sum(1)
    for _ in range(1, k):
        pick = torch.multinomial(d2 / d2.sum(), 1, generator=g) if d2.sum() > 0 else torch.randint(n, (1,), generator=g)
        centers.append(x[pick])
        d2 = torch.minimum(d2, ((x - x[pick]) ** 2).sum(1))
    c = torch.cat(centers)
    for _ in range(iters):
        assign, dist = nearest(x, c)
        sums = torch.zeros_like(c).index_add_(0, assign, x)
        counts = torch.bincount(assign, minlength=k).float()
        empty = counts == 0
        c = torch.where(empty[:, None], c, sums / counts.clamp(min=1)[:, None])
        if empty.any():
            far = torch.argsort(dist, descending=True)[: int(empty.sum())]
            c[empty] = x[far]
    return c


def nearest(x, c):
    """Index of each row's nearest centroid and the squared distance to it."""
    d = (x * x).sum(1, keepdim=True) - 2 * x @ c.T + (c * c).sum(1)[None]
    dist, assign = d.min(1)
    return assign, dist.clamp(min=0)


def fit_rvq(x, codebooks, units, iters=20, seed=0):
    """x [N, D] normalized -> codebooks [K, V, D]: level k is k-means over the residuals of levels < k."""
    r = torch.from_numpy(x).float().clone()
    books = []
    for k in range(codebooks):
        c = kmeans(r, min(units, r.shape[0]), iters, seed + k)
        if c.shape[0] < units:  # fewer rows than units (a tiny corpus): repeat, never chosen twice
            c = torch.cat([c, c[: units - c.shape[0]].repeat(units // c.shape[0] + 1, 1)[: units - c.shape[0]]])
        assign, _ = nearest(r, c)
        r = r - c[assign]
        books.append(c)
    return torch.stack(books).numpy()


def quantize(x, books, levels=None):
    """Greedy residual assignment: units [N, K] and the running reconstruction after each level
    [K, N, D] (normalized space)."""
    r = torch.from_numpy(x).float().clone()
    recon = torch.zeros_like(r)
    units, partial = [], []
    for c in torch.from_numpy(books)[: levels]:
        assign, _ = nearest(r, c)
        recon = recon + c[assign]
        r = r - c[assign]
        units.append(assign)
        partial.append(recon.clone())
    return torch.stack(units, 1).numpy(), torch.stack(partial).numpy()


def reconstruction(x_norm, books, center, scale):
    """MSE (normalized space), relative MSE and mean cosine to the continuous concept (raw space) after
    each codebook."""
    _, partial = quantize(x_norm, books)
    raw = x_norm * scale + center
    var = float(((x_norm - x_norm.mean(0)) ** 2).mean())
    levels = []
    for k, rec in enumerate(partial):
        mse = float(((rec - x_norm) ** 2).mean())
        rr = rec * scale + center
        cos = (rr * raw).sum(1) / (np.linalg.norm(rr, axis=1) * np.linalg.norm(raw, axis=1) + 1e-12)
        levels.append({"codebooks": k + 1, "mse": round(mse, 5), "relative_mse": round(mse / var, 4),
                       "cosine": round(float(cos.mean()), 4), "cosine_p10": round(float(np.quantile(cos, 0.1)), 4)})
    return levels


def save(path, books, center, scale, meta):
    np.savez(path, codebooks=books.astype(np.float32), center=center.astype(np.float32),
             scale=scale.astype(np.float32), meta=json.dumps(meta))


def load_codebooks(path):
    """(codebooks [K, V, D] float32 normalized space, center, scale, meta) from a fit's .npz."""
    z = np.load(path)
    return z["codebooks"], z["center"], z["scale"], json.loads(str(z["meta"]))


def prepare(data, max_rows):
    dim = int(json.loads((Path(data) / "specials.json").read_text())["dim"])
    train = load_rows(data, dim, {"train"})
    held = load_rows(data, dim, {"heldout", "dev"})
    if max_rows and len(train) > max_rows:
        train = train[np.random.default_rng(0).choice(len(train), max_rows, replace=False)]
    center, scale = fit_robust_normalizer(train)
    return dim, (train - center) / scale, (held - center) / scale, center, scale


def decode_eval(codec, docs, n_sentences, fits, tmp):
    """Held-out sentences decoded from their continuous and their quantized concepts (rvq_decode.mjs),
    scored against the source: {fit name: {bleu, chrf}} with "continuous" among them."""
    docs_in = Path(tmp) / "docs.jsonl"
    opener = gzip.open if str(docs).endswith(".gz") else open
    with opener(docs, "rt") as f, open(docs_in, "w") as out:
        for line in f:
            rec = json.loads(line)
            if split_of(str(rec["id"])) == "heldout":
                out.write(json.dumps({"id": rec["id"], "text": rec.get("text") or rec.get("document")}) + "\n")
    names = []
    for name, (books, center, scale) in fits.items():
        d = Path(tmp) / name
        d.mkdir()
        (d / "codebooks.f32").write_bytes(books.astype("<f4").tobytes())
        (d / "codebooks.json").write_text(json.dumps({"codebooks": books.shape[0], "units": books.shape[1],
                                                      "center": center.tolist(), "scale": scale.tolist()}))
        names.append(str(d))
    script = Path(__file__).with_name("rvq_decode.mjs")
    r = subprocess.run(["node", str(script), "--codec", str(codec), "--input", str(docs_in),
                        "--sentences", str(n_sentences), *sum((["--codebooks", n] for n in names), [])],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    fit = sub.add_parser("fit")
    fit.add_argument("--codebooks", type=int, default=8)
    fit.add_argument("--units", type=int, default=256)
    fit.add_argument("--out", required=True)
    sweep = sub.add_parser("sweep")
    sweep.add_argument("--grid", default="4x256,8x256,16x256,8x1024", help="KxV,... to compare")
    sweep.add_argument("--decode-codec", help="decode a held-out sample through this codec (rvq_decode.mjs)")
    sweep.add_argument("--decode-docs", help="documents (jsonl[.gz] of {id, text}) the sample comes from")
    sweep.add_argument("--decode-sentences", type=int, default=60)
    for p in (fit, sweep):
        p.add_argument("--data", required=True, help="encode_docs.mjs output folder with specials.json")
        p.add_argument("--iters", type=int, default=20)
        p.add_argument("--max-rows", type=int, default=200000, help="k-means on at most this many train rows")
    args = ap.parse_args()
    set_torch_threads()
    dim, train, held, center, scale = prepare(args.data, args.max_rows)
    if len(held) == 0:
        held = train
    if args.cmd == "fit":
        books = fit_rvq(train, args.codebooks, args.units, args.iters)
        report = {"codebooks": args.codebooks, "units": args.units, "train_rows": len(train),
                  "heldout_rows": len(held), "levels": reconstruction(held, books, center, scale)}
        save(args.out, books, center, scale, report)
        print(json.dumps(report))
        return
    results, fits = [], {}
    for spec in args.grid.split(","):
        k, v = (int(s) for s in spec.lower().split("x"))
        books = fit_rvq(train, k, v, args.iters)
        levels = reconstruction(held, books, center, scale)
        results.append({"grid": spec, "train_rows": len(train), "heldout_rows": len(held), "final": levels[-1],
                        "by_level": [lv for lv in levels if lv["codebooks"] in (1, 2, 4, 8, 16, 32, 64)]})
        fits[spec] = (books, center, scale)
        print(json.dumps(results[-1]), flush=True)
    if args.decode_codec:
        if not args.decode_docs:
            sys.exit("--decode-codec needs --decode-docs")
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps({"decode": decode_eval(args.decode_codec, args.decode_docs, args.decode_sentences,
                                                    fits, tmp)}), flush=True)


if __name__ == "__main__":
    main()
