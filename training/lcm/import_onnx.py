"""Rebuild lcm.train checkpoints from an exported Two-Tower folder (contextualizer.onnx + denoiser.onnx,
and base_lcm.onnx when present), so a shipped LCM can be fine-tuned: the bundled model's PyTorch
checkpoints were not kept, only its export.

The export names biases and norms after their parameters but stores each Linear weight transposed
under an anonymous name (onnx::MatMul_N). So the model is exported once more, from random weights, with
the same export code; each initializer there is found among the random parameters (as is or
transposed), which says which parameter sits at which (node, input) of the graph; the shipped graph's
initializer at the same place holds that parameter's value. The rebuilt model is then exported again
and every initializer compared with the shipped file's: all equal, or the import fails. fp32 and fp16
exports (export_onnx --fp16: the float16 values are exact in float32, so the check stays exact); not
--int8 ones, whose weights have lost precision and sit behind other nodes.

Usage: python3 -m lcm.import_onnx ../models/default/lcm --out runs/shipped
   writes runs/shipped-two-tower/checkpoint.pt and runs/shipped-base/checkpoint.pt, for lcm.train --init
   (train_default.sh: INIT=shipped).
"""
import argparse
import json
import sys
import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from lcm.export_onnx import export_base, export_two_tower
from lcm.model import BaseLCM, LcmConfig, TwoTowerLCM


def config_from(manifest, base=False):
    arch = manifest["architecture"]
    known = {f.name for f in fields(LcmConfig)}
    cfg = LcmConfig(**{k: v for k, v in arch.items() if k in known})
    if base:
        cfg.model_dim = arch["base"]["model_dim"]
        cfg.base_layers = arch["base"]["layers"]
    return cfg


def places(path):
    """initializer name -> (first consuming node's name, input slot), name -> numpy value, and the names
    stored as float16: a float16 table behind a Cast (export_onnx --fp16) counts as the float32
    initializer the Cast makes."""
    graph = onnx.load(str(path)).graph
    values = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    halves = set()
    for node in graph.node:
        if node.op_type == "Cast" and node.input[0] in values and values[node.input[0]].dtype == np.float16:
            values[node.output[0]] = values.pop(node.input[0]).astype(np.float32)
            halves.add(node.output[0])
    where = {}
    for node in graph.node:
        for slot, name in enumerate(node.input):
            if name in values and name not in where:
                where[name] = (node.name, slot)
    return where, values, halves


def parameter_map(model, exported):
    """(node, slot) -> (parameter name, transposed) for every initializer of an export of `model`."""
    params = {name: p.detach().numpy() for name, p in model.named_parameters()}
    by_bytes = {}
    for name, value in params.items():
        by_bytes[(value.shape, value.tobytes())] = (name, False)
        if value.ndim == 2:
            t = np.ascontiguousarray(value.T)
            by_bytes[(t.shape, t.tobytes())] = (name, True)
    where, values, _ = places(exported)
    mapping = {}
    for init, value in values.items():
        hit = by_bytes.get((value.shape, np.ascontiguousarray(value).tobytes()))
        if hit and init in where:
            mapping[where[init]] = hit
    return mapping


def import_graphs(model, files, export, reference_dir):
    """Loads the shipped values of `files` (written by export(model, folder)) into model, in place;
    returns the parameters no file held."""
    torch.manual_seed(0)
    with torch.no_grad():
        for p in model.parameters():  # distinct values, so every parameter is found by its value alone
            p.copy_(torch.randn_like(p) * 0.05)  # small: the export checks its cached graphs to 1e-5
    state = {name: p for name, p in model.named_parameters()}
    found = set()
    with tempfile.TemporaryDirectory() as tmp:
        export(model, Path(tmp))
        maps = {file: parameter_map(model, Path(tmp) / file) for file in files}
    with torch.no_grad():
        for file in files:
            where, values, _ = places(reference_dir / file)
            for init, place in where.items():
                if place not in maps[file]:
                    continue
                name, transposed = maps[file][place]
                value = values[init].T if transposed else values[init]
                if tuple(value.shape) != tuple(state[name].shape):
                    sys.exit(f"{file}: {init} has shape {value.shape}, {name} expects {tuple(state[name].shape)}")
                state[name].copy_(torch.from_numpy(np.array(value, dtype=np.float32)))
                found.add(name)
    return sorted(set(state) - found)


def rebuild(model, files, checked, export, folder):
    """Import `files` into model, then verify the export of `checked` (files and the graphs derived
    from them); the largest difference."""
    missing = import_graphs(model, files, export, folder)
    if missing:
        sys.exit(f"{folder}: no value found for {', '.join(missing)}")
    return verify(model, checked, export, folder)


def verify(model, files, export, reference_dir):
    """Export again and compare every initializer, place by place, with the shipped graphs."""
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        export(model, Path(tmp))
        for file in files:
            mine_where, mine, _ = places(Path(tmp) / file)
            ref_where, ref, halves = places(reference_dir / file)
            ref_at = {place: name for name, place in ref_where.items()}
            for name, place in mine_where.items():
                if place not in ref_at:
                    sys.exit(f"{file}: the re-export has an initializer at {place} that the shipped graph lacks")
                a, b = mine[name], ref[ref_at[place]]
                if ref_at[place] in halves:  # a table computed from the weights was rounded too
                    a = a.astype(np.float16).astype(np.float32)
                if a.shape != b.shape:
                    sys.exit(f"{file}: {place} has shape {a.shape} here, {b.shape} in the shipped graph")
                if a.size:
                    worst = max(worst, float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max()))
    return worst


def save(model, cfg, manifest, kind, out):
    out.mkdir(parents=True, exist_ok=True)
    normalizer = {k: manifest["normalizer"][k] for k in ("center", "scale")}
    torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "normalizer": normalizer, "kind": kind,
                "state": {"step": 0, "elapsed": 0.0, "positions": 0, "sequences": 0},
                "imported_from": manifest.get("name", "") + " v" + str(manifest.get("version", ""))},
               out / "checkpoint.pt")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", help="an fp32 or fp16 Two-Tower export (manifest.json, contextualizer.onnx, denoiser.onnx)")
    ap.add_argument("--out", required=True, help="run-name prefix: writes OUT-two-tower/ and OUT-base/")
    args = ap.parse_args()
    folder, out = Path(args.folder), Path(args.out)
    if not (folder / "manifest.json").is_file():
        sys.exit(f"{folder}: no manifest.json (give an exported LCM folder, e.g. ../models/default/lcm)")
    manifest = json.loads((folder / "manifest.json").read_text())
    if manifest.get("architecture", {}).get("type") != "two_tower_diffusion":
        sys.exit(f"{folder}: not a Two-Tower export")
    if "int8" in manifest.get("weights", ""):
        sys.exit(f"{folder}: {manifest['weights']}: import an fp32 or fp16 export")
    report = {}
    cfg = config_from(manifest)
    model = TwoTowerLCM(cfg).eval()
    files = ["contextualizer.onnx", "denoiser.onnx"]

    def export(m, f):
        export_two_tower(m, cfg, f)

    checked = files + ["denoiser_memory.onnx", "denoiser_step.onnx"]
    report["two_tower"] = {"max_abs_diff": rebuild(model, files, checked, export, folder)}
    rebuilt = [(model, cfg, "two_tower", "-two-tower")]
    if "base" in manifest.get("files", {}):
        bcfg = config_from(manifest, base=True)
        base = BaseLCM(bcfg).eval()

        def export_b(m, f):
            export_base(m, bcfg, f)

        report["base"] = {"max_abs_diff": rebuild(base, ["base_lcm.onnx"], ["base_lcm.onnx"], export_b, folder)}
        rebuilt.append((base, bcfg, "base", "-base"))
    worst = max(r["max_abs_diff"] for r in report.values())
    if worst > 0:  # checked before anything is written: a wrong checkpoint must not be left to fine-tune
        sys.exit(f"the rebuilt model's export differs from {folder} by {worst}")
    for m, c, kind, suffix in rebuilt:
        save(m, c, manifest, kind, out.with_name(out.name + suffix))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
