"""Codec v2 by alignment maps, step 3: write the fitted maps into a codec folder.

Adds alignment.bin (float16, the layout src/codec/language-maps.ts reads) and the manifest's
"alignment" section to a copy of the v1 codec (encoder, decoder and tokenizer unchanged: hard links
when the folders share a disk), with the checksums and a "training.alignment" record. --out may be the
codec folder itself (ships the maps in place).

Usage (from training/):
  python3 -m codec.align_export --codec ../models/default/codec --maps runs/align/maps.npz \
      --out runs/align/codec [--version 2]
"""
import argparse
import json
import os
import shutil
from pathlib import Path

import numpy as np

from common import file_checksums

ORDER = ["inner.weight", "inner.bias", "outer.weight", "outer.bias"]


def link_or_copy(src, dst):
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codec", required=True)
    ap.add_argument("--maps", required=True, help="align_fit.py --save's maps.npz (a residual MLP family)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", default="2")
    ap.add_argument("--fit-report", help="align_fit.py's fit.json: its dev numbers go into the manifest")
    args = ap.parse_args()
    src, out = Path(args.codec), Path(args.out)
    manifest = json.loads((src / "manifest.json").read_text())
    z = np.load(args.maps)
    if str(z["family"]) != "mlp":
        raise SystemExit(f"{args.maps}: holds {z['family']} maps; the runtime reads residual MLPs (--save mlp)")
    langs = [l for l in manifest["languages"] if f"{l}/to_shared/inner.weight" in z.files]
    hidden, dim = z[f"{langs[0]}/to_shared/inner.weight"].shape
    assert dim == manifest["embedding_dim"], "maps and codec disagree on the concept size"
    out.mkdir(parents=True, exist_ok=True)
    if out.resolve() != src.resolve():
        for name in ("encoder.onnx", "decoder.onnx", manifest["tokenizer"]["file"]):
            link_or_copy(src / name, out / name)
    parts = [z[f"{l}/{d}/{k}"].astype(np.float16).reshape(-1) for l in langs
             for d in ("to_shared", "from_shared") for k in ORDER]
    tmp = out / "alignment.bin.tmp"
    np.concatenate(parts).tofile(tmp)
    os.replace(tmp, out / "alignment.bin")
    manifest["version"] = args.version
    manifest["alignment"] = {"file": "alignment.bin", "dtype": "float16", "hidden": int(hidden), "languages": langs}
    record = {"method": "a residual MLP per language and direction, fitted on v1 concepts of translation "
                        "pairs (training/codec/align_fit.py); encoder and decoder are v1's",
              "fitted": str(z["fitted"])}
    if args.fit_report:
        report = json.loads(Path(args.fit_report).read_text())
        record["train_pairs"] = report["train_pairs"]
        record["dev"] = {"data": "NTREX dev documents", "identity": report["identity_mean"],
                         "maps": report[str(z["fitted"]) + "_mean"]}
    manifest.setdefault("training", {})["alignment"] = record
    manifest["checksums"] = {**manifest.get("checksums", {}), **file_checksums(out, ["alignment.bin"])}
    tmp = out / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, out / "manifest.json")
    print(f"{out}: {len(langs)} languages, hidden {hidden}, alignment.bin {(out / 'alignment.bin').stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
