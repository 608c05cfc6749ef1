"""Stage 5: export a trained codec to the ONNX codec contract (docs/architecture.md, "The codec
contract"), plus tokenizer and manifest.

  encoder.onnx  input_ids int64 [B,T], attention_mask int64 [B,T] -> sentence_embedding float32 [B,D]
  decoder.onnx  input_ids int64 [B,t], embedding float32 [B,D],
                past_key / past_value float32 [L,B,H,P,Dh]
                -> logits float32 [B,t,V], present_key / present_value float32 [L,B,H,P+t,Dh]
The first decoder call passes the prefix [</s>, lang tag] with P = 0; later calls pass one token and the
previous present_*. Positions come from P inside the graph, so cached and uncached decoding agree.

--int8 stores every large weight matrix as int8 with one fp32 scale per output channel behind a
DequantizeLinear node, each feeding one MatMul (int8_graph.py rewrites Gemms and the tied embedding
so they do), and embedding lookups fetch int8 rows before scaling them. onnxruntime then runs the
matmuls with int8 weights (MatMulNBits) instead of fp32: a quarter of the memory traffic per decoding
step, which is what a step costs. The manifest says so ("decoder.int8_matmul").
"""
import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from codec.int8_graph import dynamic_int8_matmul, gather_then_dequantize, gemm_to_matmul, untie_gather
from codec.model import CodecConfig, ConceptCodec
from common import file_checksums

OPSET = 17


class EncoderGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model.encode(input_ids, attention_mask)


class DecoderGraph(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, embedding, past_key, past_value):
        return self.model.decode_step(input_ids, embedding, past_key, past_value)


def export_graphs(model: ConceptCodec, out: Path):
    cfg = model.cfg
    model.eval()
    model.use_sdpa(False)
    ids = torch.randint(4, cfg.vocab_size, (2, 7))
    mask = torch.ones_like(ids)
    torch.onnx.export(
        EncoderGraph(model), (ids, mask), str(out / "encoder.onnx"), opset_version=OPSET,
        input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                      "sentence_embedding": {0: "batch"}},
    )
    export_decoder_graph(model, out / "decoder.onnx")


def export_decoder_graph(model: ConceptCodec, path: Path):
    """decoder.onnx alone (codec.decoder_tune exports a fine-tuned decoder beside the shipped encoder)."""
    cfg = model.cfg
    model.eval()
    model.use_sdpa(False)
    L, H, Dh = cfg.decoder_layers, cfg.heads, cfg.dim // cfg.heads
    ids = torch.randint(4, cfg.vocab_size, (2, 2))
    emb = torch.randn(2, cfg.dim)
    past = torch.randn(L, 2, H, 3, Dh)
    torch.onnx.export(
        DecoderGraph(model), (ids, emb, past, past.clone()), str(path), opset_version=OPSET,
        input_names=["input_ids", "embedding", "past_key", "past_value"],
        output_names=["logits", "present_key", "present_value"],
        dynamic_axes={"input_ids": {0: "batch", 1: "new_tokens"}, "embedding": {0: "batch"},
                      "past_key": {1: "batch", 3: "past_tokens"}, "past_value": {1: "batch", 3: "past_tokens"},
                      "logits": {0: "batch", 1: "new_tokens"},
                      "present_key": {1: "batch", 3: "total_tokens"}, "present_value": {1: "batch", 3: "total_tokens"}},
    )


def dedupe_transposed(path: Path):
    """The tracer folds `W.t()` of the tied output projection into a second copy of the embedding.
    Replace any initializer that is the transpose of another by a Transpose node (onnxruntime folds it
    back at load, so only the file shrinks)."""
    m = onnx.load(str(path))
    g = m.graph
    big = {i.name: numpy_helper.to_array(i) for i in g.initializer
           if len(i.dims) == 2 and i.dims[0] * i.dims[1] >= 65536}
    by_shape = {}
    for name, a in big.items():
        by_shape.setdefault(a.shape, []).append(name)
    replaced = []
    for name, a in big.items():
        for other in by_shape.get(a.shape[::-1], []):
            if other != name and other not in replaced and np.array_equal(a, big[other].T):
                g.initializer.remove(next(i for i in g.initializer if i.name == name))
                g.node.insert(0, helper.make_node("Transpose", [other], [name], perm=[1, 0]))
                replaced.append(name)
                break
    onnx.save(m, str(path))
    return replaced


def quantize_weights_int8(path: Path, min_size=4096):
    """Replace large float matrices by int8 + per-channel scale + DequantizeLinear."""
    m = onnx.load(str(path))
    g = m.graph
    consumers = {}
    for node in g.node:
        for k, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, k))
    new_inits, new_nodes = [], []
    for init in list(g.initializer):
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < min_size:
            continue
        uses = consumers.get(init.name, [])
        # MatMul(x, W[in, out]) wants one scale per column; Gather/Gemm(transB) rows are channels.
        axis = 1 if uses and all(n.op_type == "MatMul" and k == 1 for n, k in uses) else 0
        scale = np.abs(w).max(axis=1 - axis) / 127.0
        scale[scale == 0] = 1.0
        q = np.clip(np.round(w / np.expand_dims(scale, 1 - axis)), -127, 127).astype(np.int8)
        g.initializer.remove(init)
        new_inits += [numpy_helper.from_array(q, init.name + "_int8"),
                      numpy_helper.from_array(scale.astype(np.float32), init.name + "_scale"),
                      numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), init.name + "_zero")]
        new_nodes.append(helper.make_node("DequantizeLinear", [init.name + "_int8", init.name + "_scale",
                                                               init.name + "_zero"], [init.name], axis=axis))
    g.initializer.extend(new_inits)
    nodes = new_nodes + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def prepare_for_int8_kernels(path: Path):
    """Every weight matrix feeding one MatMul alone (see int8_graph.py), before quantising."""
    m = onnx.load(str(path))
    gemm_to_matmul(m)
    untie_gather(m)
    onnx.save(m, str(path))


def make_matmuls_dynamic_int8(path: Path):
    m = onnx.load(str(path))
    dynamic_int8_matmul(m)
    onnx.save(m, str(path))


def fetch_rows_before_dequantizing(path: Path):
    m = onnx.load(str(path))
    gather_then_dequantize(m)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="checkpoint.pt or packed weights prefix")
    ap.add_argument("--config", help="config JSON (packed weights carry their own)")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--languages", required=True, help="JSON list of FLORES-200 codes the manifest declares")
    ap.add_argument("--out", required=True)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--dynamic-int8-encoder", action="store_true",
                    help="with --int8: the encoder's matmuls quantize their activations too (DynamicQuantizeMatMul, "
                         "int8 kernels; weights re-quantized to 7 bits so CPUs without VNNI cannot saturate): "
                         "~3x faster encoding, concepts within cosine 0.99998")
    ap.add_argument("--name", default="lcm-default-codec")
    ap.add_argument("--card", help="JSON file merged into the manifest (quality, provenance, training)")
    ap.add_argument("--default-beam", type=int, default=5,
                    help="decoder.default_beam: the runtime's beam width when the user names none (measure "
                         "beam vs greedy on held-out data; the shipped codec uses 1)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.weights.endswith(".pt"):
        ck = torch.load(args.weights, map_location="cpu")
        cfg, sd = CodecConfig(**ck["config"]), ck["model"]
    else:
        from codec.weights import load_packed

        sd, extra = load_packed(args.weights.split(".part")[0])
        cfg = CodecConfig(**(json.loads(Path(args.config).read_text()) if args.config else extra["config"]))
    model = ConceptCodec(cfg)
    model.load_state_dict(sd)
    export_graphs(model, out)
    dedupe_transposed(out / "encoder.onnx")
    dedupe_transposed(out / "decoder.onnx")
    if args.int8:
        for graph in ("encoder.onnx", "decoder.onnx"):
            prepare_for_int8_kernels(out / graph)
            quantize_weights_int8(out / graph)
            fetch_rows_before_dequantizing(out / graph)
        if args.dynamic_int8_encoder:
            make_matmuls_dynamic_int8(out / "encoder.onnx")
    shutil.copy(args.tokenizer, out / "tokenizer.model")
    languages = json.loads(Path(args.languages).read_text())
    manifest = {
        "kind": "codec",
        "name": args.name,
        "version": "1",
        "embedding_dim": cfg.dim,
        "languages": languages,
        "tokenizer": {"file": "tokenizer.model", "type": "sentencepiece", "piece_offset": 0,
                      "special_ids": {"pad": 0, "unk": 1, "bos": 2, "eos": 3}, "lang_tag_format": "__{lang}__"},
        "encoder": {"file": "encoder.onnx", "max_tokens": 128, "inputs": ["input_ids", "attention_mask"],
                    "output": "sentence_embedding",
                    **({"int8_activations": True} if args.int8 and args.dynamic_int8_encoder else {})},
        "decoder": {"file": "decoder.onnx", "layers": cfg.decoder_layers, "heads": cfg.heads,
                    "head_dim": cfg.dim // cfg.heads, "vocab_size": cfg.vocab_size, "max_tokens": 128,
                    "default_beam": args.default_beam,
                    # the graph's int8 weights each feed one MatMul: run them with int8 kernels
                    # (unfolded) rather than folding them to fp32 at load
                    **({"int8_matmul": True} if args.int8 else {}),
                    "inputs": ["input_ids", "embedding", "past_key", "past_value"],
                    "outputs": ["logits", "present_key", "present_value"]},
        "weights": "int8-per-channel (DequantizeLinear)" if args.int8 else "fp32",
        "architecture": cfg.to_dict(),
        "license": "MIT (weights trained by the lcm project on the corpora listed in provenance)",
    }
    if args.card:
        manifest.update(json.loads(Path(args.card).read_text()))
    manifest["checksums"] = file_checksums(out, [f.name for f in out.iterdir()
                                                 if f.is_file() and f.name != "manifest.json"])
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({f.name: f.stat().st_size for f in sorted(out.iterdir())}))


if __name__ == "__main__":
    main()
