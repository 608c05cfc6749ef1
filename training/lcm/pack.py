"""Carry an LCM checkpoint across a size-limited transfer (the GPU machine returns files of at most
16 MiB) and across PyTorch versions: the weights as fp16 arrays in an .npz, with the config,
normalizer, kind and training state as JSON, cut into chunks; `unpack` rebuilds a checkpoint.pt
that lcm.train --init / lcm.export_onnx read (no optimiser state: fine-tuning starts a fresh one).

  python3 -m lcm.pack pack runs/x/checkpoint.pt OUT_PREFIX      -> OUT_PREFIX.part00, .part01, ...
  python3 -m lcm.pack unpack OUT_PREFIX runs/x/checkpoint.pt
"""
import io
import json
import sys
from pathlib import Path

import numpy as np
import torch

from common import read_chunks, write_chunks


def pack(checkpoint, prefix):
    ck = torch.load(checkpoint, map_location="cpu", weights_only=False)  # our own file: plain dicts too
    meta = {k: ck[k] for k in ("config", "normalizer", "kind", "state") if k in ck}
    arrays = {name: t.detach().float().cpu().numpy().astype(np.float16) for name, t in ck["model"].items()}
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.array(json.dumps(meta)), **arrays)
    return [str(path) for path in write_chunks(buf.getvalue(), prefix)]


def unpack(prefix, checkpoint):
    try:
        z = np.load(io.BytesIO(read_chunks(prefix)))
    except FileNotFoundError as error:
        sys.exit(str(error))
    meta = json.loads(str(z["__meta__"]))
    model = {name: torch.from_numpy(z[name].astype(np.float32)) for name in z.files if name != "__meta__"}
    Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
    torch.save({**meta, "model": model}, checkpoint)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "unpack"):
        sys.exit(__doc__)
    if sys.argv[1] == "pack":
        print("\n".join(pack(sys.argv[2], sys.argv[3])))
    else:
        unpack(sys.argv[2], sys.argv[3])
