"""Held-out next-concept metrics of a checkpoint on a data folder (the paper's pre-training evaluation:
L2 and contrastive accuracy, teacher-forced, diffusion sampled with the paper's defaults): the numbers
lcm.train reports at its end, for any checkpoint on any encoded corpus, without training.

Usage: python3 -m lcm.evaluate --checkpoint runs/x/checkpoint.pt --data data/lcm2 [--max-seqs 48]
"""
import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch

from lcm.data import heldout_pretrain_sequences
from lcm.model import load_checkpoint, zero_snr_alphas_cumprod
from lcm.train import heldout_metrics, load_specials


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--max-seqs", type=int, default=48)
    ap.add_argument("--split", default="heldout", choices=["heldout", "dev"])
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("LCM_THREADS", "2")))
    model, cfg, ck = load_checkpoint(args.checkpoint)
    dim = int(json.loads((Path(args.data) / "specials.json").read_text())["dim"])
    specials = load_specials(Path(args.data) / "specials.f32", dim)
    held = heldout_pretrain_sequences(args.data, dim, specials, cfg.max_seq_len, split=args.split)
    center = np.array(ck["normalizer"]["center"], np.float32)
    scale = np.array(ck["normalizer"]["scale"], np.float32)
    alphas = zero_snr_alphas_cumprod(cfg.train_steps)
    kind = ck.get("kind", "two_tower")
    metrics = heldout_metrics(model, kind, held, center, scale, alphas, torch.device("cpu"), max_seqs=args.max_seqs)
    print(json.dumps({"checkpoint": args.checkpoint, "data": args.data, "kind": kind, **metrics}))


if __name__ == "__main__":
    main()
