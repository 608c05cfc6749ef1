"""The concept codec: a SONAR-shaped sentence encoder and embedding-conditioned decoder.

The architecture follows SONAR's "basic" text models at any size (reference/sonar.md §1): pre-LN
Transformer layers with ReLU FFNs, token embeddings scaled by sqrt(d), fairseq-style sinusoidal
positions (offset 2, [sin | cos] halves), a final LayerNorm, masked mean pooling over all non-pad
tokens (language tag and </s> included) into one concept vector. The decoder sees the concept as a
length-1 memory: softmax over one key is 1, so cross-attention is exactly W_o(W_v e + b_v) + b_o per
layer, and we only keep those two projections. The output projection is tied to the embedding.

Because the shapes match SONAR, export_onnx.py serves both our small codec and Meta's checkpoints.
"""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class CodecConfig:
    vocab_size: int = 16000
    dim: int = 512
    heads: int = 8
    ffn: int = 1792
    encoder_layers: int = 6
    decoder_layers: int = 6
    max_positions: int = 514
    dropout: float = 0.1
    pad_id: int = 0
    # fairseq legacy: positions start at pad_idx + 1 = 2 for SONAR (pad_idx=1 in its model config).
    position_offset: int = 2

    def to_dict(self):
        return asdict(self)


def sinusoidal_table(num_positions: int, dim: int) -> torch.Tensor:
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * -(math.log(10000.0) / (half - 1)))
    angles = torch.arange(num_positions, dtype=torch.float32)[:, None] * freqs[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def _sdpa_available():
    return hasattr(F, "scaled_dot_product_attention")


class SelfAttention(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        self.dropout = dropout
        self.use_sdpa = False  # switched on for GPU training; export uses the explicit path

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, mask=None, causal=False, past_k=None, past_v=None):
        """mask: boolean "may attend" mask broadcastable to [B, H, Tq, Tk], or None."""
        q, k, v = self.split(self.q_proj(x)), self.split(self.k_proj(x)), self.split(self.v_proj(x))
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        if self.use_sdpa and past_k is None:
            out = F.scaled_dot_product_attention(
                q, k, v, attn_mask=mask, dropout_p=self.dropout if self.training else 0.0,
                is_causal=causal and mask is None,
            )
        else:
            scores = torch.matmul(q, k.transpose(-1, -2)) * (self.head_dim ** -0.5)
            if mask is not None:
                scores = scores.masked_fill(~mask, -1e9)
            probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
            probs = F.dropout(probs, self.dropout, self.training)
            out = torch.matmul(probs, v)
        b, h, t, d = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(b, t, h * d)), k, v


class FeedForward(nn.Module):
    def __init__(self, dim, ffn, dropout):
        super().__init__()
        self.inner = nn.Linear(dim, ffn)
        self.outer = nn.Linear(ffn, dim)
        self.dropout = dropout

    def forward(self, x):
        return self.outer(F.dropout(F.relu(self.inner(x)), self.dropout, self.training))


class EncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attn_norm = nn.LayerNorm(cfg.dim)
        self.attn = SelfAttention(cfg.dim, cfg.heads, cfg.dropout)
        self.ffn_norm = nn.LayerNorm(cfg.dim)
        self.ffn = FeedForward(cfg.dim, cfg.ffn, cfg.dropout)
        self.dropout = cfg.dropout

    def forward(self, x, mask):
        a, _, _ = self.attn(self.attn_norm(x), mask=mask)
        x = x + F.dropout(a, self.dropout, self.training)
        return x + F.dropout(self.ffn(self.ffn_norm(x)), self.dropout, self.training)


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn_norm = nn.LayerNorm(cfg.dim)
        self.self_attn = SelfAttention(cfg.dim, cfg.heads, cfg.dropout)
        # Cross-attention over a length-1 memory: only the value and output projections matter.
        self.cross_v_proj = nn.Linear(cfg.dim, cfg.dim)
        self.cross_out_proj = nn.Linear(cfg.dim, cfg.dim)
        self.ffn_norm = nn.LayerNorm(cfg.dim)
        self.ffn = FeedForward(cfg.dim, cfg.ffn, cfg.dropout)
        self.dropout = cfg.dropout

    def forward(self, x, memory, mask=None, causal=False, past_k=None, past_v=None):
        a, k, v = self.self_attn(self.self_attn_norm(x), mask=mask, causal=causal, past_k=past_k, past_v=past_v)
        x = x + F.dropout(a, self.dropout, self.training)
        cross = self.cross_out_proj(self.cross_v_proj(memory))  # [B, D]: the same for every position
        x = x + F.dropout(cross[:, None, :], self.dropout, self.training)
        x = x + F.dropout(self.ffn(self.ffn_norm(x)), self.dropout, self.training)
        return x, k, v


class ConceptCodec(nn.Module):
    def __init__(self, cfg: CodecConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.dim, padding_idx=cfg.pad_id)
        nn.init.normal_(self.embed.weight, std=cfg.dim ** -0.5)
        self.register_buffer("positions", sinusoidal_table(cfg.max_positions + cfg.position_offset, cfg.dim),
                             persistent=False)
        self.encoder_layers = nn.ModuleList(EncoderLayer(cfg) for _ in range(cfg.encoder_layers))
        self.encoder_norm = nn.LayerNorm(cfg.dim)
        self.decoder_layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.decoder_layers))
        self.decoder_norm = nn.LayerNorm(cfg.dim)
        self.scale = math.sqrt(cfg.dim)

    def use_sdpa(self, on: bool):
        for m in self.modules():
            if isinstance(m, SelfAttention):
                m.use_sdpa = on and _sdpa_available()

    def embed_tokens(self, ids, start=0):
        pos = self.positions[self.cfg.position_offset + start: self.cfg.position_offset + start + ids.shape[1]]
        return F.dropout(self.embed(ids) * self.scale + pos, self.cfg.dropout, self.training)

    def encode(self, ids, attention_mask):
        """ids, attention_mask: [B, T] -> concept [B, D] (masked mean after the final LayerNorm)."""
        mask = attention_mask.to(torch.bool)[:, None, None, :]
        x = self.embed_tokens(ids)
        for layer in self.encoder_layers:
            x = layer(x, mask)
        x = self.encoder_norm(x)
        w = attention_mask.to(x.dtype)[:, :, None]
        return (x * w).sum(1) / (w.sum(1) + 1e-7)

    def decode_logits(self, ids, concept):
        """Teacher-forced decoding: ids [B, T] (starting with </s>, lang tag) -> logits [B, T, V]."""
        x = self.embed_tokens(ids)
        t = ids.shape[1]
        mask = None
        causal = True
        if not self.decoder_layers[0].self_attn.use_sdpa:
            mask = torch.ones((t, t), dtype=torch.bool, device=ids.device).tril()[None, None]
        for layer in self.decoder_layers:
            x, _, _ = layer(x, concept, mask=mask, causal=causal)
        return F.linear(self.decoder_norm(x), self.embed.weight)

    def decode_step(self, ids, concept, past_k, past_v):
        """Incremental decoding for export: ids [B, t] new tokens, past_[kv] [L, B, H, P, Dh].
        Returns logits [B, t, V] and present_[kv] [L, B, H, P+t, Dh]."""
        past_len = past_k.shape[3]
        t = ids.shape[1]
        pos = self.positions[self.cfg.position_offset + past_len: self.cfg.position_offset + past_len + t]
        x = self.embed(ids) * self.scale + pos
        # Causal mask for the new positions against [past; new].
        q_idx = torch.arange(t, device=ids.device)[:, None] + past_len
        k_idx = torch.arange(past_len + t, device=ids.device)[None, :]
        mask = (k_idx <= q_idx)[None, None]
        keys, values = [], []
        for i, layer in enumerate(self.decoder_layers):
            x, k, v = layer(x, concept, mask=mask, past_k=past_k[i], past_v=past_v[i])
            keys.append(k)
            values.append(v)
        # 2-D F.linear exports as Gemm(transB=1) on the embedding itself: no transposed copy in the file.
        b = x.shape[0]
        h = self.decoder_norm(x).reshape(b * t, -1)
        logits = F.linear(h, self.embed.weight).reshape(b, t, -1)
        return logits, torch.stack(keys), torch.stack(values)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
