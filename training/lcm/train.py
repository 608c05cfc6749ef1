"""Train the Two-Tower or One-Tower diffusion LCM, the Quant-LCM (--model quant --codebooks, lcm.rvq) or the
Base-LCM baseline on concept sequences (CPU or GPU; several GPUs with torchrun, every family the same way).

Sequences mix pre-training (next concept over documents) and the two supervised tasks (summarize,
extend). Diffusion: T=100 cosine schedule rescaled to zero terminal SNR, one timestep per position,
x0 prediction with plain MSE; classifier-free guidance training hides the whole context (only the
zero vector, or for the One-Tower the noisy copy itself, stays visible) for 15% of positions.
Base-LCM: MSE regression to the next concept. Quant-LCM: cross-entropy over the units of one random
codebook per position, in the codebooks' normalized space (their fit's normalizer). The losses (lcm.losses) are computed in the normalized
space. Writes <out>/checkpoint.pt and <out>/train.log (JSON lines), resumable with --resume; held-out
metrics (next-concept L2, contrastive accuracy; the diffusion models sampled by lcm.sampling at the
runtime's defaults) at the end and every --eval-every minutes.

--decoder-ce W (Base-LCM) adds SONAR-LLM's objective: for --ce-positions target positions per step,
the frozen codec decoder's token cross-entropy of the true sentence given the predicted concept
(lcm.losses.decoder_ce_loss), weighted W against the MSE. It needs the corpora's token rows
(`TOKENS=1 lcm/encode_all.sh DIR`, the same rows as the concepts) in --ce-tokens.
"""
import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

from lcm.data import build_sequences, fit_robust_normalizer, heldout_pretrain_sequences
from lcm.encode_tokens import decoder_from_onnx, read_rows
from lcm.losses import base_loss, decoder_ce_loss, diffusion_loss, quant_loss
from lcm.model import MODEL_KINDS, LcmConfig, count_parameters, zero_snr_alphas_cumprod
from lcm.sampling import quant_all_positions, sample_all_positions


# LcmConfig fields settable from the command line (a new run only; --resume and --init keep theirs)
ARCHITECTURE_FLAGS = ("model_dim", "heads", "context_layers", "denoiser_layers", "base_layers", "one_tower_layers")


def load_specials(path, dim):
    v = np.fromfile(path, dtype=np.float32).reshape(-1, dim)
    return {"eot": v[0], "model": v[1]}


def make_batch(seqs, center, scale, device):
    n = max(len(s.concepts) for s in seqs)
    d = seqs[0].concepts.shape[1]
    x = np.zeros((len(seqs), n, d), dtype=np.float32)
    loss = np.zeros((len(seqs), n), dtype=bool)
    for i, s in enumerate(seqs):
        x[i, : len(s.concepts)] = (s.concepts - center) / scale
        loss[i, max(1, s.loss_from): len(s.concepts)] = True  # position 0 has no prefix to predict from
    return torch.from_numpy(x).to(device), torch.from_numpy(loss).to(device)


@torch.no_grad()
def heldout_metrics(model, kind, seqs, center, scale, alphas, device, max_seqs=48):
    """Next-concept L2 (raw codec space) and contrastive accuracy over held-out sequences."""
    if not seqs:
        return {"heldout_positions": 0}
    model.eval()
    preds, truths = [], []
    for k in range(0, min(len(seqs), max_seqs), 16):
        chunk = seqs[k: k + 16]
        x, loss = make_batch(chunk, center, scale, device)
        if kind == "base":
            p = torch.cat([x[:, :1], model(x)[:, :-1]], 1)
        elif kind == "quant":
            p = quant_all_positions(model, x)
        else:
            p = sample_all_positions(model, x, alphas)
        sel = loss.clone()
        preds.append(p[sel].cpu().numpy() * scale + center)
        truths.append(x[sel].cpu().numpy() * scale + center)
    model.train()
    p, t = np.concatenate(preds), np.concatenate(truths)
    return {**next_concept_metrics(p, t), "heldout_positions": int(len(p))}


def decoder_ce_term(pred, batch, loss_mask, ce, positions, rng):
    """The decoder CE of up to `positions` target positions drawn from the batch (real sentences only:
    the special concepts have no text). pred [B, N-1, D] normalized; prediction j is for concept j+1."""
    candidates = [(b, j) for b, s in enumerate(batch) for j in range(len(s.concepts) - 1)
                  if loss_mask[b, j + 1] and s.rows[j + 1] >= 0]
    pick = rng.choice(len(candidates), size=min(positions, len(candidates)), replace=False)
    chosen = [candidates[k] for k in pick]
    b_idx = torch.tensor([b for b, _ in chosen])
    j_idx = torch.tensor([j for _, j in chosen])
    concepts = pred[b_idx, j_idx] * ce["scale"] + ce["center"]  # the codec's raw space
    token_rows = [ce["rows"][batch[b].corpus][batch[b].rows[j + 1]] for b, j in chosen]
    return decoder_ce_loss(ce["decoder"], concepts, token_rows)


def next_concept_metrics(p, t):
    """The paper's pre-training metrics for predictions p against truths t ([P, D] each, raw space):
    mean L2, and contrastive accuracy (share of the other true concepts farther from a prediction
    than its own)."""
    l2 = float(np.linalg.norm(p - t, axis=1).mean())
    # |p - t|^2 expanded: the [P, P, D] difference tensor would not fit in memory for long documents
    d = np.sqrt(np.maximum((p * p).sum(1)[:, None] + (t * t).sum(1)[None, :] - 2 * p @ t.T, 0))
    own = np.diag(d)[:, None]
    ca = float(((d > own).sum(1) / (len(t) - 1)).mean())
    return {"heldout_l2": round(l2, 4), "heldout_ca": round(ca, 4)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder of encode_docs.mjs outputs + specials.f32")
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", choices=list(MODEL_KINDS), default="two_tower")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--sft-weight", type=float, default=3.0, help="sampling weight of supervised sequences")
    ap.add_argument("--eval-every", type=float, default=1e9)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--keep-best", action="store_true",
                    help="also keep the checkpoint with the lowest held-out next-concept L2 (checkpoint_best.pt)")
    ap.add_argument("--init", help="start from this checkpoint's weights, config and normalizer, "
                                   "with a fresh optimiser and schedule")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--codebooks", help="--model quant, a new run: the residual codebooks (lcm.rvq fit's .npz), "
                                        "whose normalizer the run takes")
    ap.add_argument("--normalizer-from", help="a new run: take the normalizer of this LCM manifest.json (e.g. the "
                                               "bundled Two-Tower's, so a Base-LCM trained here can sit beside it)")
    ap.add_argument("--decoder-ce", type=float, default=0.0,
                    help="Base-LCM: weight of the decoder's token cross-entropy next to the MSE (0 = off)")
    ap.add_argument("--ce-positions", type=int, default=16, help="target positions scored by the decoder per step")
    ap.add_argument("--ce-codec", default=str(Path(__file__).resolve().parents[2] / "models/default/codec"),
                    help="the codec whose (frozen) decoder scores the predictions")
    ap.add_argument("--ce-tokens", help="folder of NAME.ids/.lens token rows (default: --data)")
    for f in ARCHITECTURE_FLAGS:
        ap.add_argument("--" + f.replace("_", "-"), type=int)
    args = ap.parse_args()
    if args.decoder_ce and args.model != "base":
        ap.error("--decoder-ce trains the Base-LCM (--model base), whose predictions are deterministic")
    if args.model == "quant" and not (args.codebooks or args.resume or args.init):
        ap.error("--model quant needs --codebooks (python3 -m lcm.rvq fit)")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if world > 1:
        # launched by torchrun: one process per GPU (nccl) or per CPU worker (gloo)
        import torch.distributed as dist

        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
            torch.cuda.set_device(device)
    if device.type == "cpu":
        torch.set_num_threads(int(os.environ.get("LCM_THREADS", "2")))
    else:
        torch.backends.cuda.matmul.allow_tf32 = True  # TF32 matmuls: the model is small, steps are cheap
    args.seed += rank  # different batches on every rank
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train.log", "a") if rank == 0 else None

    def emit(r):
        if log is None:
            return
        log.write(json.dumps({**r, "world_size": world} if "event" in r else r) + "\n")
        log.flush()
        print(json.dumps(r), flush=True)

    specials_path = Path(args.data) / "specials.f32"
    dim = int(json.loads((Path(args.data) / "specials.json").read_text())["dim"])
    specials = load_specials(specials_path, dim)
    train = build_sequences(args.data, dim, specials, args.max_len, split="train")
    held = heldout_pretrain_sequences(args.data, dim, specials, args.max_len)
    ck_path = out / "checkpoint.pt"
    ck = torch.load(ck_path, map_location="cpu") if args.resume and ck_path.exists() else None
    init = torch.load(args.init, map_location="cpu") if args.init and not ck else None
    if init is not None and init.get("kind", args.model) != args.model:
        sys.exit(f"--init {args.init} holds a {init.get('kind')} model, not {args.model}")
    if init is not None:
        # fine-tuning keeps the parent's architecture and, above all, its normalizer: the weights
        # were learned in that normalized space
        ck_like = {"config": init["config"], "normalizer": init["normalizer"]}
    else:
        ck_like = ck
    cfg = LcmConfig(**ck_like["config"]) if ck_like else LcmConfig(concept_dim=dim, max_seq_len=args.max_len)
    for f in ARCHITECTURE_FLAGS:
        if not ck_like and getattr(args, f) is not None:
            setattr(cfg, f, getattr(args, f))
    books = None
    if args.model == "quant" and not ck_like:
        from lcm.rvq import load_codebooks

        books, center, scale, _ = load_codebooks(args.codebooks)
        cfg.codebooks, cfg.units = int(books.shape[0]), int(books.shape[1])
    elif ck_like:
        center = np.array(ck_like["normalizer"]["center"], np.float32)
        scale = np.array(ck_like["normalizer"]["scale"], np.float32)
    elif args.normalizer_from:
        given = json.loads(Path(args.normalizer_from).read_text())["normalizer"]
        center, scale = np.array(given["center"], np.float32), np.array(given["scale"], np.float32)
    else:
        sample = np.concatenate([s.concepts for s in train])
        center, scale = fit_robust_normalizer(sample[:: max(1, len(sample) // 200000)])
    alphas = zero_snr_alphas_cumprod(cfg.train_steps).to(device)
    model = MODEL_KINDS[args.model](cfg).to(device)
    if ck or init:
        model.load_state_dict((ck or init)["model"])
    elif books is not None:
        model.codebooks.copy_(torch.from_numpy(books))
    train_model = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel

        train_model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01)
    state = {"step": 0, "elapsed": 0.0, "positions": 0, "sequences": 0}
    if ck:
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
    kinds = {}
    for s in train:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    emit({"event": "start", "model": args.model, "init": args.init if init else None,
          "params": count_parameters(model), "config": cfg.to_dict(),
          "train_sequences": kinds, "heldout_sequences": len(held), "device": str(device)})
    ce = None
    if args.decoder_ce:
        decoder, _ = decoder_from_onnx(args.ce_codec)
        for p in decoder.parameters():
            p.requires_grad_(False)
        tokens_dir = Path(args.ce_tokens or args.data)
        ce = {"decoder": decoder.to(device), "rows": {c: read_rows(tokens_dir, c) for c in {s.corpus for s in train}},
              "center": torch.from_numpy(center).to(device), "scale": torch.from_numpy(scale).to(device)}
        for c, token_rows in ce["rows"].items():
            need = 1 + max(int(s.rows.max()) for s in train if s.corpus == c)
            if len(token_rows) < need:
                sys.exit(f"{tokens_dir}/{c}.lens: {len(token_rows)} rows, the concepts need {need}")
    weights = np.array([args.sft_weight if s.kind != "pretrain" else 1.0 for s in train])
    weights /= weights.sum()
    rng = np.random.default_rng(args.seed + state["step"])
    budget = args.minutes * 60
    t0, base_elapsed, last_eval = time.time(), state["elapsed"], time.time()
    window, ce_window = [], []

    def save():
        if rank != 0:
            return
        state["elapsed"] = base_elapsed + time.time() - t0
        tmp = str(ck_path) + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": cfg.to_dict(),
                    "kind": args.model, "normalizer": {"center": center.tolist(), "scale": scale.tolist()}}, tmp)
        os.replace(tmp, ck_path)

    best = {"l2": float("inf")}

    def keep_if_best(metrics):
        if args.keep_best and metrics.get("heldout_l2", float("inf")) < best["l2"]:
            best["l2"] = metrics["heldout_l2"]
            shutil.copyfile(ck_path, out / "checkpoint_best.pt")
            emit({"event": "best", "step": state["step"], "heldout_l2": best["l2"]})

    model.train()
    while True:
        elapsed = base_elapsed + time.time() - t0
        progress = min(1.0, elapsed / budget)
        # With several ranks only rank 0's clock decides (the broadcast below): a rank that stopped on
        # its own clock would leave the others waiting in the next step's collectives.
        if progress >= 1 and world == 1:
            break
        lr = (args.lr * min(1, (state["step"] + 1) / args.warmup)
              * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))))
        for g in opt.param_groups:
            g["lr"] = lr
        idx = rng.choice(len(train), size=args.batch, p=weights)
        batch = [train[i] for i in idx]
        x, loss_mask = make_batch(batch, center, scale, device)
        if args.model == "quant":
            loss = train_model(x, loss_mask) if world > 1 else quant_loss(model, x, loss_mask)
        elif args.model != "base":
            loss = diffusion_loss(train_model.module if world > 1 else model, x, loss_mask, alphas,
                                  ddp=train_model if world > 1 else None)
        elif ce is None:
            loss = base_loss(train_model, x, loss_mask)
        else:
            mse, pred = base_loss(train_model, x, loss_mask, with_predictions=True)
            ce_value = decoder_ce_term(pred, batch, loss_mask, ce, args.ce_positions, rng)
            loss = mse + args.decoder_ce * ce_value
            ce_window.append((mse.item(), ce_value.item()))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state["step"] += 1
        state["positions"] += int(loss_mask.sum())
        state["sequences"] += len(batch)
        window.append(loss.item())
        if state["step"] % 25 == 0:
            parts = {}
            if ce_window:
                parts = {"mse": round(float(np.mean([m for m, _ in ce_window])), 5),
                         "ce": round(float(np.mean([c for _, c in ce_window])), 4)}
            emit({"step": state["step"], "loss": round(float(np.mean(window)), 5), **parts, "lr": round(lr, 7),
                  "positions": state["positions"], "elapsed_min": round(elapsed / 60, 2)})
            window, ce_window = [], []
        if world > 1:
            # every rank must stop at the same step: rank 0's clock decides
            flag = torch.tensor([1.0 if base_elapsed + time.time() - t0 >= budget else 0.0], device=device)
            torch.distributed.broadcast(flag, 0)
            if flag.item() > 0:
                break
        if rank == 0 and time.time() - last_eval > args.eval_every * 60:
            metrics = heldout_metrics(model, args.model, held, center, scale, alphas, device)
            emit({"step": state["step"], **metrics})
            save()
            keep_if_best(metrics)
            last_eval = time.time()
    save()
    if rank != 0:
        return
    metrics = heldout_metrics(model, args.model, held, center, scale, alphas, device)
    emit({"event": "end", "step": state["step"], "positions": state["positions"],
          "cpu_seconds" if device.type == "cpu" else "gpu_seconds": round(state["elapsed"], 1), **metrics})
    keep_if_best(metrics)


if __name__ == "__main__":
    main()
