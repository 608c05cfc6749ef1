"""Compact weight files: an fp32 state dict stored as int8 with one scale per output row (matrices)
or as fp16 (vectors), split into chunks of at most --chunk-mb so they pass size-limited transfers
(the GPU machine returns files of at most 16 MiB). Per-row int8 costs ~0.1 chrF on this codec; it is
used to carry weights, and the exported ONNX files use the same scheme.
"""
import io
import json
import sys

import numpy as np
import torch

from common import read_chunks, write_chunks


def pack_state_dict(state_dict):
    arrays, meta = {}, {}
    for name, t in state_dict.items():
        x = t.detach().float().cpu().numpy()
        if x.ndim == 2 and x.size >= 4096:
            scale = np.abs(x).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            arrays[name + ".q"] = np.round(x / scale).astype(np.int8)
            arrays[name + ".s"] = scale.astype(np.float32)
            meta[name] = "int8"
        else:
            arrays[name + ".h"] = x.astype(np.float32 if x.size < 4096 else np.float16)
            meta[name] = "float"
    return arrays, meta


def save_packed(state_dict, prefix, extra=None, chunk_mb=15):
    arrays, meta = pack_state_dict(state_dict)
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.array(json.dumps({"tensors": meta, "extra": extra or {}})), **arrays)
    return write_chunks(buf.getvalue(), prefix, chunk_mb)


def load_packed(prefix):
    z = np.load(io.BytesIO(read_chunks(prefix)))
    info = json.loads(str(z["__meta__"]))
    sd = {}
    for name, kind in info["tensors"].items():
        if kind == "int8":
            sd[name] = torch.from_numpy(z[name + ".q"].astype(np.float32) * z[name + ".s"])
        else:
            sd[name] = torch.from_numpy(z[name + ".h"].astype(np.float32))
    return sd, info["extra"]


def load_weights(path):
    """Weights from a training checkpoint (checkpoint.pt) or a packed prefix (weights.part00 -> weights)."""
    path = str(path)
    if path.endswith(".pt"):
        return torch.load(path, map_location="cpu")["model"]
    return load_packed(path.split(".part")[0])[0]


if __name__ == "__main__":
    # python -m codec.weights pack <checkpoint.pt> <prefix>
    if len(sys.argv) == 4 and sys.argv[1] == "pack":
        ck = torch.load(sys.argv[2], map_location="cpu")
        print([str(p) for p in save_packed(ck["model"], sys.argv[3], {"config": ck["config"], "state": ck["state"]})])
    else:
        sys.exit("usage: python -m codec.weights pack CHECKPOINT PREFIX")
