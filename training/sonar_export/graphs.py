"""SONAR halves -> ConceptCodec modules -> ONNX graphs in the codec contract (docs/architecture.md, "The codec contract").

The encoder and decoder checkpoints have separate embedding tables, and ConceptCodec ties one table to
both sides, so each half gets its own ConceptCodec: an encoder-only one (no decoder layers) exported as
encoder.onnx and a decoder-only one exported as decoder.onnx. Each graph carries its own table.

Graph signatures are the ones codec/export_onnx.py writes for our own codec (same wrapper modules):
  encoder.onnx  input_ids int64 [B,T], attention_mask int64 [B,T] -> sentence_embedding float32 [B,D]
  decoder.onnx  input_ids int64 [B,t], embedding float32 [B,D], past_key / past_value float32
                [L,B,H,P,Dh] -> logits float32 [B,t,V], present_key / present_value [L,B,H,P+t,Dh]

Weight storage (inputs, outputs and arithmetic stay fp32 in every case):
  fp32  as exported; protobuf cannot hold more than 2 GB, so large graphs keep their weights in
        one external file next to the graph (encoder.onnx.data); onnxruntime reads it when the graph
        is opened by path.
  fp16  every float matrix stored as float16 behind a Cast node; onnxruntime folds the casts at load.
  int8  codec/export_onnx.quantize_weights_int8: int8 + per-channel scale behind DequantizeLinear.
"""
import gc
import inspect
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from codec.export_onnx import OPSET, DecoderGraph, EncoderGraph, quantize_weights_int8
from codec.model import CodecConfig, ConceptCodec

from .checkpoint import CheckpointError, SonarHalf, required_names

# SONAR's limits: the encoder accepts 512 + pad_idx + 1 = 514 positions (fairseq legacy), the decoder
# 512 (the 2-token prefix included).
ENCODER_MAX_TOKENS = 514
DECODER_MAX_TOKENS = 512
PROTOBUF_LIMIT = 2**31 - 1
# Above this many bytes of weights, a graph is written with external data.
EXTERNAL_DATA_THRESHOLD = 1_800_000_000


def build_codec(half: SonarHalf, heads: int) -> ConceptCodec:
    if half.dim % heads:
        raise CheckpointError(f"model dim {half.dim} is not divisible by --heads {heads}")
    is_encoder = half.role == "encoder"
    cfg = CodecConfig(
        vocab_size=half.vocab_size, dim=half.dim, heads=heads, ffn=half.ffn,
        encoder_layers=half.layers if is_encoder else 0, decoder_layers=0 if is_encoder else half.layers,
        max_positions=ENCODER_MAX_TOKENS if is_encoder else DECODER_MAX_TOKENS,
        dropout=0.0, pad_id=0, position_offset=2,
    )
    model = ConceptCodec(cfg)
    required = required_names(half.role, half.layers)
    missing = required - set(half.state)
    if missing:
        shown = ", ".join(sorted(missing)[:5])
        raise CheckpointError(f"{half.role} checkpoint lacks {len(missing)} weight(s): {shown}")
    unused_norm = "decoder_norm" if is_encoder else "encoder_norm"
    result = model.load_state_dict(half.state, strict=False)
    bad_missing = [k for k in result.missing_keys if not k.startswith(unused_norm)]
    if bad_missing or result.unexpected_keys:
        raise CheckpointError(f"{half.role}: weights do not fit ConceptCodec (missing {bad_missing[:5]}, "
                              f"unexpected {result.unexpected_keys[:5]})")
    model.eval()
    model.use_sdpa(False)
    return model


def _onnx_export(module, args, path, **kwargs):
    """torch.onnx.export with the TorchScript exporter on every torch version: torch 2.9+ defaults to
    the dynamo exporter, which takes dynamic shapes differently; the graphs must match the contract."""
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    torch.onnx.export(module, args, str(path), opset_version=OPSET, **kwargs)


def export_encoder(model: ConceptCodec, path: Path):
    # Traced with grad enabled, like codec/export_onnx.py (torch 1.13 exports these graphs only that way).
    ids = torch.randint(4, model.cfg.vocab_size, (2, 7))
    _onnx_export(
        EncoderGraph(model), (ids, torch.ones_like(ids)), path,
        input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "sentence_embedding": {0: "batch"}},
    )


def export_decoder(model: ConceptCodec, path: Path):
    cfg = model.cfg
    ids = torch.randint(4, cfg.vocab_size, (2, 2))
    past = torch.randn(cfg.decoder_layers, 2, cfg.heads, 3, cfg.dim // cfg.heads)
    _onnx_export(
        DecoderGraph(model), (ids, torch.randn(2, cfg.dim), past, past.clone()), path,
        input_names=["input_ids", "embedding", "past_key", "past_value"],
        output_names=["logits", "present_key", "present_value"],
        dynamic_axes={"input_ids": {0: "batch", 1: "new_tokens"}, "embedding": {0: "batch"},
                      "past_key": {1: "batch", 3: "past_tokens"}, "past_value": {1: "batch", 3: "past_tokens"},
                      "logits": {0: "batch", 1: "new_tokens"},
                      "present_key": {1: "batch", 3: "total_tokens"},
                      "present_value": {1: "batch", 3: "total_tokens"}},
    )


def _np_dtype(data_type):
    if hasattr(helper, "tensor_dtype_to_np_dtype"):  # onnx >= 1.13
        return np.dtype(helper.tensor_dtype_to_np_dtype(data_type))
    return np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[data_type])  # Debian's onnx 1.12


def weight_bytes(model: onnx.ModelProto) -> int:
    total = 0
    for init in model.graph.initializer:
        itemsize = _np_dtype(init.data_type).itemsize
        total += int(np.prod(init.dims, dtype=np.int64)) * itemsize
    return total


def store_fp16(model: onnx.ModelProto, min_size=4096):
    """Float matrices become float16 initializers followed by Cast(to=float)."""
    g = model.graph
    casts, kept = [], []
    for init in list(g.initializer):
        if init.data_type != onnx.TensorProto.FLOAT or len(init.dims) < 2 or np.prod(init.dims) < min_size:
            kept.append(init)
            continue
        w = numpy_helper.to_array(init).astype(np.float16)
        kept.append(numpy_helper.from_array(w, init.name + "_fp16"))
        casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], to=onnx.TensorProto.FLOAT))
    del g.initializer[:]
    g.initializer.extend(kept)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)


def tie_output_projection(model: onnx.ModelProto, vocab_size: int) -> int:
    """The tracer constant-folds the tied output projection's W.t() into a second, transposed copy of
    the embedding feeding a MatMul. Point those MatMuls back at the embedding as Gemm(transB=1) and
    drop the copy: one table in the file and, unlike a Transpose node, one in memory once loaded.
    Returns how many copies were removed."""
    g = model.graph
    tables = {i.name: i for i in g.initializer if len(i.dims) == 2 and i.dims[0] == vocab_size}
    copies = [i for i in g.initializer if len(i.dims) == 2 and i.dims[1] == vocab_size and i.dims[0] != vocab_size]
    removed = 0
    for copy in copies:
        t = numpy_helper.to_array(copy)
        source = next((name for name, init in tables.items() if tuple(init.dims) == t.shape[::-1]
                       and np.array_equal(numpy_helper.to_array(init), t.T)), None)
        users = [n for n in g.node if copy.name in n.input]
        if source is None or not all(n.op_type == "MatMul" and n.input[1] == copy.name for n in users):
            continue
        for node in users:
            gemm = helper.make_node("Gemm", [node.input[0], source], list(node.output), name=node.name + "_tied",
                                    transB=1)
            g.node.insert(list(g.node).index(node), gemm)
            g.node.remove(node)
        g.initializer.remove(copy)
        removed += 1
    return removed


def count_tables(model: onnx.ModelProto, vocab_size: int) -> int:
    """How many initializers hold a vocabulary-sized matrix (either orientation, any storage type).
    The tied output projection must reuse the embedding, so each graph holds exactly one."""
    return sum(1 for i in model.graph.initializer if len(i.dims) == 2 and vocab_size in tuple(i.dims))


def save_graph(model: onnx.ModelProto, path: Path, external: str = "auto") -> str | None:
    """Writes the graph; returns the external data file name, or None when the weights are inline."""
    data_name = path.name + ".data"
    data_path = path.with_name(data_name)
    # onnx appends to an existing data file, so a re-export must start from none.
    for stale in (path, data_path):
        if stale.exists():
            stale.unlink()
    use_external = external == "always" or (external == "auto" and weight_bytes(model) > EXTERNAL_DATA_THRESHOLD)
    if use_external:
        onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_name, size_threshold=1024)
        return data_name
    onnx.save_model(model, str(path))
    return None


def export_half(half: SonarHalf, heads: int, out_path: Path, weights: str = "fp32", external: str = "auto",
                log=print) -> dict:
    """Builds, exports and stores one graph. Returns facts for the manifest."""
    model = build_codec(half, heads)
    cfg = model.cfg
    half.state.clear()  # the module now owns the weights; free the checkpoint copy
    gc.collect()
    # Temporary graphs (up to a few GB) go beside the output, not to /tmp, which is often RAM-backed.
    scratch = os.environ.get("LCM_EXPORT_TMP") or out_path.parent
    with tempfile.TemporaryDirectory(prefix=f".sonar-{half.role}-", dir=scratch) as tmp:
        raw = Path(tmp) / "traced" / out_path.name
        raw.parent.mkdir()
        log(f"{half.role}: tracing to ONNX ({half.layers} layers, dim {half.dim}, vocab {half.vocab_size})")
        (export_encoder if half.role == "encoder" else export_decoder)(model, raw)
        del model
        gc.collect()
        graph = onnx.load(str(raw))
        shutil.rmtree(raw.parent)  # torch's one-file-per-weight external data, now in memory
        if half.role == "decoder":
            tie_output_projection(graph, cfg.vocab_size)
        if weights == "int8":
            log(f"{half.role}: int8 weights")
            staged = Path(tmp) / f"staged-{out_path.name}"
            save_graph(graph, staged, "auto")
            del graph
            gc.collect()
            quantize_weights_int8(staged)  # reads the external data beside `staged`, saves inline (< 2 GB)
            graph = onnx.load(str(staged))
    tables = count_tables(graph, cfg.vocab_size)
    if tables != 1:
        raise RuntimeError(f"{out_path.name}: expected one embedding table in the graph, found {tables}")
    if weights == "fp16":
        log(f"{half.role}: fp16 weights")
        store_fp16(graph)
    if external == "never" and weight_bytes(graph) > PROTOBUF_LIMIT:
        raise RuntimeError(f"{out_path.name}: weights exceed 2 GB; they need external data")
    data_file = save_graph(graph, out_path, external)
    size = out_path.stat().st_size + (out_path.with_name(data_file).stat().st_size if data_file else 0)
    log(f"{half.role}: wrote {out_path.name}{' + ' + data_file if data_file else ''} ({size / 1e9:.2f} GB)")
    del graph
    gc.collect()
    return {"config": cfg, "data_file": data_file, "bytes": size}


def copy_tokenizer(src: Path, out_dir: Path, name="tokenizer.model") -> str:
    shutil.copyfile(src, out_dir / name)
    return name
