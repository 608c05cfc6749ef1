"""Two-Tower and One-Tower diffusion LCMs and the Base-LCM baseline (reference/lcm.md §1), at small scale.

Contextualizer: causal pre-norm Transformer (RMSNorm, SwiGLU, interleaved RoPE) over normalized
concepts. Denoiser: the noisy concept (PreNet), a DiT timestep embedding, layers of
[self-attention that only sees itself, cross-attention to [zero; context], SwiGLU], each AdaLN-zero
modulated by the timestep; a final RMSNorm and PostNet predict x0 in normalized space.
Base-LCM: PreNet -> the same causal Transformer -> PostNet, regressing the next concept (MSE).
One-Tower (the paper's §2.3.3; Meta never released it): one causal Transformer over a clean and a noisy
copy of every concept, each input concatenated with its timestep embedding before the PreNet; the noisy
copy of concept n sees the clean copies of concepts < n and itself (OneTowerLCM below).
Quant-LCM (§2.3.5, discrete): the One-Tower's tower over residual-quantized concepts, predicting the next
codebook's unit (QuantLCM below).
"""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from lcm.losses import diffusion_loss, quant_loss


@dataclass
class LcmConfig:
    concept_dim: int = 512
    model_dim: int = 256
    heads: int = 4
    context_layers: int = 2
    denoiser_layers: int = 4
    base_layers: int = 4
    one_tower_layers: int = 6  # also the Quant-LCM's layers
    codebooks: int = 8  # Quant-LCM: residual codebooks K (lcm.rvq) ...
    units: int = 256  # ... of V units each
    max_seq_len: int = 512
    dropout: float = 0.1
    train_steps: int = 100  # diffusion T

    @property
    def ffn_dim(self):
        # fairseq2 SwiGLU inner size: round_up(int(4d * 2/3), 256)
        return int(math.ceil(int(4 * self.model_dim * 2 / 3) / 256) * 256)

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class SwiGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.gate = nn.Linear(dim, inner)
        self.inner = nn.Linear(dim, inner)
        self.out = nn.Linear(inner, dim)

    def forward(self, x):
        return self.out(F.silu(self.gate(x)) * self.inner(x))


def rope_tables(max_len, head_dim, theta=10000.0):
    freqs = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    angles = torch.arange(max_len, dtype=torch.float32)[:, None] * freqs[None, :]
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x, cos, sin):
    """Interleaved pairs (x0, x1), (x2, x3), ... rotated by position (original LLaMA layout)."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    r1 = x1 * cos - x2 * sin
    r2 = x1 * sin + x2 * cos
    return torch.stack([r1, r2], dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, kv, mask, rope=None):
        """mask: bool [B or 1, 1, Tq, Tk], True = may attend."""
        b, tq, _ = x.shape
        tk = kv.shape[1]
        q = self.q(x).view(b, tq, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(kv).view(b, tk, self.heads, self.head_dim).transpose(1, 2)
        v = self.v(kv).view(b, tk, self.heads, self.head_dim).transpose(1, 2)
        if rope is not None:
            cos, sin = rope
            q, k = apply_rope(q, cos[:tq], sin[:tq]), apply_rope(k, cos[:tk], sin[:tk])
        return self._attend(q, k, v, mask)

    def _attend(self, q, k, v, mask):
        b, _, tq, _ = q.shape
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~mask, -1e9)
        out = torch.matmul(torch.softmax(scores, dim=-1), v)
        return self.o(out.transpose(1, 2).reshape(b, tq, -1))

    def project_memory(self, kv, rope=None):
        """Keys and values of `kv` [B,Tk,d] -> two [B,Tk,d] tensors. rope: (cos, sin) of kv's positions
        [Tk, head_dim/2] to rotate the keys by (self-attention caches); none for cross-attention."""
        k = self.k(kv)
        if rope is not None:
            b, tk, d = k.shape
            heads = k.view(b, tk, self.heads, self.head_dim).transpose(1, 2)
            k = apply_rope(heads, *rope).transpose(1, 2).reshape(b, tk, d)
        return k, self.v(kv)

    def attend_memory(self, x, keys, values, mask, rope=None):
        """forward(x, kv, mask) with kv's projections precomputed by project_memory; rope: (cos, sin) of
        x's positions [Tq, head_dim/2] when the keys were rotated."""
        b, tq, _ = x.shape
        kb, tk = keys.shape[0], keys.shape[1]  # kb may be 1: one memory shared by the whole batch
        q = self.q(x).view(b, tq, self.heads, self.head_dim).transpose(1, 2)
        if rope is not None:
            q = apply_rope(q, *rope)
        k = keys.view(kb, tk, self.heads, self.head_dim).transpose(1, 2)
        v = values.view(kb, tk, self.heads, self.head_dim).transpose(1, 2)
        return self._attend(q, k, v, mask)


class CausalLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norm1 = RMSNorm(cfg.model_dim)
        self.attn = Attention(cfg.model_dim, cfg.heads)
        self.norm2 = RMSNorm(cfg.model_dim)
        self.ffn = SwiGLU(cfg.model_dim, cfg.ffn_dim)
        self.dropout = cfg.dropout

    def forward(self, x, mask, rope):
        h = self.norm1(x)
        x = x + F.dropout(self.attn(h, h, mask, rope), self.dropout, self.training)
        return x + F.dropout(self.ffn(self.norm2(x)), self.dropout, self.training)

    def forward_cached(self, x, keys, values, mask, rope):
        """forward() with the attention's keys and values given ([B or 1,Tk,d], keys rotated): x's rows
        attend to them under mask [B,1,Tq,Tk]; rope: (cos, sin) of x's positions."""
        h = self.norm1(x)
        x = x + F.dropout(self.attn.attend_memory(h, keys, values, mask, rope), self.dropout, self.training)
        return x + F.dropout(self.ffn(self.norm2(x)), self.dropout, self.training)


class CausalTransformer(nn.Module):
    def __init__(self, cfg, layers):
        super().__init__()
        self.layers = nn.ModuleList(CausalLayer(cfg) for _ in range(layers))
        self.norm = RMSNorm(cfg.model_dim)
        cos, sin = rope_tables(cfg.max_seq_len + 1, cfg.model_dim // cfg.heads)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, x):
        t = x.shape[1]
        i = torch.arange(t, device=x.device)
        mask = (i[None, :] <= i[:, None])[None, None]
        for layer in self.layers:
            x = layer(x, mask, (self.rope_cos, self.rope_sin))
        return self.norm(x)


class TimestepEmbedding(nn.Module):
    """DiT: 256-d sinusoidal code of the integer step, cat[cos, sin], then Linear-SiLU-Linear."""

    def __init__(self, dim, freq_dim=256):
        super().__init__()
        half = freq_dim // 2
        self.register_buffer("freqs", torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half),
                             persistent=False)
        self.mlp = nn.Sequential(nn.Linear(freq_dim, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t):
        a = t.float()[:, None] * self.freqs[None, :]
        return self.mlp(torch.cat([torch.cos(a), torch.sin(a)], dim=-1))


class DenoiserLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.model_dim
        self.norm_self, self.norm_cross, self.norm_ffn = RMSNorm(d), RMSNorm(d), RMSNorm(d)
        # Self-attention restricted to the position itself is exactly o(v(x)).
        self.self_v, self.self_o = nn.Linear(d, d), nn.Linear(d, d)
        self.cross = Attention(d, cfg.heads)
        self.ffn = SwiGLU(d, cfg.ffn_dim)
        self.modulation = nn.Linear(d, 9 * d)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)
        self.dropout = cfg.dropout

    def forward(self, x, temb, context, mask, memory=None, modulation=None):
        """x [B,T,d], temb [B,T,d], context [B,M+1,d], mask bool [B,1,T,M+1]. memory: the cross-attention
        keys and values of context, precomputed (then context is not read). modulation: this layer's
        AdaLN output [B,T,9d], precomputed (it depends on the timestep only; then temb is not read)."""
        mods = (self.modulation(F.silu(temb)) if modulation is None else modulation).chunk(9, dim=-1)

        def modulated(i, h):
            shift, scale, gate = mods[3 * i], mods[3 * i + 1], mods[3 * i + 2]
            return h * (1 + scale) + shift, gate

        h, g = modulated(0, self.norm_self(x))
        x = x + F.dropout(g * self.self_o(self.self_v(h)), self.dropout, self.training)
        h, g = modulated(1, self.norm_cross(x))
        crossed = self.cross(h, context, mask) if memory is None else self.cross.attend_memory(h, *memory, mask)
        x = x + F.dropout(g * crossed, self.dropout, self.training)
        h, g = modulated(2, self.norm_ffn(x))
        return x + F.dropout(g * self.ffn(h), self.dropout, self.training)


class TwoTowerLCM(nn.Module):
    def __init__(self, cfg: LcmConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.model_dim
        self.context_in = nn.Linear(cfg.concept_dim, d)
        self.contextualizer = CausalTransformer(cfg, cfg.context_layers)
        self.noisy_in = nn.Linear(cfg.concept_dim, d)
        self.time = TimestepEmbedding(d)
        self.denoiser = nn.ModuleList(DenoiserLayer(cfg) for _ in range(cfg.denoiser_layers))
        self.denoiser_norm = RMSNorm(d)
        self.out = nn.Linear(d, cfg.concept_dim)

    def contextualize(self, concepts):
        return self.contextualizer(self.context_in(concepts))

    def denoise(self, noisy, t, context, mask):
        """noisy [B,T,D], t [B,T] int, context [B,M,d] (without the zero row),
        mask bool [B,T,M]: which context rows each target may see; the zero row is always visible."""
        b, tq, _ = noisy.shape
        ctx = torch.cat([context.new_zeros(b, 1, context.shape[-1]), context], dim=1)
        full = torch.cat([torch.ones(b, tq, 1, dtype=torch.bool, device=mask.device), mask], dim=2)[:, None]
        x = self.noisy_in(noisy)
        temb = self.time(t.reshape(-1)).view(b, tq, -1)
        for layer in self.denoiser:
            x = layer(x, temb, ctx, full)
        return self.out(self.denoiser_norm(x))

    def denoiser_memory(self, context):
        """Every denoiser layer's cross-attention keys and values over [zero; context]: [L,B,M+1,d] each.
        They depend on the context only, so inference computes them once per generated concept instead
        of once per diffusion step."""
        b = context.shape[0]
        ctx = torch.cat([context.new_zeros(b, 1, context.shape[-1]), context], dim=1)
        pairs = [layer.cross.project_memory(ctx) for layer in self.denoiser]
        return torch.stack([k for k, _ in pairs]), torch.stack([v for _, v in pairs])

    def modulation_table(self):
        """Every denoiser layer's AdaLN modulation for every training timestep: [T, L, 9d]. It depends on
        the timestep alone, so inference can look it up instead of running the time MLP and the
        layers' modulation projections (a third of the denoiser's weights) at every step."""
        temb = self.time(torch.arange(self.cfg.train_steps))
        return torch.stack([layer.modulation(F.silu(temb)) for layer in self.denoiser], dim=1)

    def denoise_with_memory(self, noisy, t, keys, values, mask, table=None):
        """denoise() with the context replaced by denoiser_memory(context) and, when given, the
        modulations looked up in modulation_table(); same result."""
        b, tq, _ = noisy.shape
        full = torch.cat([torch.ones(b, tq, 1, dtype=torch.bool, device=mask.device), mask], dim=2)[:, None]
        x = self.noisy_in(noisy)
        temb = None if table is not None else self.time(t.reshape(-1)).view(b, tq, -1)
        looked_up = None if table is None else table[t]  # [B, T, L, 9d]
        for i, layer in enumerate(self.denoiser):
            modulation = None if looked_up is None else looked_up[:, :, i]
            x = layer(x, temb, None, full, memory=(keys[i], values[i]), modulation=modulation)
        return self.out(self.denoiser_norm(x))

    def forward(self, x, loss_mask, alphas, cfg_prob=0.15):
        """Training forward (so DistributedDataParallel sees one call): the diffusion loss."""
        return diffusion_loss(self, x, loss_mask, alphas, cfg_prob)


class OneTowerLCM(nn.Module):
    """The One-Tower diffusion LCM: one causal Transformer does context and denoising.

    Every concept appears twice: a clean copy (timestep 0) and a noisy copy (its own timestep); each
    input is [concept; timestep embedding] through the PreNet. Clean copy i attends to clean copies
    <= i; the noisy copy of concept j attends to the clean copies its mask allows (those < j in
    training, none for the 15% of positions classifier-free guidance trains unconditionally) and to
    itself, never to another noisy copy. Both copies of concept j sit at rotary position j, so the
    noisy copy of the concept after an N-concept prompt is at position N.

    It speaks the Two-Tower's interface, so lcm.losses and lcm.sampling serve both: contextualize()
    returns the clean concepts themselves (the context is the clean copies), and denoise() runs the
    whole tower over [clean; noisy]. Inference caches the clean copies' keys/values (prefix_memory:
    they never see a noisy copy) and runs only the noisy copy at each diffusion step (denoise_cached).
    """

    def __init__(self, cfg: LcmConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.model_dim
        self.time = TimestepEmbedding(d)
        self.pre = nn.Linear(cfg.concept_dim + d, d)
        self.layers = nn.ModuleList(CausalLayer(cfg) for _ in range(cfg.one_tower_layers))
        self.norm = RMSNorm(d)
        self.out = nn.Linear(d, cfg.concept_dim)
        cos, sin = rope_tables(cfg.max_seq_len + 1, d // cfg.heads)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def embed(self, x, t):
        """PreNet over [x; timestep embedding of t]: x [B,T,D], t int [B,T] -> [B,T,d]."""
        b, n, _ = x.shape
        temb = self.time(t.reshape(-1)).view(b, n, -1)
        return self.pre(torch.cat([x, temb], dim=-1))

    def contextualize(self, concepts):
        """The context of the One-Tower is the clean concepts themselves."""
        return concepts

    def denoise(self, noisy, t, clean, visible, positions=None):
        """x0 for noisy [B,T,D] at timesteps t [B,T] in one pass over [clean; noisy]. clean [B,M,D]
        (normalized), visible bool [B,T,M]: which clean copies each noisy copy sees. positions [T]: the
        concept index each noisy copy stands for (default 0..T-1: teacher forcing, T = M)."""
        return self.out(self.tower(noisy, t, clean, visible, positions))

    def tower(self, noisy, t, clean, visible, positions=None):
        """denoise() up to the final RMSNorm: the noisy copies' hidden states [B,T,d]."""
        b, tq, _ = noisy.shape
        m = clean.shape[1]
        dev = noisy.device
        if positions is None:
            positions = torch.arange(tq, device=dev)
        x = torch.cat([self.embed(clean, torch.zeros(b, m, dtype=torch.long, device=dev)), self.embed(noisy, t)], 1)
        i = torch.arange(m, device=dev)
        clean_rows = torch.cat([i[None, :] <= i[:, None], torch.zeros(m, tq, dtype=torch.bool, device=dev)], 1)
        noisy_rows = torch.cat([visible, torch.eye(tq, dtype=torch.bool, device=dev)[None].expand(b, -1, -1)], 2)
        mask = torch.cat([clean_rows[None].expand(b, -1, -1), noisy_rows], 1)[:, None]
        pos = torch.cat([i, positions])
        rope = (self.rope_cos[pos], self.rope_sin[pos])
        for layer in self.layers:
            x = layer(x, mask, rope)
        return self.norm(x[:, m:])

    def prefix_memory(self, clean):
        """Every layer's keys (rotated) and values of the clean copies of clean [B,N,D]: [L,B,N,d] each.
        The clean copies never attend to a noisy one, so these hold for every diffusion step of the
        concept after them."""
        b, n, _ = clean.shape
        x = self.embed(clean, torch.zeros(b, n, dtype=torch.long, device=clean.device))
        i = torch.arange(n, device=clean.device)
        mask = (i[None, :] <= i[:, None])[None, None]
        rope = (self.rope_cos[:n], self.rope_sin[:n])
        keys, values = [], []
        for layer in self.layers:
            k, v = layer.attn.project_memory(layer.norm1(x), rope)
            keys.append(k)
            values.append(v)
            x = layer.forward_cached(x, k, v, mask, rope)
        return torch.stack(keys), torch.stack(values)

    def time_table(self):
        """The PreNet's timestep half for every training timestep, bias included: [T, d]. The PreNet is
        linear, so pre([x; temb(t)]) = x W_x^T + table[t]: the step graph looks it up."""
        temb = self.time(torch.arange(self.cfg.train_steps, device=self.pre.weight.device))
        return F.linear(temb, self.pre.weight[:, self.cfg.concept_dim:], self.pre.bias)

    def denoise_cached(self, noisy, t, keys, values, mask, table=None):
        """x0 for one noisy copy per row, noisy [B,D] at t [B], after the clean prefix whose
        prefix_memory() is keys/values [L,B or 1,N,d]; mask bool [B,N]: the prefix rows each row sees
        (its own slot is always visible). The noisy copy stands at position N. With table (time_table())
        the timestep embedding is looked up; same result as denoise()."""
        return self.out(self.tower_cached(noisy, t, keys, values, mask, table))

    def tower_cached(self, noisy, t, keys, values, mask, table=None):
        """denoise_cached() up to the final RMSNorm: hidden states [B,d]."""
        b = noisy.shape[0]
        n = keys.shape[2]
        if table is None:
            x = self.embed(noisy[:, None], t[:, None])
        else:
            x = (F.linear(noisy, self.pre.weight[:, : self.cfg.concept_dim]) + table[t])[:, None]
        rope = (self.rope_cos[n: n + 1], self.rope_sin[n: n + 1])
        full = torch.cat([mask, torch.ones(b, 1, dtype=torch.bool, device=mask.device)], 1)[:, None, None]
        for i, layer in enumerate(self.layers):
            k_self, v_self = layer.attn.project_memory(layer.norm1(x), rope)
            k = torch.cat([keys[i].expand(b, -1, -1), k_self], 1)
            v = torch.cat([values[i].expand(b, -1, -1), v_self], 1)
            x = layer.forward_cached(x, k, v, full, rope)
        return self.norm(x[:, 0])

    def forward(self, x, loss_mask, alphas, cfg_prob=0.15):
        """Training forward (so DistributedDataParallel sees one call): the diffusion loss."""
        return diffusion_loss(self, x, loss_mask, alphas, cfg_prob)


class QuantLCM(OneTowerLCM):
    """The discrete Quantized LCM (Quant-LCM-d, the paper's §2.3.5; Meta never released it) on the
    One-Tower's backbone. A concept is the sum of one centroid per residual codebook (lcm.rvq, K codebooks
    of V units, normalized space; a buffer here, exported beside the graphs). The noisy copy of the
    One-Tower becomes the running sum of the target's first k centroids (zero for k = 0), and its
    timestep embedding a codebook-index embedding (index 0: a clean copy, k + 1: the sum before codebook
    k); the PreNet is Linear(D -> d) plus that embedding. The head of codebook k gives the logits of its
    V units (cross-entropy, one random k per position in training). Classifier-free guidance as the
    One-Tower: for 15% of positions the partial sum sees no clean copy.

    It reuses the One-Tower's tower (masks, rotary positions, cached prefix) with `t` standing for the
    codebook-index embedding's index.
    """

    def __init__(self, cfg: LcmConfig):
        super().__init__(cfg)
        del self.time, self.out  # no timestep embedding, no regression head
        K, V, D, d = cfg.codebooks, cfg.units, cfg.concept_dim, cfg.model_dim
        self.pre = nn.Linear(D, d)
        self.level = nn.Embedding(K + 1, d)
        self.head = nn.Parameter(torch.randn(K, V, d) * d ** -0.5)
        self.head_bias = nn.Parameter(torch.zeros(K, V))
        self.register_buffer("codebooks", torch.zeros(K, V, D))

    def embed(self, x, idx):
        """PreNet plus the codebook-index embedding: x [B,T,D], idx int [B,T] (0 = clean) -> [B,T,d]."""
        return self.pre(x) + self.level(idx)

    def time_table(self):
        """The index half of the PreNet (bias included) for every index: [K+1, d]; pre(x) + level(i) =
        x W^T + table[i], as the One-Tower's step graph looks its timesteps up."""
        return self.level.weight + self.pre.bias

    def head_logits(self, h, level, gather=False):
        """Logits [..., V] of codebook `level` (int [...]) from hidden states h [..., d]. Training loops
        over the K heads (a gathered [..., V, d] weight would not fit for a whole batch); gather=True
        (the exported step graph, a few rows) gathers each row's head."""
        if gather:
            return torch.matmul(self.head[level], h[..., None])[..., 0] + self.head_bias[level]
        out = h.new_zeros(*level.shape, self.cfg.units)
        for k in range(self.cfg.codebooks):
            sel = level == k
            if sel.any():
                out[sel] = h[sel] @ self.head[k].T + self.head_bias[k]
        return out

    @torch.no_grad()
    def quantize(self, x):
        """Greedy residual assignment of normalized x [..., D]: units [..., K] and the running sums before
        each codebook [..., K, D] (the first is zero)."""
        r = x.clone()
        total = torch.zeros_like(x)
        units, partial = [], []
        for c in self.codebooks:
            partial.append(total.clone())
            d = (r * r).sum(-1, keepdim=True) - 2 * r @ c.T + (c * c).sum(-1)
            u = d.argmin(-1)
            units.append(u)
            total = total + c[u]
            r = r - c[u]
        return torch.stack(units, -1), torch.stack(partial, -2)

    def logits(self, partial, level, clean, visible, positions=None):
        """Unit logits [B,T,V] of codebook level [B,T] (int, 0-based) for the running sums partial [B,T,D]
        after the clean copies clean [B,M,D]; visible as OneTowerLCM.denoise."""
        return self.head_logits(self.tower(partial, level + 1, clean, visible, positions), level)

    def logits_cached(self, partial, level, keys, values, mask, table=None):
        """logits() for one running sum per row [B,D] after a cached prefix (OneTowerLCM.denoise_cached)."""
        h = self.tower_cached(partial, level + 1, keys, values, mask, table)
        return self.head_logits(h, level, gather=True)

    def forward(self, x, loss_mask, alphas=None, cfg_prob=0.15):
        """Training forward (so DistributedDataParallel sees one call): the cross-entropy."""
        return quant_loss(self, x, loss_mask, cfg_prob)


class BaseLCM(nn.Module):
    def __init__(self, cfg: LcmConfig):
        super().__init__()
        self.cfg = cfg
        self.pre = nn.Linear(cfg.concept_dim, cfg.model_dim)
        self.body = CausalTransformer(cfg, cfg.base_layers)
        self.post = nn.Linear(cfg.model_dim, cfg.concept_dim)

    def forward(self, concepts):
        return self.post(self.body(self.pre(concepts)))


def zero_snr_alphas_cumprod(T=100):
    """Cosine ("squaredcos_cap_v2") betas, then Lin et al.'s rescale to zero terminal SNR."""
    def abar(s):
        return math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2

    betas = torch.tensor([min(1 - abar((i + 1) / T) / abar(i / T), 0.999) for i in range(T)], dtype=torch.float64)
    ac = torch.cumprod(1 - betas, 0)
    s = ac.sqrt()
    s0, sT = s[0].clone(), s[-1].clone()
    s = (s - sT) * s0 / (s0 - sT)
    return (s ** 2).float()


def count_parameters(m):
    return sum(p.numel() for p in m.parameters())


# lcm.train's --model choices and the "kind" its checkpoints carry
MODEL_KINDS = {"two_tower": TwoTowerLCM, "one_tower": OneTowerLCM, "base": BaseLCM, "quant": QuantLCM}


def load_checkpoint(path, cls=None):
    """(model in eval mode, config, the checkpoint dict) from a lcm.train checkpoint; the class from
    the checkpoint's kind unless given."""
    ck = torch.load(path, map_location="cpu")
    cfg = LcmConfig(**ck["config"])
    cls = cls or MODEL_KINDS[ck.get("kind", "two_tower")]
    model = cls(cfg)
    model.load_state_dict(ck["model"])
    return model.eval(), cfg, ck

