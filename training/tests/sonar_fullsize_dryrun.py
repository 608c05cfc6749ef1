"""Full-size dry run of export_sonar.py (not a unit test; minutes and ~12 GB of memory).

Random weights with SONAR's exact shapes (1024-d, 24+24 layers, FFN 8192, vocabulary 256206) in the
fairseq checkpoint layout, and a 256,000-piece SentencePiece model (a small trained model padded with
dummy pieces), exported with each storage option. Prints file sizes, export times, peak memory and,
when an onnxruntime is available, load / encode / decode timings of the result. The real weights
cannot be downloaded here; this checks the >2 GB path (external data) and the sizes.

  python3 -m tests.sonar_fullsize_dryrun --work /tmp/sonar-dry [--storage fp32,int8,fp16] [--layers 24]
"""
import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sentencepiece import sentencepiece_model_pb2 as spm_pb2

from sonar_export.backends import (
    NodeBackend, OrtBackend, empty_cache, node_runtime_available, onnxruntime_available, pad_batch)
from sonar_export.search import greedy
from sonar_export.tokenizer import NllbTokenizer
from tests import sonar_fixtures as fx


def padded_tokenizer(work: Path, pieces=256000) -> Path:
    model = spm_pb2.ModelProto()
    model.ParseFromString(fx.train_tokenizer(work).read_bytes())
    for i in range(pieces - len(model.pieces)):
        model.pieces.add(piece=f"\u2581dummy{i}", score=-1000.0 - i * 1e-3)
    path = work / "spm256k.model"
    path.write_bytes(model.SerializeToString())
    return path


def random_checkpoint(role, vocab, dim, ffn, layers, path: Path):
    g = torch.Generator().manual_seed(1 if role == "encoder" else 2)

    def rand(*shape, std):
        return torch.randn(*shape, generator=g) * std

    sd = {"embed_tokens.weight": rand(vocab, dim, std=dim ** -0.5), "layer_norm.weight": 1 + rand(dim, std=0.1),
          "layer_norm.bias": rand(dim, std=0.1), "version": torch.tensor([3.0])}
    attns = ["self_attn"] + (["encoder_attn"] if role == "decoder" else [])
    for i in range(layers):
        p = f"layers.{i}."
        for a in attns:
            for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                sd[f"{p}{a}.{proj}.weight"] = rand(dim, dim, std=dim ** -0.5)
                sd[f"{p}{a}.{proj}.bias"] = rand(dim, std=0.02)
            sd[f"{p}{a}_layer_norm.weight"] = 1 + rand(dim, std=0.1)
            sd[f"{p}{a}_layer_norm.bias"] = rand(dim, std=0.1)
        sd[p + "fc1.weight"], sd[p + "fc1.bias"] = rand(ffn, dim, std=dim ** -0.5), rand(ffn, std=0.02)
        sd[p + "fc2.weight"], sd[p + "fc2.bias"] = rand(dim, ffn, std=ffn ** -0.5), rand(dim, std=0.02)
        sd[p + "final_layer_norm.weight"] = 1 + rand(dim, std=0.1)
        sd[p + "final_layer_norm.bias"] = rand(dim, std=0.1)
    if role == "decoder":
        sd["output_projection.weight"] = sd["embed_tokens.weight"]
    torch.save({"state_dict": sd}, path)
    return sum(t.numel() for k, t in sd.items() if k != "output_projection.weight")


def timed_export(args, storage, out: Path):
    flags = {"fp32": [], "fp16": ["--fp16"], "int8": ["--int8"]}[storage]
    started = time.time()
    r = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "export_sonar",
                        "--encoder", args.work / "encoder.pt", "--decoder", args.work / "decoder.pt",
                        "--tokenizer", args.work / "spm256k.model", "--out", out, "--no-hash", *flags],
                       cwd=fx.TRAINING, capture_output=True, text=True)
    seconds = time.time() - started
    if r.returncode != 0:
        raise SystemExit(f"export {storage} failed:\n{r.stderr[-3000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1)) / 1e6
    files = {f.name: f.stat().st_size for f in sorted(out.iterdir())}
    return {"storage": storage, "export_s": round(seconds, 1), "peak_rss_gb": round(peak, 2), "files": files,
            "total_gb": round(sum(v for k, v in files.items() if ".onnx" in k) / 1e9, 3)}


def timed_run(out: Path, threads):
    m = json.loads((out / "manifest.json").read_text())
    d = m["decoder"]
    cls = OrtBackend if onnxruntime_available() else NodeBackend if node_runtime_available() else None
    if cls is None:
        return {"runtime": "none available"}
    started = time.time()
    b = cls(out / "encoder.onnx", out / "decoder.onnx", (d["layers"], d["heads"], d["head_dim"]), threads)
    loaded = time.time() - started
    tok = NllbTokenizer(out / "tokenizer.model")
    ids, mask = pad_batch([tok.encode(s, "eng_Latn") for s in ["Hello, my name is Paul", "I'm working as a teacher"]])
    started = time.time()
    emb = b.encode(ids, mask)
    encode_s = time.time() - started
    started = time.time()
    tokens = greedy(b, emb[0], tok.prefix("fra_Latn"), max_new_tokens=16)
    decode_s = time.time() - started
    pk, pv = empty_cache(b, 1)
    logits = b.decode(np.array([[3, 333]]), emb[:1].astype(np.float32), pk, pv)[0]
    b.close()
    return {"runtime": cls.name, "load_s": round(loaded, 1), "encode_2_sentences_s": round(encode_s, 3),
            "greedy_tokens": len(tokens), "decode_s": round(decode_s, 2),
            "finite_logits": bool(np.isfinite(logits).all()), "logits_shape": list(logits.shape)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sonar-dry")
    ap.add_argument("--storage", default="fp32,int8,fp16")
    ap.add_argument("--layers", type=int, default=24)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--reuse", action="store_true", help="keep checkpoints already in --work")
    args = ap.parse_args()
    args.work = args.work.resolve()  # the export runs from training/
    args.work.mkdir(parents=True, exist_ok=True)
    tok = padded_tokenizer(args.work)
    vocab = NllbTokenizer(tok).vocab_size
    report = {"vocab": vocab, "layers": args.layers}
    for role in ("encoder", "decoder"):
        started = time.time()
        if args.reuse and (args.work / f"{role}.pt").is_file():
            continue
        report[f"{role}_params"] = random_checkpoint(role, vocab, 1024, 8192, args.layers, args.work / f"{role}.pt")
        report[f"{role}_checkpoint_gb"] = round((args.work / f"{role}.pt").stat().st_size / 1e9, 2)
        print(f"{role}: random checkpoint in {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    report["exports"] = []
    for storage in args.storage.split(","):
        out = args.work / f"out-{storage}"
        entry = timed_export(args, storage, out)
        entry.update(timed_run(out, args.threads))
        report["exports"].append(entry)
        print(json.dumps(entry), file=sys.stderr, flush=True)
    report["driver_peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
