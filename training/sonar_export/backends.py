"""Three ways to run a SONAR codec with the same two calls, used by --check and the tests:

  encode(input_ids, attention_mask) -> embeddings [B, D]
  decode(input_ids, embedding, past_key, past_value) -> logits, present_key, present_value

OrtBackend   the exported graphs in Python's onnxruntime (present on the GPU machines, pip elsewhere);
NodeBackend  the exported graphs in onnxruntime-node, the runtime lcm itself uses, through a small
             Node process (ort_node.mjs) that speaks length-prefixed binary frames on stdin/stdout;
TorchBackend the PyTorch ConceptCodec modules the graphs are traced from (no ONNX involved).
All take and return numpy arrays.
"""
import importlib
import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import torch

_DTYPES = {"int64": np.int64, "float32": np.float32}


class TorchBackend:
    name = "torch"

    def __init__(self, encoder_model, decoder_model):
        self.encoder_model, self.decoder_model = encoder_model, decoder_model
        cfg = decoder_model.cfg if decoder_model is not None else None
        self.cache_shape = (cfg.decoder_layers, cfg.heads, cfg.dim // cfg.heads) if cfg else None

    def encode(self, ids, mask):
        with torch.no_grad():
            return self.encoder_model.encode(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()

    def decode(self, ids, emb, past_k, past_v):
        with torch.no_grad():
            out = self.decoder_model.decode_step(torch.from_numpy(ids), torch.from_numpy(emb),
                                                 torch.from_numpy(past_k), torch.from_numpy(past_v))
        return tuple(t.numpy() for t in out)

    def close(self):
        pass


class OrtBackend:
    name = "onnxruntime"

    def __init__(self, encoder_path, decoder_path, cache_shape, threads=None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        # Same as src/models/onnx-session.ts: fold int8 DequantizeLinear weights to fp32 at load.
        options.add_session_config_entry("session.disable_quant_qdq", "1")
        providers = ["CPUExecutionProvider"]
        self.encoder = ort.InferenceSession(str(encoder_path), options, providers=providers) if encoder_path else None
        self.decoder = ort.InferenceSession(str(decoder_path), options, providers=providers) if decoder_path else None
        self.cache_shape = cache_shape

    def encode(self, ids, mask):
        return self.encoder.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def decode(self, ids, emb, past_k, past_v):
        return tuple(self.decoder.run(None, {"input_ids": ids, "embedding": emb, "past_key": past_k,
                                             "past_value": past_v}))

    def close(self):
        pass


class NodeBackend:
    name = "onnxruntime-node"
    SCRIPT = Path(__file__).resolve().parent / "ort_node.mjs"

    def __init__(self, encoder_path, decoder_path, cache_shape, threads=None):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is not on PATH")
        self.proc = subprocess.Popen([node, str(self.SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        graphs = {k: str(v) for k, v in (("encoder", encoder_path), ("decoder", decoder_path)) if v}
        self._send({"op": "load", "graphs": graphs, "threads": threads}, [])
        self._receive()
        self.cache_shape = cache_shape

    def _send(self, header, arrays):
        header = dict(header, inputs=[{"name": n, "type": str(a.dtype), "dims": list(a.shape), "bytes": a.nbytes}
                                      for n, a in arrays])
        blob = json.dumps(header).encode()
        self.proc.stdin.write(struct.pack("<I", len(blob)) + blob)
        for _, a in arrays:
            self.proc.stdin.write(np.ascontiguousarray(a).tobytes())
        self.proc.stdin.flush()

    def _read(self, n):
        data = self.proc.stdout.read(n)
        if data is None or len(data) != n:
            raise RuntimeError("onnxruntime-node runner stopped (see its stderr above)")
        return data

    def _receive(self):
        (n,) = struct.unpack("<I", self._read(4))
        header = json.loads(self._read(n))
        if "error" in header:
            raise RuntimeError(f"onnxruntime-node: {header['error']}")
        outs = []
        for o in header.get("outputs", []):
            a = np.frombuffer(self._read(o["bytes"]), dtype=_DTYPES[o["type"]]).reshape(o["dims"])
            outs.append(a)
        return outs

    def _run(self, graph, feeds):
        self._send({"op": "run", "graph": graph}, list(feeds.items()))
        return self._receive()

    def encode(self, ids, mask):
        return self._run("encoder", {"input_ids": ids, "attention_mask": mask})[0]

    def decode(self, ids, emb, past_k, past_v):
        return tuple(self._run("decoder", {"input_ids": ids, "embedding": emb, "past_key": past_k,
                                           "past_value": past_v}))

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        self.proc.stdout.close()


def empty_cache(backend, batch):
    layers, heads, head_dim = backend.cache_shape
    z = np.zeros((layers, batch, heads, 0, head_dim), dtype=np.float32)
    return z, z.copy()


def pad_batch(sequences, pad_id=0):
    """Right-padded int64 ids and the matching attention mask."""
    width = max(len(s) for s in sequences)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for i, s in enumerate(sequences):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    return ids, mask


def onnxruntime_available():
    try:
        importlib.import_module("onnxruntime")  # imported, not only found: a broken install counts as absent
    except ImportError:
        return False
    return True


def node_runtime_available():
    """node on PATH and onnxruntime-node resolvable from this repository."""
    node = shutil.which("node")
    if node is None:
        return False
    probe = subprocess.run([node, "--input-type=module", "-e", "await import('onnxruntime-node')"],
                           cwd=NodeBackend.SCRIPT.parent, capture_output=True)
    return probe.returncode == 0
