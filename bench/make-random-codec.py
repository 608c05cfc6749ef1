"""A randomly initialised codec at the shipped default's size (d=512, 6+6 layers, 16k vocabulary, int8),
exported with training/codec/export_onnx.py, for speed measurements before the trained default model
exists. Its outputs are noise (decoding runs to the length limit), its speed is the real model's.
The PyTorch checkpoint is kept as OUT_DIR/checkpoint.pt, so bench/codec-speed.mjs can run the same
model in PyTorch for comparison.

Usage: /usr/bin/python3 bench/make-random-codec.py OUT_DIR [--tokenizer FILE]
The tokenizer only has to carry the language tags (eng/fra/deu); the smoke codec's is used by default.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "training"))

import torch  # noqa: E402

from codec.model import CodecConfig, ConceptCodec  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--tokenizer", required=True, help="SentencePiece model with __eng_Latn__ etc. tags")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    cfg = CodecConfig()  # the shipped default's shape
    model = ConceptCodec(cfg)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / "checkpoint.pt"
    torch.save({"config": cfg.to_dict(), "model": model.state_dict()}, ckpt)
    with tempfile.TemporaryDirectory() as tmp:
        langs = Path(tmp) / "langs.json"
        langs.write_text(json.dumps(["eng_Latn", "fra_Latn", "deu_Latn"]))
        subprocess.run(
            [sys.executable, "-m", "codec.export_onnx", "--weights", str(ckpt), "--tokenizer", args.tokenizer,
             "--languages", str(langs), "--out", args.out, "--int8", "--name", "random-default-size-codec"],
            cwd=REPO / "training", check=True)


if __name__ == "__main__":
    main()
