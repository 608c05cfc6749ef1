"""What training the LCM through the codec's decoder would cost per step on this CPU (issue 14, SONAR-LLM's
objective, reference/followups.md §1: the frozen decoder's token cross-entropy of the true next sentence
given the predicted concept), against the Two-Tower's present step, in one process.

The cost depends on the shapes, not on the weights, so both models are built at the bundled sizes with
fresh weights: the Two-Tower (d=256, 2 + 3 layers) on a batch of 16 sequences x 256 concepts, and the
codec's 6-layer d=512 decoder (46M-parameter codec) run forward and backward to its input concepts (its
weights frozen) on P predicted concepts x T target tokens. Prints ms per step and the ratio.

  /usr/bin/python3 bench/decoder-ce-cost.py [--threads 2] [--positions 16,64,256] [--tokens 32] [--steps 3]
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from codec.model import CodecConfig, ConceptCodec  # noqa: E402
from lcm.losses import diffusion_loss  # noqa: E402
from lcm.model import LcmConfig, TwoTowerLCM, zero_snr_alphas_cumprod  # noqa: E402


def timed(step, steps):
    step()  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("LCM_THREADS", "2")))
    ap.add_argument("--positions", default="16,64,256", help="predicted concepts decoded per step")
    ap.add_argument("--tokens", type=int, default=32, help="target tokens per sentence (BBC/ABC median ~30)")
    ap.add_argument("--steps", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    cfg = LcmConfig(concept_dim=512, model_dim=256, heads=4, context_layers=2, denoiser_layers=3, max_seq_len=256)
    lcm = TwoTowerLCM(cfg)
    opt = torch.optim.AdamW(lcm.parameters(), lr=1e-4)
    alphas = zero_snr_alphas_cumprod(cfg.train_steps)
    x = torch.randn(16, 256, 512)
    mask = torch.ones(16, 256)

    def lcm_step():
        opt.zero_grad()
        diffusion_loss(lcm, x, mask, alphas).backward()
        opt.step()

    base = timed(lcm_step, args.steps)
    print(f"threads {args.threads}; Two-Tower step (16 x 256 concepts, forward + backward + AdamW): {base:.0f} ms")

    codec = ConceptCodec(CodecConfig())
    codec.eval()
    for p in codec.parameters():
        p.requires_grad_(False)
    for positions in (int(v) for v in args.positions.split(",")):
        concepts = torch.randn(positions, 512, requires_grad=True)  # the LCM's predictions
        ids = torch.randint(4, 16000, (positions, args.tokens + 1))

        def ce_step():
            logits = codec.decode_logits(ids[:, :-1], concepts)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
            concepts.grad = None
            loss.backward()

        ms = timed(ce_step, args.steps)
        print(f"decoder token CE, {positions} concepts x {args.tokens} tokens, forward + backward to the concepts: "
              f"{ms:.0f} ms ({ms / base:.2f}x the Two-Tower step; {ms / positions:.1f} ms per concept)")


if __name__ == "__main__":
    main()
