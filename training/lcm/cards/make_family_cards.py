"""The bundled One-Tower's and Quant-LCM's model cards (lcm/cards/one-tower-v1.json, quant-v1.json),
from their runs' training logs: the rendering defaults the Two-Tower ships with, the training's size and
held-out figures. Run from training/ after train_families.sh has trained both (it calls this)."""
import json
import os
from pathlib import Path

def end_event(run):
    ev = [json.loads(l) for l in open(f"runs/{run}/train.log") if '"event"' in l]
    start = [e for e in ev if e.get("event") == "start"][-1]
    end = [e for e in ev if e.get("event") == "end"][-1]
    return start, end

RENDER = {"eot_threshold": 0.9, "repeat_threshold": 0.9, "max_concepts": 32, "stop_cosine_space": "normalized",
          "grounding_threshold": -1, "salience": 0.5, "sentinel_cosine": 0.9, "faithful_cosine": 0.6}
DATA = ("concepts (lcm-default-codec) of BBC News Summary, DialogSum dev and all 3,146 NLTK ABC documents with their "
        "headlines as one-concept summaries (training/lcm/encode_all.sh, data/lcm2: the bundled Two-Tower's data); records "
        "split by a hash of their id: 20% held-out test, 10% dev, never trained on")
PREFIX = os.environ.get("RUNS_PREFIX", "fam")
for run, family, defaults in ((f"{PREFIX}-one-tower", "one_tower",
                               {"steps": 40, "guidance": 3.0, "guidance_rescale": 0.7, "initial_noise": 0.6,
                                "epsilon_scaling": 1.00045}),
                              (f"{PREFIX}-quant", "quant", {"guidance": 1.0, "temperature": 1.0, "top_k": 3, "top_p": 1.0})):
    try:
        start, end = end_event(run)
    except IndexError:
        continue
    card = {
        "version": "1",
        "defaults": {**defaults, **RENDER},
        "training": {
            "data": DATA,
            "tasks": "pre-training (next concept) mixed with summarize and extend pairs at 3x sampling weight, as the Two-Tower",
            "params": start["params"],
            "config": start["config"],
            "steps": end.get("step"),
            "target_positions": end.get("positions"),
            "cpu_seconds": round(end.get("cpu_seconds", 0)),
            "heldout": {k: v for k, v in end.items() if k.startswith("heldout")},
            "hardware": "2-core CPU, one thread, trained side by side with the other family",
            "command": "training/lcm/train_families.sh 60 55 (GRID=16x256)",
        },
    }
    if family == "quant":
        card["training"]["codebooks"] = json.load(open(f"runs/{PREFIX}-codebooks-{os.environ.get('GRID', '16x256')}.json"))
    name = {"one_tower": "one-tower", "quant": "quant"}[family]
    Path(f"lcm/cards/{name}-v1.json").write_text(json.dumps(card, indent=1) + "\n")
    print(family, json.dumps(end)[:300])
