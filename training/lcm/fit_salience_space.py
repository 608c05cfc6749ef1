"""The space grounded summaries measure a source sentence's centrality in (salience, issue 14): a
whitening of the codec's concepts, fitted on the LCM's training concepts and added to an exported LCM.

Why: salience ranks a document's sentences by their cosine to the document's mean concept. In the
codec's space (even normalized per dimension) the directions every sentence shares dominate that mean,
so "central" meant "typical-looking". Whitening (z = (x - mean) @ U diag(1/sqrt(eigenvalue + shrink *
mean eigenvalue))) gives every direction of the training concepts unit variance: what a document shares
with all documents stops counting, as IDF does for the TF-IDF centroid. Centroid-2 picks on the dev
sets, ROUGE-L: normalized space 22.8 (BBC + DialogSum dev) / 16.1 (DialogSum train's dev split);
whitened (shrink 0.1) 27.4 / 18.2; the TF-IDF centroid 28.1 / 20.5 (training/lcm/concept_centroid.py).

Fitted on every concept (documents and summaries) of the corpora's train-split records only
(lcm.data.split_of): the dev and held-out records never enter the statistics.

Writes MODEL/salience_whitening.f16 (float16, little-endian, [D, D] row-major: z = (x - mean) @ W) and
the manifest's "salience" entry (docs/lcm-contract.md), its checksum, and with --weight the default
`--salience` (defaults.salience), with --length the default `--salience-length`
(defaults.salience_length). The manifest is replaced atomically.

Usage (from training/):
  python3 -m lcm.fit_salience_space --data data/lcm4 --model ../models/default/lcm --shrink 0.1 --weight 2 --length 0.5
"""
import argparse
import json
from pathlib import Path

import numpy as np

from common import add_model_file
from lcm.data import load_corpus, rows, split_of

FILE = "salience_whitening.f16"


def train_concepts(folder, corpora, dim):
    """Every concept row of the train-split records of each corpus, and how many records gave them."""
    chunks, records_used = [], 0
    for name in corpora:
        vecs, records = load_corpus(folder, name, dim)
        for rec in records:
            if split_of(rec["id"]) != "train":
                continue
            records_used += 1
            parts = rec["parts"]
            chunks.append(rows(vecs, parts["document"]))
            chunks.extend(rows(vecs, p) for p in parts.get("summaries", []))
    return np.concatenate(chunks).astype(np.float64), records_used


def whitening(concepts, shrink):
    """(mean [D], W [D, D]) with z = (x - mean) @ W: unit variance along every principal direction, the
    small ones damped by shrink x the mean eigenvalue so that noise directions do not dominate."""
    mean = concepts.mean(0)
    cov = np.cov((concepts - mean).T)
    eigenvalues, vectors = np.linalg.eigh(cov)
    eigenvalues = np.clip(eigenvalues, 0, None)
    return mean, vectors / np.sqrt(eigenvalues + shrink * eigenvalues.mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="data/lcm4", help="encoded corpora (encode_all.sh)")
    ap.add_argument("--corpora", default="abc,bbc,dialogsum,dialogsum_train")
    ap.add_argument("--model", required=True, help="an exported LCM folder (its manifest.json is updated)")
    ap.add_argument("--shrink", type=float, default=0.1)
    ap.add_argument("--weight", type=float, help="also set defaults.salience (tuned on the dev splits)")
    ap.add_argument("--length", type=float,
                    help="also set defaults.salience_length, the length prior's exponent (tuned on the dev splits)")
    args = ap.parse_args()
    model = Path(args.model)
    manifest_path = model / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    dim = manifest["codec"]["embedding_dim"]
    corpora = [c for c in args.corpora.split(",") if c]
    concepts, records = train_concepts(args.data, corpora, dim)
    mean, w = whitening(concepts, args.shrink)

    def update(manifest):
        manifest["salience"] = {
            "space": "whitened",
            "file": FILE,
            "dtype": "float16",
            "mean": [round(float(x), 7) for x in mean],
            "shrink": args.shrink,
            "fitted_on": {"corpora": corpora, "split": "train", "records": records, "concepts": len(concepts)},
        }
        if args.weight is not None:
            manifest.setdefault("defaults", {})["salience"] = args.weight
        if args.length is not None:
            manifest.setdefault("defaults", {})["salience_length"] = args.length

    add_model_file(model, FILE, w.astype("<f2"), update)
    print(json.dumps({"file": str(model / FILE), "records": records, "concepts": len(concepts),
                      "shrink": args.shrink, "weight": args.weight, "length": args.length}))


if __name__ == "__main__":
    main()
