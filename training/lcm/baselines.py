"""Reference points for the LCM's held-out next-concept metrics (same sequences, same positions as
train.py's heldout_metrics): predicting the previous concept, and predicting the training mean.
Without these, an L2 of 2.7 means nothing. Usage: python3 -m lcm.baselines DATA_DIR"""
import json
import sys
from pathlib import Path

import numpy as np

from lcm.data import build_sequences, heldout_pretrain_sequences
from lcm.train import load_specials, next_concept_metrics


def main():
    data = sys.argv[1]
    dim = int(json.loads((Path(data) / "specials.json").read_text())["dim"])
    specials = load_specials(Path(data) / "specials.f32", dim)
    held = heldout_pretrain_sequences(data, dim, specials)[:48]  # the 48 train.py evaluates
    train = build_sequences(data, dim, specials, 256, split="train")
    mean = np.concatenate([s.concepts for s in train]).mean(0)
    prev, avg, truth = [], [], []
    for s in held:
        for j in range(max(1, s.loss_from), len(s.concepts)):
            prev.append(s.concepts[j - 1])
            avg.append(mean)
            truth.append(s.concepts[j])
    t = np.stack(truth)
    print(json.dumps({"positions": len(t), "copy_previous": next_concept_metrics(np.stack(prev), t),
                      "training_mean": next_concept_metrics(np.stack(avg), t)}))


if __name__ == "__main__":
    main()
