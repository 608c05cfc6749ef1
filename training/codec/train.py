"""Stage 4: train the concept codec (SONAR recipe at small scale), on CPU or GPU.

Each step mixes translation pairs and monolingual sentences:
  - both sides of a pair are encoded; each concept is decoded into its own sentence (auto-encoding)
    and into the other side (translation through the bottleneck, xx->eng and eng->xx);
  - an MSE term pulls the two sides' concepts together, so the space is language-agnostic;
  - monolingual sentences are auto-encoded, half of them from a noised input (token drop + masking:
    denoising auto-encoding).
The learning rate follows warmup + cosine decay over the run's time budget (--minutes), so a run of any
length ends annealed. Checkpoints (weights + optimiser + progress) are written every --save-every
minutes and at the end; --resume continues one. Progress goes to <out>/train.log as JSON lines.
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

from codec.model import CodecConfig, ConceptCodec, count_parameters

PAD, UNK, BOS, EOS = 0, 1, 2, 3


class PackedData:
    def __init__(self, path):
        z = np.load(path)
        self.tokens = z["tokens"].astype(np.int64)
        self.offsets = z["offsets"]
        self.lang = z["lang"].astype(np.int64)
        self.pairs = z["pairs"]
        self.mono = z["mono"]
        self.dev_pairs = z["dev_pairs"]
        self.languages = [str(x) for x in z["languages"]]
        self.vocab_size = int(z["vocab_size"])
        self.lengths = np.diff(self.offsets)

    def pieces(self, i):
        return self.tokens[self.offsets[i]: self.offsets[i + 1]]


class TagIds:
    """Language-tag token ids: the tokenizer stores them as user-defined pieces `__xxx_Xxxx__`."""

    def __init__(self, tokenizer_path, languages):
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_file=str(tokenizer_path))
        self.sp = sp
        self.ids = np.array([sp.piece_to_id(f"__{l}__") for l in languages], dtype=np.int64)
        assert (self.ids > 3).all(), "language tags missing from the tokenizer"


def batch_tensors(seqs, device):
    """Right-padded [B, T] ids and mask."""
    t = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), t), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
    ids = torch.from_numpy(ids).to(device, non_blocking=True)
    return ids, (ids != PAD).long()


def encoder_input(data, tags, i, noise=0.0, rng=None):
    p = data.pieces(i)
    if noise and len(p) > 2:
        keep = rng.random(len(p)) >= noise
        p = np.where(rng.random(len(p)) < noise * 0.5, UNK, p)[keep] if keep.any() else p
    return np.concatenate([[tags.ids[data.lang[i]]], p, [EOS]])


def decoder_io(data, tags, i):
    """Decoder input [</s>, tag, pieces...] and labels [tag(ignored), pieces..., </s>]."""
    p = data.pieces(i)
    tag = tags.ids[data.lang[i]]
    return np.concatenate([[EOS, tag], p]), np.concatenate([[PAD], p, [EOS]])


def bucketed(indices, lengths, batch, rng):
    """Shuffle, then sort pools of 50 batches by length so padding stays small."""
    indices = indices.copy()
    rng.shuffle(indices)
    pool = batch * 50
    batches = []
    for s in range(0, len(indices), pool):
        chunk = indices[s: s + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[k: k + batch] for k in range(0, len(chunk), batch))
    rng.shuffle(batches)
    return batches


def infinite(make):
    while True:
        yield from make()


def lr_at(progress, step, args):
    warm = min(1.0, (step + 1) / args.warmup)
    cos = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return args.lr * warm * (args.min_lr_ratio + (1 - args.min_lr_ratio) * cos)


def compute_loss(model, data, tags, pair_batch, mono_batch, args, device, rng):
    pa = [data.pairs[k][0] for k in pair_batch]
    pb = [data.pairs[k][1] for k in pair_batch]
    enc_seqs = [encoder_input(data, tags, i) for i in pa + pb]
    noisy = [rng.random() < 0.5 for _ in mono_batch]
    enc_seqs += [encoder_input(data, tags, i, noise=args.noise if n else 0.0, rng=rng)
                 for i, n in zip(mono_batch, noisy)]
    ids, mask = batch_tensors(enc_seqs, device)
    concepts = model.encode(ids, mask)
    n = len(pa)
    ca, cb, cm = concepts[:n], concepts[n: 2 * n], concepts[2 * n:]
    # decode: a<-a, b<-b (auto-encoding), b<-a, a<-b (translation), mono<-mono
    memory = torch.cat([ca, cb, ca, cb, cm])
    targets = pa + pb + pb + pa + list(mono_batch)
    io = [decoder_io(data, tags, i) for i in targets]
    dec_in, _ = batch_tensors([x for x, _ in io], device)
    labels, _ = batch_tensors([y for _, y in io], device)
    logits = model.decode_logits(dec_in, memory)
    ce = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1),
                         ignore_index=PAD, reduction="none", label_smoothing=args.label_smoothing).view(labels.shape)
    per_seq = ce.sum(1) / (labels != PAD).sum(1).clamp(min=1)
    ae = torch.cat([per_seq[: 2 * n], per_seq[4 * n:]]).mean()
    mt = per_seq[2 * n: 4 * n].mean() if n else per_seq.new_zeros(())
    mse = F.mse_loss(ca.float(), cb.float()) if n else per_seq.new_zeros(())
    # token-weighted CE is what we report as the headline loss
    tok = ce.sum() / (labels != PAD).sum()
    loss = args.w_ae * ae + args.w_mt * mt + args.w_mse * mse
    return loss, {"ae": ae.item(), "mt": mt.item(), "mse": mse.item(), "tok_ce": tok.item(),
                  "tokens": int((labels != PAD).sum()) + int(mask.sum())}


@torch.no_grad()
def dev_metrics(model, data, tags, device, max_pairs=2000):
    """Dev loss (AE and MT) and xsim error (eng <-> xx nearest neighbour) on held-out dev documents."""
    model.eval()
    dev = data.dev_pairs[:max_pairs]
    totals = {"ae": 0.0, "mt": 0.0}
    embs_a, embs_b = [], []
    for s in range(0, len(dev), 128):
        chunk = dev[s: s + 128]
        pa, pb = [int(x) for x in chunk[:, 0]], [int(x) for x in chunk[:, 1]]
        ids, mask = batch_tensors([encoder_input(data, tags, i) for i in pa + pb], device)
        c = model.encode(ids, mask).float()
        n = len(pa)
        embs_a.append(c[:n])
        embs_b.append(c[n:])
        io = [decoder_io(data, tags, i) for i in pa + pb]
        dec_in, _ = batch_tensors([x for x, _ in io], device)
        labels, _ = batch_tensors([y for _, y in io], device)
        # ae: each concept decodes its own sentence; mt: a's concept decodes b and vice versa
        for name, mem in (("ae", c), ("mt", c)):
            lab = labels if name == "ae" else torch.cat([labels[n:], labels[:n]])
            dec = dec_in if name == "ae" else torch.cat([dec_in[n:], dec_in[:n]])
            logits = model.decode_logits(dec, mem)
            summed = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), lab.reshape(-1),
                                     ignore_index=PAD, reduction="sum").item()
            totals[name] += summed / max(1, int((lab != PAD).sum())) * len(io)
    a = F.normalize(torch.cat(embs_a), dim=-1)
    b = F.normalize(torch.cat(embs_b), dim=-1)
    # xsim within each language: the candidates are that language's dev sentences only
    langs = np.array([int(data.lang[int(i)]) for i in dev[:, 0]])
    errors, count = 0, 0
    for lang in np.unique(langs):
        sel = torch.from_numpy(np.nonzero(langs == lang)[0]).to(device)
        sim = a[sel] @ b[sel].T
        errors += int((sim.argmax(1) != torch.arange(len(sel), device=device)).sum())
        count += len(sel)
    result = {"dev_ae": totals["ae"] / (2 * len(dev)), "dev_mt": totals["mt"] / (2 * len(dev)),
              "dev_xsim_err": errors / max(1, count)}
    result.update(dev_chrf(model, data, tags, device))
    model.train()
    return result


@torch.no_grad()
def dev_chrf(model, data, tags, device, langs=("eng_Latn", "fra_Latn", "deu_Latn", "rus_Cyrl", "zho_Hans"), n=100):
    """Greedy auto-encoding chrF and xx->eng chrF on a few dev languages: the learning curve."""
    from codec.chrf import corpus_chrf
    from codec.evaluate import Codec

    codec = Codec(model, tags.sp, device)
    out = {}
    lang_of = {l: i for i, l in enumerate(data.languages)}
    for lang in langs:
        if lang not in lang_of:
            continue
        rows = [r for r in data.dev_pairs if data.lang[r[0]] == lang_of[lang]][:n] if lang != "eng_Latn" else \
            [(r[1], r[1]) for r in data.dev_pairs if data.lang[r[0]] == lang_of["fra_Latn"]][:n]
        if not rows:
            continue
        src = [tags.sp.decode([int(t) for t in data.pieces(int(a))]) for a, _ in rows]
        eng = [tags.sp.decode([int(t) for t in data.pieces(int(b))]) for _, b in rows]
        emb = codec.encode(src, lang)
        out[f"chrf_ae_{lang}"] = round(corpus_chrf(codec.decode(emb, lang), src), 2)
        if lang != "eng_Latn":
            out[f"chrf_x2e_{lang}"] = round(corpus_chrf(codec.decode(emb, "eng_Latn"), eng), 2)
    return out


def save(path, model, opt, state, cfg):
    tmp = str(path) + ".tmp"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": cfg.to_dict()}, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="codec_data.npz from pack_data.py")
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True, help="run directory: checkpoint.pt, train.log")
    ap.add_argument("--minutes", type=float, default=60, help="time budget; the LR schedule spans it")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda")
    ap.add_argument("--batch-pairs", type=int, default=48)
    ap.add_argument("--batch-mono", type=int, default=48)
    ap.add_argument("--lr", type=float, default=7e-4)
    ap.add_argument("--min-lr-ratio", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--w-ae", type=float, default=1.0)
    ap.add_argument("--w-mt", type=float, default=1.0)
    ap.add_argument("--w-mse", type=float, default=1.0)
    ap.add_argument("--noise", type=float, default=0.1)
    ap.add_argument("--label-smoothing", type=float, default=0.05)
    ap.add_argument("--eval-every", type=float, default=5.0, help="minutes between dev evaluations")
    ap.add_argument("--save-every", type=float, default=10.0, help="minutes between checkpoints")
    ap.add_argument("--resume", action="store_true", help="continue <out>/checkpoint.pt")
    ap.add_argument("--init", help="start from these weights (checkpoint.pt or weights npz) with a fresh optimiser")
    ap.add_argument("--seed", type=int, default=1)
    for f in ("dim", "heads", "ffn", "encoder_layers", "decoder_layers"):
        ap.add_argument("--" + f.replace("_", "-"), type=int)
    args = ap.parse_args()

    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("LCM_THREADS", "2")))
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train.log", "a")

    def emit(record):
        log.write(json.dumps(record) + "\n")
        log.flush()
        print(json.dumps(record), flush=True)

    data = PackedData(args.data)
    tags = TagIds(args.tokenizer, data.languages)
    ckpt_path = out / "checkpoint.pt"
    ckpt = torch.load(ckpt_path, map_location="cpu") if args.resume and ckpt_path.exists() else None
    cfg = CodecConfig(**ckpt["config"]) if ckpt else CodecConfig(vocab_size=data.vocab_size)
    for f in ("dim", "heads", "ffn", "encoder_layers", "decoder_layers"):
        if not ckpt and getattr(args, f) is not None:
            setattr(cfg, f, getattr(args, f))
    torch.manual_seed(args.seed)
    model = ConceptCodec(cfg).to(device)
    model.use_sdpa(device.type == "cuda")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.01,
                            **({"fused": True} if device.type == "cuda" else {}))
    state = {"step": 0, "elapsed": 0.0, "tokens": 0, "pair_examples": 0, "mono_examples": 0, "device_seconds": {}}
    if ckpt:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        state = ckpt["state"]
        if state.get("budget_minutes") != args.minutes:
            # a new budget starts a fresh schedule from the weights we have (continued training)
            state["schedule_start"] = state["elapsed"]
    elif args.init:
        from codec.weights import load_weights

        model.load_state_dict(load_weights(args.init), strict=True)
    state["budget_minutes"] = args.minutes
    state.setdefault("schedule_start", 0.0)
    emit({"event": "start", "device": str(device), "params": count_parameters(model), "config": cfg.to_dict(),
          "args": vars(args), "resumed_step": state["step"],
          "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None})

    rng = np.random.default_rng(args.seed + state["step"])
    pair_len = data.lengths[data.pairs[:, 0]] + data.lengths[data.pairs[:, 1]]
    pair_iter = infinite(lambda: bucketed(np.arange(len(data.pairs)), pair_len, args.batch_pairs, rng))
    mono_iter = infinite(lambda: bucketed(data.mono, data.lengths, args.batch_mono, rng))
    autocast = torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    budget = args.minutes * 60
    t_start = time.time()
    base_elapsed = state["elapsed"]
    last_eval = last_save = time.time()
    window = {"loss": 0.0, "ae": 0.0, "mt": 0.0, "mse": 0.0, "n": 0, "tokens": 0, "t": time.time()}
    model.train()
    while True:
        elapsed = base_elapsed + time.time() - t_start
        progress = (elapsed - state["schedule_start"]) / budget
        if progress >= 1.0:
            break
        lr = lr_at(progress, state["step"], args)
        for g in opt.param_groups:
            g["lr"] = lr
        pb = next(pair_iter)
        mb = next(mono_iter)
        with autocast:
            loss, parts = compute_loss(model, data, tags, pb, mb, args, device, rng)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state["step"] += 1
        state["tokens"] += parts["tokens"]
        state["pair_examples"] += len(pb)
        state["mono_examples"] += len(mb)
        window["loss"] += loss.item()
        for k in ("ae", "mt", "mse"):
            window[k] += parts[k]
        window["n"] += 1
        window["tokens"] += parts["tokens"]
        if state["step"] % 100 == 0:
            dt = time.time() - window["t"]
            emit({"step": state["step"], "lr": round(lr, 7), "loss": window["loss"] / window["n"],
                  "ae": window["ae"] / window["n"], "mt": window["mt"] / window["n"],
                  "mse": window["mse"] / window["n"], "tok_per_s": round(window["tokens"] / dt),
                  "tokens": state["tokens"], "elapsed_min": round(elapsed / 60, 2)})
            window = {"loss": 0.0, "ae": 0.0, "mt": 0.0, "mse": 0.0, "n": 0, "tokens": 0, "t": time.time()}
        if time.time() - last_eval > args.eval_every * 60:
            with autocast:
                emit({"step": state["step"], "tokens": state["tokens"], **dev_metrics(model, data, tags, device)})
            last_eval = time.time()
        if time.time() - last_save > args.save_every * 60:
            state["elapsed"] = base_elapsed + time.time() - t_start
            save(ckpt_path, model, opt, state, cfg)
            last_save = time.time()
    state["elapsed"] = base_elapsed + time.time() - t_start
    key = "gpu" if device.type == "cuda" else "cpu"
    state["device_seconds"][key] = state["device_seconds"].get(key, 0) + time.time() - t_start
    with autocast:
        final = dev_metrics(model, data, tags, device)
    emit({"event": "end", "step": state["step"], "tokens": state["tokens"], **final,
          "device_seconds": state["device_seconds"]})
    save(ckpt_path, model, opt, state, cfg)


if __name__ == "__main__":
    main()
