"""Codec v2, step 1: align the languages by multilingual knowledge distillation (issue 13;
reference/followups.md §2, after Reimers & Gurevych 2020).

A student encoder starts from the shipped (v1) encoder. Each step takes translation pairs (xx, eng) and
pulls both student(xx) and student(eng) onto the frozen teacher's embedding of the English side (MSE).
The English term keeps the space the shipped decoder and LCM were trained in; the xx term moves every
other language onto it. Only an encoder runs, so this fits on 2 CPU cores.

A contrastive term (--contrastive, on by default) sits next to the MSE: v1's space is anisotropic
(unrelated sentences at raw cosine ~0.94), and the first MSE-only run lowered MSE by a third while
retrieval got worse, because pulling everything toward the teacher's dense centre separates nothing.
So student(xx), with the teacher's mean English embedding removed, must pick its own English
translation's (centred) teacher embedding among the batch's (InfoNCE, both directions).

The teacher is the shipped encoder.onnx, dequantized into PyTorch (lcm.encode_tokens.encoder_from_onnx,
cosine 0.99999 to ONNX Runtime). Its embedding of each English sentence is computed the first time the
sentence is drawn and kept (teacher.f16 next to the checkpoint), so later epochs cost one pass less.

Data: codec.pack_data's npz built with the shipped tokenizer (training/README.md, "Codec v2"). Pairs
are drawn per language with probability ~ n^0.5 (so the 12 languages are all seen, not just the ones
with most pairs). Held-out: the NTREX dev documents packed with the data (dev_pairs); the NTREX test
documents are never read here.

Writes <out>/distill.log (JSON lines: step, sentences seen, minutes, train MSE; every --eval-every
minutes the dev MSE to the teacher per language and dev xsim error, raw and with the mean removed) and
<out>/student.pt every --save-every minutes (weights + optimiser + progress); --resume continues it.

Usage (from training/):
  python3 -m codec.distill --data data/codec/distill_data.npz --codec ../models/default/codec \
      --out runs/distill --minutes 150 [--resume]
"""
import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from codec.train import EOS, PackedData, TagIds, batch_tensors
from common import cpu_has_bf16, set_torch_threads
from lcm.encode_tokens import encoder_from_onnx


def encoder_ids(data, tags, i):
    return np.concatenate([[tags.ids[data.lang[i]]], data.pieces(i), [EOS]])


class TeacherCache:
    """fp16 teacher embeddings of English sentences, filled on first use, saved with the checkpoint."""

    def __init__(self, n, dim, path):
        self.path = path
        if path.exists():
            self.vecs = np.fromfile(path, dtype=np.float16).reshape(n, dim)
            self.done = ~np.isnan(self.vecs[:, 0])
        else:
            self.vecs = np.full((n, dim), np.nan, np.float16)
            self.done = np.zeros(n, bool)

    @torch.no_grad()
    def get(self, teacher, data, tags, ids):
        todo = [i for i in dict.fromkeys(ids) if not self.done[i]]
        if todo:
            tok, mask = batch_tensors([encoder_ids(data, tags, i) for i in todo], "cpu")
            self.vecs[todo] = teacher.encode(tok, mask).numpy().astype(np.float16)
            self.done[todo] = True
        return torch.from_numpy(self.vecs[ids].astype(np.float32))

    def save(self):
        tmp = self.path.with_suffix(".tmp")
        self.vecs.tofile(tmp)
        os.replace(tmp, self.path)


def language_sampler(data, pairs, power, rng):
    """Pair indices grouped by the xx language; languages drawn with probability ~ count^power."""
    langs = data.lang[pairs[:, 0]]
    groups = {int(l): np.nonzero(langs == l)[0] for l in np.unique(langs)}
    keys = sorted(groups)
    weights = np.array([len(groups[k]) ** power for k in keys], dtype=np.float64)
    weights /= weights.sum()

    def draw(batch):
        chosen = rng.choice(len(keys), size=batch, p=weights)
        return np.array([rng.choice(groups[keys[c]]) for c in chosen])

    return draw, {data.languages[k]: round(float(w), 4) for k, w in zip(keys, weights)}


def lr_at(minutes_done, step, args):
    warm = min(1.0, (step + 1) / args.warmup)
    cos = 0.5 * (1 + math.cos(math.pi * min(1.0, minutes_done / args.minutes)))
    return args.lr * warm * (0.1 + 0.9 * cos)


@torch.no_grad()
def dev_metrics(student, teacher, data, tags):
    """Per language on the held-out NTREX dev documents: MSE of student(xx) to teacher(eng), and the
    xsim error of xx -> eng nearest neighbour among that language's dev English sentences (student space),
    raw cosine and with the mean of each side removed."""
    student.eval()
    dev = data.dev_pairs
    xs, es = [int(i) for i in dev[:, 0]], [int(i) for i in dev[:, 1]]

    def enc(model, ids):
        out = []
        for s in range(0, len(ids), 128):
            tok, mask = batch_tensors([encoder_ids(data, tags, i) for i in ids[s: s + 128]], "cpu")
            out.append(model.encode(tok, mask))
        return torch.cat(out)

    sx, se, te = enc(student, xs), enc(student, es), enc(teacher, es)
    langs = np.array([int(data.lang[i]) for i in xs])
    report = {"dev_mse_eng": float(F.mse_loss(se, te))}
    per_lang, raw_err, centred_err, count = {}, 0, 0, 0
    for lang in np.unique(langs):
        sel = torch.from_numpy(np.nonzero(langs == lang)[0])
        a, b = sx[sel], se[sel]
        target = torch.arange(len(sel))
        raw = int((F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T).argmax(1).ne(target).sum())
        ac, bc = a - a.mean(0), b - b.mean(0)
        centred = int((F.normalize(ac, dim=-1) @ F.normalize(bc, dim=-1).T).argmax(1).ne(target).sum())
        name = data.languages[int(lang)]
        per_lang[name] = {"mse": round(float(F.mse_loss(a, te[sel])), 5),
                          "xsim_raw": round(raw / len(sel), 4), "xsim_centred": round(centred / len(sel), 4)}
        raw_err, centred_err, count = raw_err + raw, centred_err + centred, count + len(sel)
    report.update(dev_mse_xx=float(np.mean([v["mse"] for v in per_lang.values()])),
                  dev_xsim_raw=raw_err / count, dev_xsim_centred=centred_err / count, per_lang=per_lang)
    student.train()
    return report


@torch.no_grad()
def teacher_centre(teacher, data, tags, pairs, rng, n=2048):
    """The mean teacher embedding of n random English training sentences: the centre of v1's cone."""
    ids = [int(i) for i in rng.choice(pairs[:, 1], size=min(n, len(pairs)), replace=False)]
    total = torch.zeros(teacher.cfg.dim)
    for s in range(0, len(ids), 128):
        tok, mask = batch_tensors([encoder_ids(data, tags, i) for i in ids[s: s + 128]], "cpu")
        total += teacher.encode(tok, mask).sum(0)
    return total / len(ids)


def contrastive_loss(student_xx, target, centre, temperature):
    """InfoNCE between centred student(xx) and centred teacher(eng), in-batch negatives, both ways."""
    a = F.normalize(student_xx - centre, dim=-1)
    b = F.normalize(target - centre, dim=-1)
    logits = a @ b.T / temperature
    labels = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels))


def save(path, student, opt, state):
    tmp = path.with_suffix(".tmp")
    torch.save({"model": student.state_dict(), "opt": opt.state_dict(), "state": state,
                "config": student.cfg.to_dict()}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="codec.pack_data npz (shipped tokenizer)")
    ap.add_argument("--codec", required=True, help="the v1 codec folder (teacher and student init)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=150.0, help="time budget; the LR cosine spans it")
    ap.add_argument("--batch", type=int, default=48, help="pairs per step")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--power", type=float, default=0.5, help="language sampling ~ pairs^power")
    ap.add_argument("--eng-weight", type=float, default=1.0, help="weight of the student(eng) term")
    ap.add_argument("--contrastive", type=float, default=0.01,
                    help="weight of the InfoNCE term (0: MSE only); InfoNCE is ~100x the MSE's scale")
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--eval-every", type=float, default=10.0, help="minutes")
    ap.add_argument("--save-every", type=float, default=10.0, help="minutes")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--init", help="start from this student.pt's weights (a new run: fresh optimiser, "
                    "step 0 and LR schedule), e.g. to continue a finished run with other settings")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-bf16", dest="bf16", action="store_false",
                    help="train the student in fp32 (default: bf16 autocast where the CPU has native bf16, "
                         "~3.5x faster there; fp32 elsewhere, where emulated bf16 is ~30x slower)")
    ap.add_argument("--no-start-eval", dest="start_eval", action="store_false",
                    help="skip the dev metrics at step 0 (an --init run starts where its source run ended)")
    args = ap.parse_args()
    set_torch_threads()
    bf16 = args.bf16 and cpu_has_bf16()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = PackedData(args.data)
    tags = TagIds(Path(args.codec) / "tokenizer.model", data.languages)
    teacher, _ = encoder_from_onnx(args.codec)
    student, _ = encoder_from_onnx(args.codec)
    for p in teacher.parameters():
        p.requires_grad_(False)
    student.cfg.dropout = 0.1  # encoder_from_onnx builds an inference model; train with v1's dropout
    for m in student.modules():
        if hasattr(m, "dropout") and isinstance(m.dropout, float):
            m.dropout = 0.1
    params = [p for n, p in student.named_parameters() if n.startswith(("embed", "encoder"))]
    opt = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, 0.98), weight_decay=0.0)
    state = {"step": 0, "seen": 0, "minutes": 0.0}
    ckpt_path = out / "student.pt"
    if args.init and not (args.resume and ckpt_path.exists()):
        student.load_state_dict(torch.load(args.init, map_location="cpu")["model"])
    if args.resume and ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location="cpu")
        student.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
    if "centre" not in state:
        state["centre"] = teacher_centre(teacher, data, tags, data.pairs,
                                         np.random.default_rng(args.seed)).tolist()
    centre = torch.tensor(state["centre"])
    teacher_cache = TeacherCache(len(data.offsets) - 1, student.cfg.dim, out / "teacher.f16")
    rng = np.random.default_rng(args.seed + state["step"])
    draw, weights = language_sampler(data, data.pairs, args.power, rng)
    log = open(out / "distill.log", "a", encoding="utf-8")

    def emit(record):
        log.write(json.dumps(record) + "\n")
        log.flush()

    if state["step"] == 0:
        start_metrics = dev_metrics(student, teacher, data, tags) if args.start_eval else {}
        emit({"event": "start", "args": vars(args), "pairs": len(data.pairs), "language_weights": weights,
              **start_metrics, "step": 0, "seen": 0, "minutes": 0.0})
    else:
        emit({"event": "resume", "step": state["step"], "minutes": state["minutes"]})
    student.train()
    t_start, base_minutes = time.time(), state["minutes"]
    last_eval = last_save = time.time()
    window = []
    while state["minutes"] < args.minutes:
        batch = data.pairs[draw(args.batch)]
        xx, en = [int(i) for i in batch[:, 0]], [int(i) for i in batch[:, 1]]
        target = teacher_cache.get(teacher, data, tags, en)
        tok, mask = batch_tensors([encoder_ids(data, tags, i) for i in xx + en], "cpu")
        # bf16 autocast where the CPU has native bf16: the encoder's matmuls ran ~3.5x faster there (DESIGN
        # facts, measured for this 46M codec); emulated, ~30x slower, so fp32. The losses are in fp32.
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16, enabled=bf16):
            emb = student.encode(tok, mask)
        emb = emb.float()
        n = len(xx)
        loss_xx = F.mse_loss(emb[:n], target)
        loss_en = F.mse_loss(emb[n:], target)
        loss = loss_xx + args.eng_weight * loss_en
        loss_c = contrastive_loss(emb[:n], target, centre, args.temperature) if args.contrastive else emb.new_zeros(())
        loss = loss + args.contrastive * loss_c
        for g in opt.param_groups:
            g["lr"] = lr_at(state["minutes"], state["step"], args)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        state["step"] += 1
        state["seen"] += 2 * n
        state["minutes"] = base_minutes + (time.time() - t_start) / 60
        window.append((float(loss_xx), float(loss_en), float(loss_c)))
        if state["step"] % 50 == 0:
            emit({"step": state["step"], "seen": state["seen"], "minutes": round(state["minutes"], 2),
                  "lr": opt.param_groups[0]["lr"], "mse_xx": float(np.mean([w[0] for w in window])),
                  "mse_eng": float(np.mean([w[1] for w in window])),
                  "infonce": float(np.mean([w[2] for w in window]))})
            window = []
        if time.time() - last_eval > args.eval_every * 60:
            emit({"event": "dev", "step": state["step"], "seen": state["seen"],
                  "minutes": round(state["minutes"], 2), **dev_metrics(student, teacher, data, tags)})
            last_eval = time.time()
        if time.time() - last_save > args.save_every * 60:
            save(ckpt_path, student, opt, state)
            teacher_cache.save()
            last_save = time.time()
    save(ckpt_path, student, opt, state)
    teacher_cache.save()
    emit({"event": "end", "step": state["step"], "seen": state["seen"], "minutes": round(state["minutes"], 2),
          **dev_metrics(student, teacher, data, tags)})


if __name__ == "__main__":
    main()
