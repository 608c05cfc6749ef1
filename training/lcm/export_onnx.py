"""Export a trained LCM to the contract in docs/lcm-contract.md: contextualizer.onnx + the denoiser graphs
(Two-Tower, with base_lcm.onnx for the Base-LCM beside it), or one_tower_prefix.onnx + one_tower_step.onnx
(One-Tower), or quant_prefix.onnx + quant_step.onnx + codebooks.f32 (Quant-LCM), with manifest.json holding
the family, the normalizer, the diffusion schedule (the diffusion families), the special texts and the
sampler defaults.

  python3 -m lcm.export_onnx --two-tower runs/lcm/checkpoint.pt [--base runs/lcm-base/checkpoint.pt]
      --codec-manifest ../models/default/codec/manifest.json --out ../models/default/lcm [--card CARD.json]
  python3 -m lcm.export_onnx --one-tower runs/lcm-one-tower/checkpoint.pt
      --codec-manifest ../models/default/codec/manifest.json --out OUT_DIR
  python3 -m lcm.export_onnx --quant runs/lcm-quant/checkpoint.pt \
      --codec-manifest ../models/default/codec/manifest.json --out OUT_DIR
"""
import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from codec.export_onnx import prepare_for_int8_kernels, quantize_weights_int8
from common import file_checksums
from lcm.model import BaseLCM, OneTowerLCM, QuantLCM, TwoTowerLCM, load_checkpoint, zero_snr_alphas_cumprod
from lcm.sampling import DEFAULTS, QUANT_DEFAULTS

OPSET = 17


class ContextGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, concepts):
        return self.m.contextualize(concepts)


class DenoiserGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, noisy, timestep, context, context_mask):
        visible = (context_mask > 0.5)[:, None, :]  # [B, 1, M]: one query per row
        return self.m.denoise(noisy[:, None, :], timestep[:, None], context, visible)[:, 0]


class MemoryGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, context):
        return self.m.denoiser_memory(context)


class StepGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        with torch.no_grad():
            self.register_buffer("table", m.eval().modulation_table(), persistent=False)

    def forward(self, noisy, timestep, memory_keys, memory_values, context_mask):
        visible = (context_mask > 0.5)[:, None, :]
        return self.m.denoise_with_memory(noisy[:, None, :], timestep[:, None], memory_keys, memory_values,
                                          visible, table=self.table)[:, 0]


def check_memory_graphs(model, D, d):
    """The cached pair must compute what the one-graph denoiser computes (PyTorch, before export)."""
    model.eval()  # torch.onnx.export leaves a wrapped module in its wrapper's (training) mode
    torch.manual_seed(0)
    noisy, t = torch.randn(2, D), torch.tensor([3, 70])
    context, mask = torch.randn(2, 7, d), torch.tensor([[1.0] * 7, [1.0] * 4 + [0.0] * 3])
    with torch.no_grad():
        full = DenoiserGraph(model)(noisy, t, context, mask)
        cached = StepGraph(model)(noisy, t, *MemoryGraph(model)(context), mask)
        # one memory (batch 1) shared by both rows, as the runtime passes it for cond + uncond
        both = torch.tensor([[1.0] * 7, [0.0] * 7])  # cond sees the context, uncond only the zero row
        shared = StepGraph(model)(noisy, t, *MemoryGraph(model)(context[:1]), both)
        alone = DenoiserGraph(model)(noisy, t, context[:1].expand(2, -1, -1), both)
    diff = max(diff_of(full, cached), diff_of(alone, shared))
    if diff > 1e-5:
        sys.exit(f"cached denoiser differs from the full one by {diff}")
    return diff


def diff_of(a, b):
    return float((a - b).abs().max())


class OneTowerPrefixGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, concepts):
        return self.m.prefix_memory(concepts)


class OneTowerStepGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        with torch.no_grad():
            self.register_buffer("table", m.eval().time_table(), persistent=False)

    def forward(self, noisy, timestep, prefix_keys, prefix_values, context_mask):
        return self.m.denoise_cached(noisy, timestep, prefix_keys, prefix_values, context_mask > 0.5,
                                     table=self.table)


def check_one_tower_graphs(model, D):
    """The prefix + step pair must compute what the whole tower computes over [clean; noisy] (PyTorch,
    before export), for prefixes of several lengths and one prefix broadcast over cond + uncond."""
    model.eval()
    torch.manual_seed(0)
    diff = 0.0
    with torch.no_grad():
        for n in (1, 4, 7):
            clean = torch.randn(2, n, D)
            noisy, t = torch.randn(2, D), torch.tensor([3, 70])
            mask = torch.ones(2, n)
            mask[1, n // 2:] = 0
            whole = model.denoise(noisy[:, None], t[:, None], clean, (mask > 0.5)[:, None], torch.tensor([n]))[:, 0]
            cached = OneTowerStepGraph(model)(noisy, t, *OneTowerPrefixGraph(model)(clean), mask)
            both = torch.stack([torch.ones(n), torch.zeros(n)])  # cond sees the prefix, uncond only itself
            alone = model.denoise(noisy[:, None], t[:, None], clean[:1].expand(2, -1, -1), (both > 0.5)[:, None],
                                  torch.tensor([n]))[:, 0]
            shared = OneTowerStepGraph(model)(noisy, t, *OneTowerPrefixGraph(model)(clean[:1]), both)
            diff = max(diff, diff_of(whole, cached), diff_of(alone, shared))
    if diff > 1e-5:
        sys.exit(f"the One-Tower's cached step differs from the whole tower by {diff}")
    return diff


def export_one_tower(model, cfg, out):
    """one_tower_prefix.onnx (the clean prompt's keys/values, once per concept) and one_tower_step.onnx
    (the noisy copy after them, once per diffusion step)."""
    D, d, L = cfg.concept_dim, cfg.model_dim, cfg.one_tower_layers
    check_one_tower_graphs(model, D)
    torch.onnx.export(OneTowerPrefixGraph(model), (torch.randn(2, 5, D),), str(out / "one_tower_prefix.onnx"),
                      opset_version=OPSET, input_names=["concepts"], output_names=["prefix_keys", "prefix_values"],
                      dynamic_axes={"concepts": {0: "batch", 1: "concepts"},
                                    "prefix_keys": {1: "batch", 2: "concepts"},
                                    "prefix_values": {1: "batch", 2: "concepts"}})
    torch.onnx.export(OneTowerStepGraph(model), (torch.randn(2, D), torch.tensor([5, 99]), torch.randn(L, 1, 5, d),
                                                 torch.randn(L, 1, 5, d), torch.ones(2, 5)),
                      str(out / "one_tower_step.onnx"), opset_version=OPSET,
                      input_names=["noisy", "timestep", "prefix_keys", "prefix_values", "context_mask"],
                      output_names=["x0"],
                      dynamic_axes={"noisy": {0: "batch"}, "timestep": {0: "batch"},
                                    "prefix_keys": {1: "prefix_batch", 2: "concepts"},
                                    "prefix_values": {1: "prefix_batch", 2: "concepts"},
                                    "context_mask": {0: "batch", 1: "concepts"}, "x0": {0: "batch"}})
    files = {"one_tower_prefix": "one_tower_prefix.onnx", "one_tower_step": "one_tower_step.onnx"}
    architecture = {"type": "one_tower_diffusion", **cfg.to_dict(), "ffn_dim": cfg.ffn_dim}
    return files, architecture


class QuantStepGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m
        with torch.no_grad():
            self.register_buffer("table", m.eval().time_table(), persistent=False)

    def forward(self, partial, level, prefix_keys, prefix_values, context_mask):
        return self.m.logits_cached(partial, level, prefix_keys, prefix_values, context_mask > 0.5, table=self.table)


def check_quant_graphs(model, D):
    """prefix + step must give the logits the whole tower gives over [clean; running sum] (PyTorch, before
    export), for several prompt lengths and codebooks, one prefix broadcast over cond + uncond."""
    model.eval()
    torch.manual_seed(0)
    diff = 0.0
    K = model.cfg.codebooks
    with torch.no_grad():
        for n in (1, 4, 7):
            clean, partial = torch.randn(2, n, D), torch.randn(2, D)
            level = torch.tensor([0, K - 1])
            both = torch.stack([torch.ones(n), torch.zeros(n)])
            whole = model.logits(partial[:, None], level[:, None], clean[:1].expand(2, -1, -1),
                                 (both > 0.5)[:, None], torch.tensor([n]))[:, 0]
            cached = QuantStepGraph(model)(partial, level, *OneTowerPrefixGraph(model)(clean[:1]), both)
            diff = max(diff, diff_of(whole, cached))
    if diff > 1e-4:
        sys.exit(f"the Quant-LCM's cached step differs from the whole tower by {diff}")
    return diff


def export_quant(model, cfg, out):
    """quant_prefix.onnx (the clean prompt's keys/values, once per concept), quant_step.onnx (one codebook's
    unit logits after them, once per codebook) and codebooks.f32 (float32 [K, V, D], normalized space)."""
    D, d, L = cfg.concept_dim, cfg.model_dim, cfg.one_tower_layers
    check_quant_graphs(model, D)
    torch.onnx.export(OneTowerPrefixGraph(model), (torch.randn(2, 5, D),), str(out / "quant_prefix.onnx"),
                      opset_version=OPSET, input_names=["concepts"], output_names=["prefix_keys", "prefix_values"],
                      dynamic_axes={"concepts": {0: "batch", 1: "concepts"},
                                    "prefix_keys": {1: "batch", 2: "concepts"},
                                    "prefix_values": {1: "batch", 2: "concepts"}})
    torch.onnx.export(QuantStepGraph(model), (torch.randn(2, D), torch.tensor([0, cfg.codebooks - 1]),
                                              torch.randn(L, 1, 5, d), torch.randn(L, 1, 5, d), torch.ones(2, 5)),
                      str(out / "quant_step.onnx"), opset_version=OPSET,
                      input_names=["partial", "level", "prefix_keys", "prefix_values", "context_mask"],
                      output_names=["logits"],
                      dynamic_axes={"partial": {0: "batch"}, "level": {0: "batch"},
                                    "prefix_keys": {1: "prefix_batch", 2: "concepts"},
                                    "prefix_values": {1: "prefix_batch", 2: "concepts"},
                                    "context_mask": {0: "batch", 1: "concepts"}, "logits": {0: "batch"}})
    (out / "codebooks.f32").write_bytes(model.codebooks.detach().numpy().astype("<f4").tobytes())
    files = {"quant_prefix": "quant_prefix.onnx", "quant_step": "quant_step.onnx", "codebooks": "codebooks.f32"}
    architecture = {"type": "quant_lcm_discrete", **cfg.to_dict(), "ffn_dim": cfg.ffn_dim}
    return files, architecture


def export_base(base, bcfg, out):
    torch.onnx.export(BaseGraph(base), (torch.randn(2, 5, bcfg.concept_dim),), str(out / "base_lcm.onnx"),
                      opset_version=OPSET,
                      input_names=["concepts"], output_names=["predicted"],
                      dynamic_axes={"concepts": {0: "batch", 1: "concepts"},
                                    "predicted": {0: "batch", 1: "concepts"}})
    return {"layers": bcfg.base_layers, "model_dim": bcfg.model_dim}


def export_base_into(checkpoint, folder):
    """A Base-LCM beside an existing Two-Tower: the runtime normalizes once per LCM folder, so the
    checkpoint must have been trained in the folder's normalized space (lcm.train --normalizer-from)."""
    manifest = json.loads((folder / "manifest.json").read_text())
    base, bcfg, ck = load_checkpoint(checkpoint, BaseLCM)
    for key in ("center", "scale"):
        if not np.allclose(np.array(ck["normalizer"][key]), np.array(manifest["normalizer"][key]), atol=1e-6):
            sys.exit(f"{checkpoint}: trained with another normalizer than {folder}/manifest.json's "
                     "(train with --normalizer-from that manifest)")
    target = folder / "base_lcm.onnx"
    if target.exists():
        target.unlink()  # may be a hard link to the bundled file: never write through it
    manifest["architecture"]["base"] = export_base(base, bcfg, folder)
    manifest["files"]["base"] = "base_lcm.onnx"
    manifest["checksums"] = file_checksums(folder, [f.name for f in folder.iterdir()
                                                    if f.is_file() and f.name != "manifest.json"])
    tmp = folder / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(tmp, folder / "manifest.json")  # replaces a hard-linked copy instead of writing through it
    print(json.dumps({"base_lcm.onnx": target.stat().st_size}))


class BaseGraph(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, concepts):
        return self.m(concepts)


def export_two_tower(model, cfg, out):
    """contextualizer.onnx, denoiser.onnx and the split denoiser_memory.onnx + denoiser_step.onnx."""
    D, d = cfg.concept_dim, cfg.model_dim
    x = torch.randn(2, 5, D)
    torch.onnx.export(ContextGraph(model), (x,), str(out / "contextualizer.onnx"), opset_version=OPSET,
                      input_names=["concepts"], output_names=["context"],
                      dynamic_axes={"concepts": {0: "batch", 1: "concepts"}, "context": {0: "batch", 1: "concepts"}})
    torch.onnx.export(DenoiserGraph(model), (torch.randn(2, D), torch.tensor([5, 99]), torch.randn(2, 5, d),
                                             torch.ones(2, 5)),
                      str(out / "denoiser.onnx"), opset_version=OPSET,
                      input_names=["noisy", "timestep", "context", "context_mask"], output_names=["x0"],
                      dynamic_axes={"noisy": {0: "batch"}, "timestep": {0: "batch"},
                                    "context": {0: "batch", 1: "rows"}, "context_mask": {0: "batch", 1: "rows"},
                                    "x0": {0: "batch"}})
    # The same denoiser split in two for inference: the context's cross-attention keys/values once per
    # concept (denoiser_memory), then one cheap run per diffusion step (denoiser_step).
    check_memory_graphs(model, D, d)
    torch.onnx.export(MemoryGraph(model), (torch.randn(2, 5, d),), str(out / "denoiser_memory.onnx"),
                      opset_version=OPSET, input_names=["context"], output_names=["memory_keys", "memory_values"],
                      dynamic_axes={"context": {0: "batch", 1: "rows"},
                                    "memory_keys": {1: "batch", 2: "rows_plus_zero"},
                                    "memory_values": {1: "batch", 2: "rows_plus_zero"}})
    L = cfg.denoiser_layers
    torch.onnx.export(StepGraph(model), (torch.randn(2, D), torch.tensor([5, 99]), torch.randn(L, 1, 6, d),
                                         torch.randn(L, 1, 6, d), torch.ones(2, 5)),
                      str(out / "denoiser_step.onnx"), opset_version=OPSET,
                      input_names=["noisy", "timestep", "memory_keys", "memory_values", "context_mask"],
                      output_names=["x0"],
                      dynamic_axes={"noisy": {0: "batch"}, "timestep": {0: "batch"},
                                    "memory_keys": {1: "memory_batch", 2: "rows_plus_zero"},
                                    "memory_values": {1: "memory_batch", 2: "rows_plus_zero"},
                                    "context_mask": {0: "batch", 1: "rows"}, "x0": {0: "batch"}})
    files = {"contextualizer": "contextualizer.onnx", "denoiser": "denoiser.onnx",
             "denoiser_memory": "denoiser_memory.onnx", "denoiser_step": "denoiser_step.onnx"}
    architecture = {"type": "two_tower_diffusion", **cfg.to_dict(), "ffn_dim": cfg.ffn_dim}
    return files, architecture


def half_precision_tables(path: Path, min_size=4096, matrices=False):
    """Float initializers of rank other than 2 (which quantize_weights_int8 leaves; every rank with
    matrices=True), with at least min_size numbers, stored as float16 behind a Cast to float32:
    onnxruntime folds the Cast once at load, so the graph computes in float32 as before from a file half
    the size."""
    m = onnx.load(str(path))
    g = m.graph
    casts = []
    for init in list(g.initializer):
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or (w.ndim == 2 and not matrices) or w.size < min_size:
            continue
        g.initializer.remove(init)
        g.initializer.append(numpy_helper.from_array(w.astype(np.float16), init.name + "_f16"))
        casts.append(helper.make_node("Cast", [init.name + "_f16"], [init.name], to=onnx.TensorProto.FLOAT))
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    family = ap.add_mutually_exclusive_group()
    family.add_argument("--two-tower", help="a lcm.train --model two_tower checkpoint")
    family.add_argument("--one-tower", help="a lcm.train --model one_tower checkpoint")
    family.add_argument("--quant", help="a lcm.train --model quant checkpoint")
    ap.add_argument("--base", help="a lcm.train --model base checkpoint (with --two-tower, or alone with --base-into)")
    ap.add_argument("--base-into", help="with --base alone: a folder holding a Two-Tower export (e.g. a copy of "
                                        "models/default/lcm) whose base_lcm.onnx this checkpoint replaces; its "
                                        "normalizer must be the folder's")
    ap.add_argument("--codec-manifest")
    ap.add_argument("--out")
    ap.add_argument("--name", help="default lcm-default-two-tower, lcm-one-tower or lcm-quant")
    ap.add_argument("--card", help="JSON merged into the manifest (quality, training)")
    ap.add_argument("--int8", action="store_true",
                    help="store the graphs' weight matrices as int8 with a scale per output channel (the codec's "
                         "codec.export_onnx scheme: about a quarter of the fp32 size; onnxruntime runs them with "
                         "int8 kernels)")
    ap.add_argument("--fp16", action="store_true",
                    help="store every large float table, weight matrices included, as float16 behind a Cast: half "
                         "the fp32 size, computed in float32 as before (onnxruntime folds the Cast at load), and "
                         "still read back exactly by lcm.import_onnx for fine-tuning")
    args = ap.parse_args()
    if args.int8 and args.fp16:
        ap.error("--int8 or --fp16, not both")
    if args.base_into:
        if not args.base or args.two_tower or args.one_tower or args.quant:
            ap.error("--base-into takes --base alone")
        export_base_into(args.base, Path(args.base_into))
        return
    if not (args.two_tower or args.one_tower or args.quant) or not args.codec_manifest or not args.out:
        ap.error("give one of --two-tower, --one-tower, --quant, with --codec-manifest and --out")
    if args.base and not args.two_tower:
        ap.error("--base goes with --two-tower (or --base-into)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    codec = json.loads(Path(args.codec_manifest).read_text())
    if args.two_tower:
        model, cfg, ck = load_checkpoint(args.two_tower, TwoTowerLCM)
        files, architecture = export_two_tower(model, cfg, out)
    elif args.one_tower:
        model, cfg, ck = load_checkpoint(args.one_tower, OneTowerLCM)
        files, architecture = export_one_tower(model, cfg, out)
    else:
        model, cfg, ck = load_checkpoint(args.quant, QuantLCM)
        files, architecture = export_quant(model, cfg, out)
    family = "quant" if args.quant else "one_tower" if args.one_tower else "two_tower"
    if args.base:
        base, bcfg, _ = load_checkpoint(args.base, BaseLCM)
        files["base"] = "base_lcm.onnx"
        architecture["base"] = export_base(base, bcfg, out)
    manifest = {
        "kind": "lcm",
        "name": args.name or {"quant": "lcm-quant", "one_tower": "lcm-one-tower"}.get(family, "lcm-default-two-tower"),
        "family": family,
        "version": "1",
        "codec": {"name": codec["name"], "embedding_dim": codec["embedding_dim"]},
        "architecture": architecture,
        "files": files,
        "normalizer": {"method": "robust (median, IQR/1.349 over quartiles 25-75)", **ck["normalizer"]},
        "diffusion": {"train_steps": cfg.train_steps, "schedule": "squaredcos_cap_v2 rescaled to zero terminal SNR",
                      "prediction": "sample",
                      "alphas_cumprod": [float(a) for a in zero_snr_alphas_cumprod(cfg.train_steps)]},
        "special_texts": {"end_of_text": "End of text.", "model_turn": "[MODEL]:", "lang": "eng_Latn"},
        "max_context": cfg.max_seq_len,
        # the sampler's defaults are lcm.sampling's, the ones lcm.train evaluates with
        "defaults": {**(QUANT_DEFAULTS if args.quant else DEFAULTS), "eot_threshold": 0.9, "repeat_threshold": 0.9,
                     "max_concepts": 32},
        "license": "MIT (trained by the lcm project)",
    }
    if args.quant:
        # no diffusion; the units' codebooks instead
        del manifest["diffusion"]
        manifest["quantizer"] = {"method": "residual k-means (lcm.rvq), greedy assignment", "codebooks": cfg.codebooks,
                                 "units": cfg.units, "space": "normalized", "dtype": "float32",
                                 "file": files["codebooks"]}
    if args.int8:
        for name in files.values():
            if name.endswith(".onnx"):
                prepare_for_int8_kernels(out / name)
                quantize_weights_int8(out / name)
                half_precision_tables(out / name)
        manifest["weights"] = ("int8, one scale per output channel (DequantizeLinear); other large tables "
                               "(the Quant-LCM's per-codebook heads, its codebooks) float16")
        if args.quant:
            # the codebooks in half precision too: the runtime widens them on load (quantizer.dtype)
            table = np.fromfile(out / files["codebooks"], dtype="<f4")
            (out / files["codebooks"]).unlink()
            files["codebooks"] = "codebooks.f16"
            table.astype("<f2").tofile(out / files["codebooks"])
            manifest["quantizer"].update(dtype="float16", file=files["codebooks"])
    if args.fp16:
        for name in files.values():
            if name.endswith(".onnx"):
                half_precision_tables(out / name, matrices=True)
        manifest["weights"] = "float16 (every table of 4,096 numbers or more), widened to float32 at load"
    if args.card:
        manifest.update(json.loads(Path(args.card).read_text()))
    manifest["checksums"] = file_checksums(out, [f.name for f in out.iterdir()
                                                 if f.is_file() and f.name != "manifest.json"])
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({f.name: f.stat().st_size for f in sorted(out.iterdir())}))


if __name__ == "__main__":
    main()
