"""Tiny SONAR-shaped checkpoints in Meta's key layouts, a tiny NLLB-layout tokenizer, and an
independent reference implementation of SONAR's text encoder and decoder (numpy, float64) written
from the architecture description (reference/sonar.md §1), not from ConceptCodec.
"""
import math
from pathlib import Path

import numpy as np
import sentencepiece as spm
import torch

from sonar_export.languages import DATA_TAGS, SONAR_LANGUAGES

TRAINING = Path(__file__).resolve().parent.parent  # where `python3 -m export_sonar` runs

SENTENCES = [
    "Hello, my name is Paul", "I'm working as a teacher", "The weather is nice today.",
    "We met at the station before noon.", "Bonjour, mon nom est Paul", "Je travaille comme professeur.",
    "Il fait beau aujourd'hui.", "Nous nous sommes vus à la gare.", "Guten Tag, ich heiße Paul.",
    "Ich arbeite als Lehrer.", "Das Wetter ist heute schön.", "Wir trafen uns am Bahnhof.",
    "Hola, me llamo Pablo.", "Trabajo como profesor.", "El tiempo es agradable hoy.",
]


def train_tokenizer(directory: Path, vocab_size=120) -> Path:
    """A small SentencePiece model with NLLB's own special ids (<unk> 0, <s> 1, </s> 2, no <pad>)."""
    text = directory / "corpus.txt"
    text.write_text("\n".join(SENTENCES * 4) + "\n", encoding="utf-8")
    prefix = directory / "tiny_spm"
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(prefix), vocab_size=vocab_size, model_type="bpe",
        character_coverage=1.0, hard_vocab_limit=False, minloglevel=2,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
    )
    return prefix.with_suffix(".model")


def vocab_for(tokenizer_model: Path) -> int:
    pieces = spm.SentencePieceProcessor(model_file=str(tokenizer_model)).get_piece_size()
    return pieces + 1 + len(SONAR_LANGUAGES) + len(DATA_TAGS)


def random_sonar(vocab, dim=64, ffn=128, layers=2, seed=0):
    """Weights of both halves in fairseq2 row order, as plain float32 arrays keyed by role/part."""
    rng = np.random.default_rng(seed)

    def lin(out_dim, in_dim):
        return rng.normal(0, in_dim ** -0.5, (out_dim, in_dim)).astype(np.float32), \
            rng.normal(0, 0.1, out_dim).astype(np.float32)

    def norm():  # not ones/zeros, so a misplaced LayerNorm shows
        return (1 + rng.normal(0, 0.2, dim)).astype(np.float32), rng.normal(0, 0.1, dim).astype(np.float32)

    w = {}
    for role in ("encoder", "decoder"):
        w[f"{role}.embed"] = rng.normal(0, dim ** -0.5, (vocab, dim)).astype(np.float32)
        w[f"{role}.final_norm"] = norm()
        for i in range(layers):
            p = f"{role}.{i}."
            for name in ("q", "k", "v", "o"):
                w[p + "self_" + name] = lin(dim, dim)
            w[p + "self_norm"] = norm()
            w[p + "fc1"], w[p + "fc2"], w[p + "ffn_norm"] = lin(ffn, dim), lin(dim, ffn), norm()
            if role == "decoder":
                for name in ("q", "k", "v", "o"):
                    w[p + "cross_" + name] = lin(dim, dim)
                w[p + "cross_norm"] = norm()
    w["layers"], w["dim"], w["ffn"] = layers, dim, ffn
    return w


# fairseq row j holds fairseq2 row FAIRSEQ2_ROW_OF_FAIRSEQ[j]: <s>=2, <pad>=0, </s>=3, <unk>=1.
FAIRSEQ2_ROW_OF_FAIRSEQ = (2, 0, 3, 1)


def _fairseq_rows(table):
    return table[list(FAIRSEQ2_ROW_OF_FAIRSEQ) + list(range(4, len(table)))]


def _put(sd, name, pair_or_array):
    t = lambda a: torch.from_numpy(np.array(a))  # noqa: E731
    if isinstance(pair_or_array, tuple):
        sd[name + ".weight"], sd[name + ".bias"] = t(pair_or_array[0]), t(pair_or_array[1])
    else:
        sd[name + ".weight"] = t(pair_or_array)


def fairseq_checkpoint(w, role, prefix=""):
    """{"state_dict": ...} with fairseq names and fairseq's special-token row order."""
    sd = {}
    for i in range(w["layers"]):
        p, q = f"{prefix}layers.{i}.", f"{role}.{i}."
        for name, fs in (("q", "q_proj"), ("k", "k_proj"), ("v", "v_proj"), ("o", "out_proj")):
            _put(sd, p + "self_attn." + fs, w[q + "self_" + name])
            if role == "decoder":
                _put(sd, p + "encoder_attn." + fs, w[q + "cross_" + name])
        _put(sd, p + "self_attn_layer_norm", w[q + "self_norm"])
        if role == "decoder":
            _put(sd, p + "encoder_attn_layer_norm", w[q + "cross_norm"])
        _put(sd, p + "fc1", w[q + "fc1"])
        _put(sd, p + "fc2", w[q + "fc2"])
        _put(sd, p + "final_layer_norm", w[q + "ffn_norm"])
    embed = torch.from_numpy(_fairseq_rows(w[f"{role}.embed"]))
    sd[prefix + "embed_tokens.weight"] = embed
    if role == "decoder":
        sd[prefix + "output_projection.weight"] = embed  # tied, as fairseq saves it
    _put(sd, prefix + "layer_norm", w[f"{role}.final_norm"])
    sd[prefix + "version"] = torch.tensor([3.0])
    sd[prefix + "embed_positions._float_tensor"] = torch.tensor([1.0])
    return {"state_dict": sd}


def fairseq2_checkpoint(w, role):
    """{"model": ...} with the names fairseq2's SONAR converter produces (rows already fairseq2)."""
    sd = {}
    for i in range(w["layers"]):
        p, q = f"{role}.layers.{i}.", f"{role}.{i}."
        for name, fs in (("q", "q_proj"), ("k", "k_proj"), ("v", "v_proj"), ("o", "output_proj")):
            _put(sd, p + "self_attn." + fs, w[q + "self_" + name])
            if role == "decoder":
                _put(sd, p + "encoder_decoder_attn." + fs, w[q + "cross_" + name])
        _put(sd, p + "self_attn_layer_norm", w[q + "self_norm"])
        if role == "decoder":
            _put(sd, p + "encoder_decoder_attn_layer_norm", w[q + "cross_norm"])
        _put(sd, p + "ffn.inner_proj", w[q + "fc1"])
        _put(sd, p + "ffn.output_proj", w[q + "fc2"])
        _put(sd, p + "ffn_layer_norm", w[q + "ffn_norm"])
    embed = torch.from_numpy(w[f"{role}.embed"].copy())
    sd[f"{role}_frontend.embed.weight"] = embed
    if role == "decoder":
        sd["final_proj.weight"] = embed
        _put(sd, "decoder.layer_norm", w["decoder.final_norm"])
    else:
        _put(sd, "layer_norm", w["encoder.final_norm"])
    return {"model": sd}


# ---- reference computation (float64 numpy) ----

def _ln(x, pair, eps=1e-5):
    g, b = pair
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _linear(x, pair):
    return x @ pair[0].astype(np.float64).T + pair[1]


def _positions(count, dim, start=0):
    """fairseq sinusoids: position p = index + 2 (pad_idx 1 + 1), [sin | cos] halves."""
    half = dim // 2
    freq = np.exp(-np.arange(half) * math.log(10000.0) / (half - 1))
    p = np.arange(start, start + count)[:, None] + 2.0
    return np.concatenate([np.sin(p * freq), np.cos(p * freq)], axis=1)


def _attention(q_in, kv_in, w, prefix, heads, allowed):
    """Multi-head attention with the module's q/k/v/o; allowed [Tq, Tk] boolean."""
    tq, tk, d = q_in.shape[0], kv_in.shape[0], q_in.shape[1]
    dh = d // heads
    q = _linear(q_in, w[prefix + "q"]).reshape(tq, heads, dh).transpose(1, 0, 2)
    k = _linear(kv_in, w[prefix + "k"]).reshape(tk, heads, dh).transpose(1, 0, 2)
    v = _linear(kv_in, w[prefix + "v"]).reshape(tk, heads, dh).transpose(1, 0, 2)
    s = q @ k.transpose(0, 2, 1) / math.sqrt(dh)
    s = np.where(allowed[None], s, -np.inf)
    s = np.exp(s - s.max(-1, keepdims=True))
    a = s / s.sum(-1, keepdims=True)
    return _linear((a @ v).transpose(1, 0, 2).reshape(tq, d), w[prefix + "o"])


def reference_encode(w, ids, heads):
    """One sentence (list of fairseq2 ids, no padding) -> its embedding."""
    d = w["dim"]
    x = w["encoder.embed"][ids].astype(np.float64) * math.sqrt(d) + _positions(len(ids), d)
    full = np.ones((len(ids), len(ids)), dtype=bool)
    for i in range(w["layers"]):
        p = f"encoder.{i}."
        x = x + _attention(_ln(x, w[p + "self_norm"]), _ln(x, w[p + "self_norm"]), w, p + "self_", heads, full)
        h = _ln(x, w[p + "ffn_norm"])
        x = x + _linear(np.maximum(_linear(h, w[p + "fc1"]), 0), w[p + "fc2"])
    return _ln(x, w["encoder.final_norm"]).mean(0)


def reference_decode(w, ids, embedding, heads):
    """Teacher-forced logits [T, V] for ids (starting with the prefix), with real cross-attention:
    query from the cross-attention LayerNorm, key and value from the single memory vector."""
    d = w["dim"]
    t = len(ids)
    x = w["decoder.embed"][ids].astype(np.float64) * math.sqrt(d) + _positions(t, d)
    causal = np.tril(np.ones((t, t), dtype=bool))
    memory = np.asarray(embedding, dtype=np.float64)[None]
    one_key = np.ones((t, 1), dtype=bool)
    for i in range(w["layers"]):
        p = f"decoder.{i}."
        h = _ln(x, w[p + "self_norm"])
        x = x + _attention(h, h, w, p + "self_", heads, causal)
        x = x + _attention(_ln(x, w[p + "cross_norm"]), memory, w, p + "cross_", heads, one_key)
        h = _ln(x, w[p + "ffn_norm"])
        x = x + _linear(np.maximum(_linear(h, w[p + "fc1"]), 0), w[p + "fc2"])
    return _ln(x, w["decoder.final_norm"]) @ w["decoder.embed"].astype(np.float64).T
