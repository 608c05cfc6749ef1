"""PyTorch (eager) side of bench/codec-speed.mjs: the same codec checkpoint on the same sentences.

Encodes the sentences end to end (tokenize, then length-sorted batches under the same token budget our
runtime uses, so the comparison is of the engines, not of the batching), and greedy-decodes the first --decode-count concepts for
exactly --max-tokens steps, with the model's incremental key/value cache (decode_step) and without it
(decode_logits over the whole prefix every step). Prints one JSON object: work per CPU-second, as the
TypeScript side measures it, and peak RSS.

Usage: /usr/bin/python3 bench/codec-speed-torch.py --checkpoint CKPT --tokenizer SPM --sentences FILE
       [--decode-count 8] [--max-tokens 32] [--threads 1]
"""
import argparse
import json
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "training"))
from codec.model import CodecConfig, ConceptCodec  # noqa: E402

PAD, EOS = 0, 3


def cpu():
    return time.process_time()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--sentences", required=True)
    ap.add_argument("--lang", default="eng_Latn")
    ap.add_argument("--decode-count", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-tokens", type=int, default=512)
    ap.add_argument("--batch-rows", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = ConceptCodec(CodecConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    model.eval()
    model.use_sdpa(False)
    tag = sp.piece_to_id(f"__{args.lang}__")
    sentences = [s for s in Path(args.sentences).read_text(encoding="utf-8").split("\n") if s.strip()]

    def encode_all():
        """Tokenize, bucket by length, run: end to end, as our runtime's encode() is timed."""
        seqs = [[tag] + p[:126] + [EOS] for p in sp.encode(sentences)]
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        batches, cur = [], []
        for i in order:
            if cur and ((len(cur) + 1) * len(seqs[i]) > args.batch_tokens or len(cur) >= args.batch_rows):
                batches.append(cur)
                cur = []
            cur.append(i)
        batches.append(cur)
        out = [None] * len(seqs)
        for b in batches:
            t = max(len(seqs[i]) for i in b)
            ids = torch.zeros(len(b), t, dtype=torch.long)
            for r, i in enumerate(b):
                ids[r, : len(seqs[i])] = torch.tensor(seqs[i])
            emb = model.encode(ids, (ids != PAD).long())
            for r, i in enumerate(b):
                out[i] = emb[r]
        return torch.stack(out)

    with torch.inference_mode():
        encode_all()  # warm-up
        t = cpu()
        concepts = encode_all()
        encode_cpu = cpu() - t

        c = concepts[: args.decode_count]
        cfg = model.cfg
        L, H, Dh = cfg.decoder_layers, cfg.heads, cfg.dim // cfg.heads

        def greedy_cached():
            b = len(c)
            pk = torch.zeros(L, b, H, 0, Dh)
            pv = pk.clone()
            inp = torch.tensor([[EOS, tag]] * b)
            for _ in range(args.max_tokens):
                logits, pk, pv = model.decode_step(inp, c, pk, pv)
                inp = logits[:, -1].argmax(-1)[:, None]

        def greedy_uncached():
            seq = torch.tensor([[EOS, tag]] * len(c))
            for _ in range(args.max_tokens):
                logits = model.decode_logits(seq, c)
                seq = torch.cat([seq, logits[:, -1].argmax(-1)[:, None]], 1)

        greedy_cached()
        t = cpu()
        greedy_cached()
        cached_cpu = cpu() - t
        t = cpu()
        greedy_uncached()
        uncached_cpu = cpu() - t

    tokens = len(c) * args.max_tokens
    print(json.dumps({
        "torch": torch.__version__,
        "threads": args.threads,
        "encode_sentences_per_cpu_s": len(sentences) / encode_cpu,
        "greedy_cached_tokens_per_cpu_s": tokens / cached_cpu,
        "greedy_uncached_tokens_per_cpu_s": tokens / uncached_cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
