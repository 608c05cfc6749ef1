"""Encode token files (encode_docs.mjs --tokens-only: NAME.ids + NAME.lens) into NAME.f32 concept rows
with the shipped codec's encoder, run by PyTorch (a GPU when there is one).

The weights are read from the shipped int8 encoder.onnx itself and dequantized exactly as its
DequantizeLinear nodes do, into training/codec/model.py's encoder, so the concepts match what the
TypeScript tool computes (`--check` compares against an ONNX Runtime run of the same file). This is
what lets a GPU machine encode a pre-training corpus in seconds that takes hours on 2 CPU cores.

Usage: python3 -m lcm.encode_tokens --codec ../models/default/codec --data DIR [--check N]
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from codec.model import CodecConfig, ConceptCodec


def dequantize(inits, stem, axis):
    q = inits[stem + "_int8"].astype(np.float32)
    scale, zero = inits[stem + "_scale"], inits[stem + "_zero"].astype(np.float32)
    shape = [1, 1]
    shape[axis] = -1
    return (q - zero.reshape(shape)) * scale.reshape(shape)


def encoder_from_onnx(codec_dir):
    """A ConceptCodec (encoder half) holding encoder.onnx's weights."""
    return codec_half_from_onnx(codec_dir, "encoder")


def decoder_from_onnx(codec_dir):
    """A ConceptCodec holding decoder.onnx's weights (its decoder half and the tied embedding), for
    training through the frozen decoder (the decoder-CE objective, issue 14; bench/decoder-ce-cost.py)."""
    return codec_half_from_onnx(codec_dir, "decoder")


def codec_half_from_onnx(codec_dir, half):
    """A ConceptCodec whose `half` ("encoder" or "decoder", with the embedding) holds the weights of that
    shipped int8 graph, dequantized exactly; the other half has no layers. Returns (model, manifest)."""
    import onnx
    from onnx import numpy_helper

    manifest = json.loads((Path(codec_dir) / "manifest.json").read_text())
    arch = {k: v for k, v in manifest["architecture"].items() if k in CodecConfig.__dataclass_fields__}
    other = "decoder_layers" if half == "encoder" else "encoder_layers"
    cfg = CodecConfig(**{**arch, other: 0, "dropout": 0.0})
    graph = onnx.load(str(Path(codec_dir) / manifest[half]["file"])).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {}
    for name, value in inits.items():
        if name.startswith("model.") and not name.endswith(("_int8", "_scale", "_zero")):
            state[name[len("model."):]] = value
    state["embed.weight"] = dequantize(inits, "model.embed.weight", 0)
    # Projection weights are anonymous initializers ([in, out], per-column scales); the MatMul that
    # reads each one is named after its module: /encoder_layers.0/attn/q_proj/MatMul,
    # /decoder_layers.0/cross_v_proj/Gemm_output_0_product. An encoder exported with
    # --dynamic-int8-encoder holds DynamicQuantizeMatMul nodes instead, reading the int8 weight directly;
    # its activations are rounded to 8 bits, ours stay fp32 (cosine 0.99999).
    dq_source = {n.output[0]: n.input[0][: -len("_int8")] for n in graph.node if n.op_type == "DequantizeLinear"}
    for node in graph.node:
        stem = None
        if node.op_type == "MatMul" and node.input[1] in dq_source:
            stem = dq_source[node.input[1]]
        elif node.op_type == "DynamicQuantizeMatMul" and node.input[1].endswith("_int8"):
            stem = node.input[1][: -len("_int8")]
        if stem is not None:
            module = node.output[0].strip("/").rsplit("/", 1)[0].replace("/", ".")
            if module:  # the decoder's tied output projection ("/MatMul") is the embedding, read above
                state[module + ".weight"] = dequantize(inits, stem, 1).T
    model = ConceptCodec(cfg)
    own = model.state_dict()
    missing = [k for k in own if k.startswith(("embed", half)) and k not in state]
    if missing:
        sys.exit(f"{half}.onnx lacks weights for {missing[:5]}")
    model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items() if k in own},
                          strict=False)
    return model.eval(), manifest


def read_rows(data, name):
    ids = np.fromfile(Path(data) / f"{name}.ids", dtype=np.uint16)
    lens = np.fromfile(Path(data) / f"{name}.lens", dtype=np.uint16).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
    if lens.sum() != len(ids):
        sys.exit(f"{name}: .lens sums to {lens.sum()} tokens, .ids holds {len(ids)}")
    return [ids[s: s + n].astype(np.int64) for s, n in zip(starts, lens)]


@torch.no_grad()
def encode_rows(model, rows, device, token_budget=65536):
    out = np.zeros((len(rows), model.cfg.dim), np.float32)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))  # similar lengths share a batch
    batches, current = [], []
    for i in order:  # ascending lengths: the newest row is the widest
        if current and (len(current) + 1) * len(rows[i]) > token_budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    for batch in batches:
        width = len(rows[batch[-1]])
        ids = np.zeros((len(batch), width), np.int64)
        mask = np.zeros((len(batch), width), np.int64)
        for r, i in enumerate(batch):
            ids[r, : len(rows[i])] = rows[i]
            mask[r, : len(rows[i])] = 1
        emb = model.encode(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
        out[batch] = emb.float().cpu().numpy()
    return out


def check_against_onnx(codec_dir, manifest, rows, ours):
    import onnxruntime as ort

    sess = ort.InferenceSession(str(Path(codec_dir) / manifest["encoder"]["file"]), providers=["CPUExecutionProvider"])
    cos = []
    for i, row in enumerate(rows):
        ref = sess.run(None, {"input_ids": row[None], "attention_mask": np.ones_like(row)[None]})[0][0]
        cos.append(float(ref @ ours[i] / (np.linalg.norm(ref) * np.linalg.norm(ours[i]) + 1e-12)))
    return min(cos), float(np.mean(cos))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codec", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--check", type=int, default=0, help="compare the first N rows of each file with ONNX Runtime")
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # keep fp32 so the rows match the CPU tool's
    model, manifest = encoder_from_onnx(args.codec)
    model.to(device)
    for lens in sorted(Path(args.data).glob("*.lens")):
        name = lens.stem
        t0 = time.time()
        rows = read_rows(args.data, name)
        vecs = encode_rows(model, rows, device)
        vecs.tofile(Path(args.data) / f"{name}.f32")
        report = {"name": name, "rows": len(rows), "seconds": round(time.time() - t0, 1)}
        if args.check:
            lo, mean = check_against_onnx(args.codec, manifest, rows[: args.check], vecs[: args.check])
            report.update(check_min_cosine=round(lo, 6), check_mean_cosine=round(mean, 6))
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
