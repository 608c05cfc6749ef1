"""A concept-space extractive baseline: the centroid summarizer of `lcm eval summarization` (Radev et
al.), with the tool's concepts in an LCM's salience space (its whitening, fit_salience_space.py) in
place of TF-IDF vectors. No LCM: it says how much of a grounded summary's score the salience prior
alone would get, so the LCM's own share is visible.

Each document is segmented and encoded by the tool (`lcm encode`); sentences are ranked by the cosine
of their whitened concept to the mean of the document's (unit) whitened concepts and taken greedily,
skipping any within cosine 0.8 of one already taken (the TF-IDF baseline's redundancy rule), k of them,
output in document order. `--length P` scales each score by (the sentence's characters / the
document's mean)^P, as the tool's `--salience-length` does.

Usage (from the repository root, after `npm run build`):
  python3 training/lcm/concept_centroid.py training/data/lcm_eval heldout -k 2
writes EVAL_DIR/concept-centroid-n2.pred.jsonl, to score with `lcm eval summarization` or
training/lcm/eval_by_corpus.sh (system name concept-centroid-n2).
"""
import argparse
import json
import subprocess
from pathlib import Path

import numpy as np

REDUNDANCY = 0.8


def whitening(model):
    manifest = json.loads((model / "manifest.json").read_text())
    salience = manifest["salience"]
    dim = len(salience["mean"])
    dtype = "<f2" if salience["dtype"] == "float16" else "<f4"
    table = np.fromfile(model / salience["file"], dtype).astype(np.float32).reshape(dim, dim)
    return np.array(salience["mean"], np.float32), table


def unit(a):
    return a / np.maximum(np.linalg.norm(a, axis=-1, keepdims=True), 1e-9)


def centroid_pick(z, k, lengths=None, exponent=0.0):
    u = unit(z)
    score = u @ unit(u.mean(0))
    if exponent:
        lengths = np.maximum(np.asarray(lengths, np.float32), 1)
        score = score * (lengths / lengths.mean()) ** exponent
    chosen = []
    for i in np.argsort(-score, kind="stable"):
        if len(chosen) == k:
            break
        if all(u[i] @ u[j] <= REDUNDANCY for j in chosen):
            chosen.append(int(i))
    return sorted(chosen)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_dir", help="make_eval_set.py output: SPLIT.jsonl and docs/<id>.txt")
    ap.add_argument("split")
    ap.add_argument("-k", type=int, default=2, help="sentences per summary")
    ap.add_argument("--model", default="models/default/lcm", help="an LCM folder with a salience whitening")
    ap.add_argument("--length", type=float, default=0.0, help="the length prior's exponent (0: off)")
    args = ap.parse_args()
    eval_dir = Path(args.eval_dir)
    mean, table = whitening(Path(args.model))
    out = []
    for line in (eval_dir / f"{args.split}.jsonl").read_text().splitlines():
        record = json.loads(line)
        doc = eval_dir / "docs" / f"{record['id']}.txt"
        encoded = json.loads(subprocess.run(["node", "dist/src/cli.js", "encode", str(doc), "-q"],
                                            check=True, capture_output=True, text=True).stdout)
        texts = [c["text"] for c in encoded["concepts"]]
        x = np.array([c["vector"] for c in encoded["concepts"]], np.float32)
        picked = centroid_pick((x - mean) @ table, args.k, [len(t.strip()) for t in texts], args.length)
        out.append(json.dumps({"id": record["id"], "summary": "\n".join(texts[i] for i in picked)}))
    tag = f"-len{args.length:g}" if args.length else ""
    path = eval_dir / f"concept-centroid-n{args.k}{tag}.pred.jsonl"
    path.write_text("\n".join(out) + "\n")
    print(path)


if __name__ == "__main__":
    main()
