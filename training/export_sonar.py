"""Export Meta's SONAR text encoder and decoder to lcm's codec contract, without fairseq2.

  python3 -m export_sonar --encoder sonar_text_encoder.pt --decoder sonar_text_decoder.pt \\
      --tokenizer sentencepiece.source.256000.model --out ~/.local/share/lcm/models/sonar [--fp16|--int8] [--check]

Reads the checkpoints with torch.load (fairseq layout {"state_dict"} or fairseq2 layout {"model"}),
maps the weights onto training/codec/model.py's ConceptCodec (SONAR's architecture at any size: one
instance per checkpoint, since encoder and decoder have separate embedding tables), traces
encoder.onnx (in-graph mean pooling) and decoder.onnx (key/value cache), copies the tokenizer and
writes manifest.json with fairseq2's NLLB ids and the CC BY-NC 4.0 notice.

--check runs SONAR's own test values (cosine matrix, decoder logits for prefix [3, 333], eng -> fra
translation) through Python onnxruntime if installed, else onnxruntime-node (lcm's runtime) if this
repository's node_modules has it, else the PyTorch modules; --check-only skips the export.
Exit codes: 0 ok, 1 a check failed or the export broke, 2 bad arguments or unreadable checkpoints.
"""
import argparse
import gc
import json
import sys
import time
from pathlib import Path

import torch

from common import file_checksums
from sonar_export.backends import (
    NodeBackend, OrtBackend, TorchBackend, node_runtime_available, onnxruntime_available)
from sonar_export.checkpoint import CheckpointError, extract_half, read_checkpoint
from sonar_export.golden import SONAR_GOLDEN, run_checks
from sonar_export.graphs import build_codec, copy_tokenizer, export_half
from sonar_export.manifest import WEIGHTS, build_manifest, file_facts
from sonar_export.tokenizer import NllbTokenizer


def log(message):
    print(message, file=sys.stderr, flush=True)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", help="sonar_text_encoder.pt (card text_sonar_basic_encoder)")
    ap.add_argument("--decoder", help="sonar_text_decoder.pt or finetuned_decoder.pt")
    ap.add_argument("--tokenizer", help="sentencepiece.source.256000.model")
    ap.add_argument("--out", required=True, help="model directory to write (or to check with --check-only)")
    storage = ap.add_mutually_exclusive_group()
    storage.add_argument("--fp16", action="store_true", help="store weights as float16 (half the size)")
    storage.add_argument("--int8", action="store_true", help="store weights as per-channel int8 (a quarter)")
    ap.add_argument("--name", default="sonar-text", help="codec name written to the manifest")
    ap.add_argument("--heads", type=int, default=16, help="attention heads (SONAR: 16; not stored in checkpoints)")
    ap.add_argument("--embedding-order", choices=["auto", "fairseq", "fairseq2"], default="auto",
                    help="row order of the special tokens in the checkpoints' embeddings (auto: from the key names)")
    ap.add_argument("--external-data", choices=["auto", "always", "never"], default="auto",
                    help="keep weights in a .data file beside each graph (auto: when over 1.8 GB)")
    ap.add_argument("--check", action="store_true", help="run SONAR's golden values after exporting")
    ap.add_argument("--check-only", action="store_true", help="run the golden values on an existing export")
    ap.add_argument("--backend", choices=["auto", "onnxruntime", "node", "torch"], default="auto")
    ap.add_argument("--golden", help="JSON of expected values in golden.SONAR_GOLDEN's shape (default: SONAR's own)")
    ap.add_argument("--threads", type=int, help="threads for the check backends")
    ap.add_argument("--no-hash", action="store_true", help="skip the sha256 of the checkpoints in the manifest")
    args = ap.parse_args(argv)
    if not args.check_only and not (args.encoder and args.decoder and args.tokenizer):
        ap.error("--encoder, --decoder and --tokenizer are required to export")
    for flag in ("encoder", "decoder", "tokenizer"):
        value = getattr(args, flag)
        if value and not Path(value).is_file():
            ap.error(f"--{flag} {value}: no such file")
    return args


def load_half(path, role, args):
    half = extract_half(read_checkpoint(path), role, args.embedding_order, source=str(path))
    log(f"{role}: {Path(path).name}: {half.layout} layout, {half.layers} layers, dim {half.dim}, "
        f"ffn {half.ffn}, vocab {half.vocab_size}")
    for note in half.notes:
        log(f"{role}: {note}")
    if half.dropped:
        log(f"{role}: dropped {len(half.dropped)} cross-attention query-side weights (q_proj, k_proj, "
            "encoder_attn_layer_norm): with one memory vector, attention weights are exactly 1, so they cannot "
            "change the output")
    return half


def export(args, out: Path):
    weights = "fp16" if args.fp16 else "int8" if args.int8 else "fp32"
    tokenizer = NllbTokenizer(args.tokenizer)
    facts = {}
    provenance = {"exported_by": "training/export_sonar.py", "source": "https://github.com/facebookresearch/SONAR",
                  "id_convention": "fairseq2", "checkpoints": {}}
    for role, path in (("encoder", args.encoder), ("decoder", args.decoder)):
        half = load_half(path, role, args)
        if half.vocab_size != tokenizer.vocab_size:  # fail before minutes of exporting, not after
            raise ValueError(f"{path}: {half.vocab_size} embedding rows, but {args.tokenizer} in fairseq2's NLLB "
                             f"layout needs {tokenizer.vocab_size} (pieces + 1 + 202 languages + 3)")
        provenance["checkpoints"][role] = {**file_facts(Path(path), not args.no_hash), "layout": half.layout,
                                           "embedding_order_in_file": half.embedding_order,
                                           "dropped_weights": len(half.dropped)}
        facts[role] = export_half(half, args.heads, out / f"{role}.onnx", weights, args.external_data, log)
        del half
        gc.collect()
    copy_tokenizer(Path(args.tokenizer), out)
    provenance["tokenizer"] = file_facts(Path(args.tokenizer), not args.no_hash)
    manifest = build_manifest(args.name, tokenizer, facts["encoder"], facts["decoder"], weights, provenance)
    if not args.no_hash:
        manifest["checksums"] = file_checksums(
            out, [f.name for f in out.iterdir() if f.is_file() and f.name != "manifest.json"])
    write_manifest(out, manifest)
    return manifest


def write_manifest(out: Path, manifest):
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def choose_backend(args, out: Path, manifest):
    kind = args.backend
    if kind == "auto":
        kind = "onnxruntime" if onnxruntime_available() else "node" if node_runtime_available() else "torch"
    if kind == "torch":
        if not (args.encoder and args.decoder):
            raise CheckpointError("the torch backend checks the checkpoints: pass --encoder and --decoder")
        log("check: PyTorch modules built from the checkpoints (the ONNX files themselves are not run)")
        enc = build_codec(load_half(args.encoder, "encoder", args), args.heads)
        dec = build_codec(load_half(args.decoder, "decoder", args), args.heads)
        return TorchBackend(enc, dec)
    d = manifest["decoder"]
    cache = (d["layers"], d["heads"], d["head_dim"])
    cls = OrtBackend if kind == "onnxruntime" else NodeBackend
    log(f"check: exported graphs in {cls.name}")
    return cls(out / manifest["encoder"]["file"], out / d["file"], cache, args.threads)


SONAR_VOCAB_SIZE = 256206


def check(args, out: Path, manifest):
    golden = json.loads(Path(args.golden).read_text()) if args.golden else SONAR_GOLDEN
    if not args.golden and manifest["decoder"]["vocab_size"] != SONAR_VOCAB_SIZE:
        raise ValueError(f"SONAR's golden values need the real model (vocabulary {SONAR_VOCAB_SIZE}); "
                         f"this export's vocabulary has {manifest['decoder']['vocab_size']} entries (see --golden)")
    tokenizer = NllbTokenizer(out / manifest["tokenizer"]["file"])
    storage = {text: kind for kind, text in WEIGHTS.items()}.get(manifest["weights"], "fp32")
    backend = choose_backend(args, out, manifest)
    try:
        started = time.time()
        report = run_checks(backend, tokenizer, golden, weights=storage, log=log)
        report["seconds"] = round(time.time() - started, 1)
    finally:
        backend.close()
    return report


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    try:
        if args.check_only:
            manifest_path = out / "manifest.json"
            if not manifest_path.is_file():
                log(f"error: {manifest_path}: missing (export first)")
                return 2
            manifest = json.loads(manifest_path.read_text())
        else:
            out.mkdir(parents=True, exist_ok=True)
            manifest = export(args, out)
        if args.check or args.check_only:
            report = check(args, out, manifest)
            manifest.setdefault("quality", {})["golden_values" if args.golden else "sonar_golden_values"] = report
            write_manifest(out, manifest)
            log(f"check: {'all passed' if report['ok'] else 'FAILED'} ({report['backend']}, {report['seconds']} s)")
            if not report["ok"]:
                return 1
    except (CheckpointError, ValueError) as error:
        log(f"error: {error}")
        return 2
    print(json.dumps({f.name: f.stat().st_size for f in sorted(out.iterdir()) if f.is_file()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
