"""Codec v2, the decoder half (issue 13): fine-tune the shipped decoder, the encoder unchanged, so that
  - concepts of other languages render in English (v1(xx) -> the English translation, xx->eng),
  - English concepts render in the language asked for (v1(eng) -> the xx sentence, eng->xx),
  - concepts the LCM generates, which lie off the encoder's points, still render faithfully: English
    concepts of the LCM's own corpora with Gaussian noise added (per dimension, in units of the LCM
    normalizer's scale, the size drawn per sentence) -> the sentence itself,
  - and every language's clean auto-encoding stays where it was (v1(xx) -> xx, v1(eng) -> eng).
The encoder, and so the concept space every LCM lives in, does not move: only decoder.onnx changes.

Data: the translation pairs of codec.align_data (data/codec/align, v1 concepts of both sides and their
texts; the NTREX held-out lines were never among them) and the LCM corpora's English sentences with
their token rows (data/lcm2 concepts + data/lcm2-tokens, train-split records only). Each step takes
--batch sentences of every kind. Progress: <out>/tune.log (JSON lines: minutes, step, each kind's CE),
a checkpoint every --save-every minutes (--resume continues), and at the end <out>/codec: the shipped
codec folder with the new decoder.onnx (int8, as shipped) and its checksum.

Usage (from training/):
  python3 -m codec.decoder_tune --out runs/dec-tune --minutes 40
  node ../dist/src/cli.js eval codec --data data/codec/heldout/dev --models runs/dec-tune/codec --greedy
"""
import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from codec.align_ce import pairs_with_text
from codec.export_onnx import (dedupe_transposed, export_decoder_graph, fetch_rows_before_dequantizing,
                               prepare_for_int8_kernels, quantize_weights_int8)
from codec.pack_data import MAX_PIECES
from codec.train import EOS
from common import cpu_has_bf16, file_checksums, start_run
from lcm.data import load_corpus, rows as record_rows, split_of
from lcm.encode_tokens import decoder_from_onnx, read_rows
from lcm.losses import decoder_ce_loss

KINDS = ("xx2eng", "eng2xx", "noised_eng", "ae")


def lcm_sentences(concepts_dir, tokens_dir, corpora, dim):
    """(concepts [N, D], token rows) of every sentence of the corpora's train-split records."""
    vecs_out, rows_out = [], []
    for name in corpora:
        vecs, records = load_corpus(concepts_dir, name, dim)
        token_rows = read_rows(tokens_dir, name)
        if len(token_rows) != len(vecs):
            raise SystemExit(f"{name}: {len(vecs)} concepts but {len(token_rows)} token rows")
        for rec in records:
            if split_of(rec["id"]) != "train":
                continue
            for part in [rec["parts"]["document"], *rec["parts"].get("summaries", [])]:
                start, count = part
                vecs_out.append(record_rows(vecs, part))
                rows_out.extend(token_rows[start: start + count])
    return np.concatenate(vecs_out), [list(map(int, r)) for r in rows_out]


def export_codec(model, shipped, out, note):
    """The shipped codec folder with this decoder: decoder.onnx exported, int8 as shipped, checksummed."""
    out.mkdir(parents=True, exist_ok=True)
    for f in Path(shipped).iterdir():
        if f.name != "decoder.onnx":
            shutil.copyfile(f, out / f.name)  # copies, never links: the shipped files stay as they are
    path = out / "decoder.onnx"
    export_decoder_graph(model, path)
    dedupe_transposed(path)
    prepare_for_int8_kernels(path)
    quantize_weights_int8(path)
    fetch_rows_before_dequantizing(path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.setdefault("training", {})["decoder_tune"] = note
    manifest["checksums"] = {**manifest.get("checksums", {}), **file_checksums(out, ["decoder.onnx"])}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codec", default="../models/default/codec")
    ap.add_argument("--align", default="data/codec/align")
    ap.add_argument("--lcm-data", default="data/lcm2")
    ap.add_argument("--lcm-tokens", default="data/lcm2-tokens")
    ap.add_argument("--corpora", default="abc,bbc,dialogsum")
    ap.add_argument("--normalizer", default="../models/default/lcm/manifest.json",
                    help="an LCM manifest: its normalizer's scale sets the noise's per-dimension size")
    ap.add_argument("--langs", default="",
                    help="comma-separated; default every language the codec declares but English, each drawn "
                         "in turn (v2 was tuned on all twelve)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--batch", type=int, default=4, help="sentences of each kind per step")
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--noise", type=float, default=0.5,
                    help="largest noise, in normalizer scales; each sentence draws uniformly up to it")
    ap.add_argument("--save-every", type=float, default=10, help="minutes between checkpoints")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng, out = start_run(args.seed, args.out)
    bf16 = cpu_has_bf16()  # emulated bf16 is ~30x slower than fp32
    model, manifest = decoder_from_onnx(args.codec)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(Path(args.codec) / manifest["tokenizer"]["file"]))
    langs = [l for l in args.langs.split(",") if l] or [l for l in manifest["languages"] if l != "eng_Latn"]
    tag = {l: sp.piece_to_id(f"__{l}__") for l in [*langs, "eng_Latn"]}

    def row(text, lang):
        return [tag[lang], *sp.encode(text)[:MAX_PIECES], EOS]

    pairs = pairs_with_text(Path(args.align), langs)
    dim = model.cfg.dim
    eng_vecs, eng_rows = lcm_sentences(args.lcm_data, args.lcm_tokens, args.corpora.split(","), dim)
    scale = torch.tensor(json.loads(Path(args.normalizer).read_text())["normalizer"]["scale"])
    model.train()
    params = [p for n, p in model.named_parameters() if n.startswith(("decoder", "embed"))]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    step, spent = 0, 0.0
    if args.resume and (out / "checkpoint.pt").exists():
        ck = torch.load(out / "checkpoint.pt")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, spent = ck["step"], ck["minutes"]
    log = open(out / "tune.log", "a")
    start, last_save, window = time.time() - spent * 60, time.time(), []

    def save():
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step,
                    "minutes": (time.time() - start) / 60}, out / "checkpoint.pt.tmp")
        (out / "checkpoint.pt.tmp").replace(out / "checkpoint.pt")

    while (time.time() - start) / 60 < args.minutes:
        lang = langs[step % len(langs)]
        x_all, e_all, x_txt, e_txt = pairs[lang]
        idx = rng.sample(range(len(x_all)), args.batch)
        x, e = torch.from_numpy(x_all[idx]), torch.from_numpy(e_all[idx])
        jdx = rng.sample(range(len(eng_vecs)), args.batch)
        clean = torch.from_numpy(eng_vecs[jdx])
        sizes = torch.rand(args.batch, 1) * args.noise
        noised = clean + sizes * scale * torch.randn_like(clean)
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=bf16):
            losses = {
                "xx2eng": decoder_ce_loss(model, x, [row(e_txt[i], "eng_Latn") for i in idx]),
                "eng2xx": decoder_ce_loss(model, e, [row(x_txt[i], lang) for i in idx]),
                "noised_eng": decoder_ce_loss(model, noised, [eng_rows[j] for j in jdx]),
                "ae": decoder_ce_loss(model, torch.cat([x, e]),
                                      [row(x_txt[i], lang) for i in idx] + [row(e_txt[i], "eng_Latn") for i in idx]),
            }
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        window.append([float(losses[k]) for k in KINDS])
        if step % 20 == 0:
            m = np.mean(window, axis=0)
            log.write(json.dumps({"step": step, "minutes": round((time.time() - start) / 60, 2),
                                  **{k: round(float(v), 4) for k, v in zip(KINDS, m)}}) + "\n")
            log.flush()
            window = []
        if time.time() - last_save > args.save_every * 60:
            save()
            last_save = time.time()
    save()
    note = {"steps": step, "minutes": round((time.time() - start) / 60, 1), "batch_per_kind": args.batch,
            "lr": args.lr, "noise": args.noise, "langs": langs, "corpora": args.corpora}
    model.eval()
    export_codec(model, args.codec, out / "codec", note)
    print(json.dumps(note))


if __name__ == "__main__":
    main()
