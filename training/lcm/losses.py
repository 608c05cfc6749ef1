"""The LCM's training losses, both in the normalized concept space: the diffusion loss (Two-Tower and
One-Tower alike: both models take the same contextualize/denoise calls) and the Base-LCM's next-concept
MSE; and the Quant-LCM's cross-entropy over codebook units.

They live apart from lcm.train because the models need the diffusion loss too: their forward computes
it, since DistributedDataParallel only synchronises gradients of a call to the wrapped
module, and the model importing the trainer (which imports the model) was an import cycle.
"""
import torch
import torch.nn.functional as F

from codec.train import EOS


def diffusion_loss(model, x, loss_mask, alphas, cfg_prob=0.15, ddp=None):
    """x0-prediction MSE at one random timestep per position, averaged over loss_mask's positions.
    For a cfg_prob share of positions the whole context is hidden (the Two-Tower's denoiser then sees only
    its zero row, the One-Tower's noisy copy only itself): the unconditional model classifier-free
    guidance needs. With ddp (the DistributedDataParallel
    wrapper of model) the same loss is computed through the wrapper's forward."""
    b, n, _ = x.shape
    if ddp is not None:
        return ddp(x, loss_mask, alphas, cfg_prob)
    context = model.contextualize(x)  # row i depends on x_0..x_i
    t = torch.randint(0, len(alphas), (b, n), device=x.device)
    a = alphas[t][..., None]
    noisy = a.sqrt() * x + (1 - a).sqrt() * torch.randn_like(x)
    i = torch.arange(n, device=x.device)
    visible = (i[None, :] < i[:, None])[None].expand(b, n, n).clone()  # target j sees context rows < j
    drop = torch.rand(b, n, device=x.device) < cfg_prob
    visible[drop] = False
    pred = model.denoise(noisy, t, context, visible)
    per_pos = ((pred - x) ** 2).mean(-1)
    return (per_pos * loss_mask).sum() / loss_mask.sum().clamp(min=1)


def base_loss(model, x, loss_mask, with_predictions=False):
    """Next-concept MSE of the Base-LCM: the output at position i regresses concept i+1. With
    with_predictions, also the predictions [B, N-1, D] (prediction j is for concept j+1)."""
    pred = model(x)[:, :-1]
    per_pos = ((pred - x[:, 1:]) ** 2).mean(-1)
    m = loss_mask[:, 1:]
    loss = (per_pos * m).sum() / m.sum().clamp(min=1)
    return (loss, pred) if with_predictions else loss


def quant_loss(model, x, loss_mask, cfg_prob=0.15):
    """The Quant-LCM's cross-entropy: each position of x [B,N,D] (normalized) is residual-quantized with
    the model's codebooks; one codebook k ~ U[0, K) per position, whose unit is predicted from the
    running sum of the position's first k centroids and the clean concepts before it (none for a
    cfg_prob share of positions: the unconditional model guidance needs). Averaged over loss_mask."""
    b, n, _ = x.shape
    units, partial = model.quantize(x)  # [B,N,K], [B,N,K,D]
    k = torch.randint(0, units.shape[-1], (b, n), device=x.device)
    target = units.gather(-1, k[..., None])[..., 0]
    running = partial.gather(2, k[..., None, None].expand(-1, -1, 1, x.shape[-1]))[:, :, 0]
    i = torch.arange(n, device=x.device)
    visible = (i[None, :] < i[:, None])[None].expand(b, n, n).clone()
    visible[torch.rand(b, n, device=x.device) < cfg_prob] = False
    logits = model.logits(running, k, x, visible)
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none").view(b, n)
    return (ce * loss_mask).sum() / loss_mask.sum().clamp(min=1)


def decoder_ce_loss(decoder, concepts, token_rows):
    """SONAR-LLM's objective (reference/followups.md §1): the frozen codec decoder's token cross-entropy
    of each true sentence given the concept predicted for it. concepts [P, D] in the codec's raw space;
    token_rows: P encoder rows [lang tag, pieces..., </s>] (encode_docs --tokens-only), which are the
    decoder's teacher-forcing input once </s> leads them. The lang tag is the decoder's given prefix, so
    only the pieces and the final </s> are scored. Gradients reach the concepts; the decoder's weights
    are frozen by the caller."""
    width = max(len(r) for r in token_rows) + 1
    ids = torch.zeros(len(token_rows), width, dtype=torch.long, device=concepts.device)
    for i, r in enumerate(token_rows):
        ids[i, 0] = EOS  # </s> starts every decoder input
        ids[i, 1: len(r) + 1] = torch.as_tensor(r, device=concepts.device)
    logits = decoder.decode_logits(ids[:, :-1], concepts)[:, 1:]  # positions after the tag
    target = ids[:, 2:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=0)
