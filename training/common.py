"""Shared helpers for the training pipeline: paths, gz readers, text normalisation for dedup, chunked
files for size-limited transfers."""
import gzip
import json
import os
import re
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("LCM_DATA", REPO.parent / "shared" / "data"))
WORK = Path(os.environ.get("LCM_WORK", REPO / "training" / "data"))


def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def read_jsonl(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def dedup_key(text):
    """Case-, punctuation- and space-insensitive key, so near-identical copies of held-out
    sentences are caught across corpora."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def set_torch_threads():
    import torch

    if not torch.cuda.is_available():
        torch.set_num_threads(int(os.environ.get("LCM_THREADS", "2")))


def cpu_has_bf16():
    """Whether this CPU multiplies bfloat16 natively (AVX512_BF16 or AMX). Only there is bf16 autocast
    worth it (~3.5x faster than fp32 on the machine the training scripts were first tuned on); where it
    is emulated it is ~30x slower (an AVX2 EPYC: 15 s vs 0.5 s for one 64x512x1792 matmul)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:
        return False
    return re.search(r"\b(avx512_bf16|amx_bf16)\b", flags) is not None


def start_run(seed, out):
    """A training run's usual start: torch threads (LCM_THREADS), torch and Python seeded, the output
    folder made. Returns (random.Random(seed), Path(out))."""
    import random

    import torch

    set_torch_threads()
    torch.manual_seed(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return random.Random(seed), out


def write_chunks(blob, prefix, chunk_mb=15):
    """bytes -> PREFIX.part00, .part01, ... of at most chunk_mb MiB each (the GPU machine returns files
    of at most 16 MiB); returns the paths."""
    size = chunk_mb * 1024 * 1024
    paths = []
    for k in range(0, len(blob), size):
        path = Path(f"{prefix}.part{k // size:02d}")
        path.write_bytes(blob[k: k + size])
        paths.append(path)
    return paths


def read_chunks(prefix):
    """The bytes write_chunks cut into PREFIX.partNN, joined again."""
    parts = sorted(Path(prefix).parent.glob(Path(prefix).name + ".part*"))
    if not parts:
        raise FileNotFoundError(f"no chunks {prefix}.part*")
    return b"".join(part.read_bytes() for part in parts)


def file_checksums(folder, names):
    """{name: {"sha256", "bytes"}} of files in a model folder, for the manifest's "checksums" (the
    runtime compares sizes at load, `lcm models verify` every byte: src/models/model-files.ts)."""
    import hashlib
    from pathlib import Path

    out = {}
    for name in sorted(set(names)):
        path = Path(folder) / name
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        out[name] = {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}
    return out


def add_model_file(folder, name, table, update, indent=1):
    """Write `table` (a numpy array, stored as it is) as folder/name and change folder/manifest.json with
    update(manifest), its checksum added when the manifest keeps checksums (kept last, as the exporters
    write it). Both are replaced atomically: model files may be hard links, never written through."""
    import os

    folder = Path(folder)
    tmp = folder / (name + ".tmp")
    table.tofile(tmp)
    os.replace(tmp, folder / name)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    checksums = manifest.pop("checksums", None)
    update(manifest)
    if checksums is not None:
        manifest["checksums"] = {**checksums, **file_checksums(folder, [name])}
    tmp = manifest_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=indent, ensure_ascii=False) + "\n")
    os.replace(tmp, manifest_path)
