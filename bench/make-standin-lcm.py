"""An untrained LCM of the default architecture (training/lcm/model.py LcmConfig defaults: 512-d concepts,
d=256, 2 contextualizer + 4 denoiser layers, 4 Base-LCM layers, max_context 512), exported with the
trainer's own training/lcm/export_onnx.py and paired with the default codec, so bench/summarize-speed.mjs
can time generation before the trained default LCM ships. Its outputs are meaningless; its cost per step
is the trained model's. The stop rules are switched off in its manifest (thresholds 1.0), so every
generation call runs to its cap.

  /usr/bin/python3 bench/make-standin-lcm.py OUT_DIR [CODEC_DIR]
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "training"))
from lcm.model import BaseLCM, LcmConfig, TwoTowerLCM  # noqa: E402


def main():
    out = Path(sys.argv[1])
    codec = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "models" / "default" / "codec"
    torch.manual_seed(0)
    cfg = LcmConfig()
    normalizer = {"center": [0.0] * cfg.concept_dim, "scale": [1.0] * cfg.concept_dim}
    with tempfile.TemporaryDirectory() as tmp:
        for name, cls in (("tt", TwoTowerLCM), ("base", BaseLCM)):
            torch.save({"config": cfg.to_dict(), "model": cls(cfg).state_dict(), "normalizer": normalizer},
                       f"{tmp}/{name}.pt")
        card = Path(tmp) / "card.json"
        card.write_text(json.dumps({
            "name": "lcm-standin-untrained",
            "defaults": {"steps": 40, "guidance": 3.0, "guidance_rescale": 0.7, "initial_noise": 0.6,
                         "epsilon_scaling": 1.00045, "eot_threshold": 1.0, "repeat_threshold": 1.0,
                         "max_concepts": 32},
            "license": "untrained stand-in for benchmarks; not a model",
        }))
        # the trainer's modules run from training/ (python3 -m), hence the absolute paths
        subprocess.run([sys.executable, "-m", "lcm.export_onnx",
                        "--two-tower", f"{tmp}/tt.pt", "--base", f"{tmp}/base.pt",
                        "--codec-manifest", str(codec.resolve() / "manifest.json"), "--out", str(out.resolve()),
                        "--name", "lcm-standin-untrained", "--card", str(card)], cwd=ROOT / "training", check=True)


if __name__ == "__main__":
    main()
