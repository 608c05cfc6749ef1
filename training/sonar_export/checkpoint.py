"""Read Meta's SONAR text checkpoints without fairseq2 and rename their weights to ConceptCodec's.

Accepted layouts (SONAR@8da24c2, sonar/models/sonar_text/handler.py describes both):
  fairseq   {"state_dict": {...}} (or {"model": {...}} from fairseq itself), keys such as
            layers.N.self_attn.out_proj.weight, layers.N.fc1.weight, layers.N.final_layer_norm.weight,
            embed_tokens.weight, layer_norm.weight; decoders add layers.N.encoder_attn.* and
            output_projection.weight. Keys may carry an "encoder." / "decoder." prefix.
  fairseq2  {"model": {...}} as written by fairseq2's converter: encoder_frontend.embed.weight,
            encoder.layers.N.self_attn.output_proj.weight, encoder.layers.N.ffn.inner_proj.weight,
            encoder.layers.N.ffn_layer_norm.weight, layer_norm.weight; decoder_frontend.embed.weight,
            decoder.layers.N.encoder_decoder_attn.*, decoder.layer_norm.weight, final_proj.weight.

Special-id rows. fairseq's dictionary puts <s>, <pad>, </s>, <unk> at ids 0..3 (Hugging Face keeps that
order); fairseq2's NLLB tokenizer uses <pad>, <unk>, <s>, </s>. fairseq2's converter therefore moves
embedding rows (BOS, PAD, EOS, UNK) -> (PAD, UNK, BOS, EOS). We do the same for fairseq-layout files, so
every export speaks fairseq2 ids (pad 0, unk 1, bos 2, eos 3): SONAR's own golden values (decoder
prefix [3, 333]) are stated in those ids. Files already in fairseq2 layout are left as they are.

Decoder cross-attention. The decoder attends to a single memory vector (the sentence embedding, no
padding mask). Softmax over one key is exactly 1, so each cross-attention block returns
out_proj(v_proj(e)) whatever the query is: its q_proj and k_proj, and the pre-LN that only feeds the
query (encoder_attn_layer_norm), cannot change the output. ConceptCodec keeps only v_proj/out_proj;
the other weights are read, checked for shape and dropped.
"""
import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import torch

# New row i of a fairseq2-ordered table is row FAIRSEQ_ROWS_FOR_FAIRSEQ2[i] of a fairseq-ordered one:
# pad <- fairseq 1, unk <- fairseq 3, bos <- fairseq 0, eos <- fairseq 2.
FAIRSEQ_ROWS_FOR_FAIRSEQ2 = (1, 3, 0, 2)

# Bookkeeping entries with no weights in them (fairseq's version counters and position buffers;
# sinusoidal positions are recomputed by the model).
_IGNORED = re.compile(r"(^|\.)(version|_float_tensor)$|(^|\.)(embed_positions|pos_encoder)\.")

# The feed-forward block: named alike in encoder and decoder layers (fairseq's name, then fairseq2's).
_FFN = {
    "fc1": "ffn.inner",
    "ffn.inner_proj": "ffn.inner",
    "fc2": "ffn.outer",
    "ffn.output_proj": "ffn.outer",
    "final_layer_norm": "ffn_norm",
    "ffn_layer_norm": "ffn_norm",
}

_ENCODER_LAYER = {
    "self_attn.q_proj": "attn.q_proj",
    "self_attn.k_proj": "attn.k_proj",
    "self_attn.v_proj": "attn.v_proj",
    "self_attn.out_proj": "attn.out_proj",
    "self_attn.output_proj": "attn.out_proj",
    "self_attn_layer_norm": "attn_norm",
    **_FFN,
}

_DECODER_LAYER = {
    "self_attn.q_proj": "self_attn.q_proj",
    "self_attn.k_proj": "self_attn.k_proj",
    "self_attn.v_proj": "self_attn.v_proj",
    "self_attn.out_proj": "self_attn.out_proj",
    "self_attn.output_proj": "self_attn.out_proj",
    "self_attn_layer_norm": "self_attn_norm",
    **_FFN,
    "encoder_attn.v_proj": "cross_v_proj",
    "encoder_decoder_attn.v_proj": "cross_v_proj",
    "encoder_attn.out_proj": "cross_out_proj",
    "encoder_decoder_attn.output_proj": "cross_out_proj",
}

# Read, shape-checked and dropped: they only act on the query of a one-key attention.
_DECODER_QUERY_ONLY = (
    "encoder_attn.q_proj", "encoder_attn.k_proj", "encoder_attn_layer_norm",
    "encoder_decoder_attn.q_proj", "encoder_decoder_attn.k_proj", "encoder_decoder_attn_layer_norm",
)

_CROSS_ATTENTION = re.compile(r"^(encoder_attn|encoder_decoder_attn)")


class CheckpointError(Exception):
    """A checkpoint that is not a SONAR text encoder/decoder of the expected shape; one clear line."""


@dataclass
class SonarHalf:
    """One side (encoder or decoder) of SONAR, renamed to ConceptCodec parameter names."""

    role: str
    state: dict
    vocab_size: int
    dim: int
    ffn: int
    layers: int
    layout: str  # "fairseq" or "fairseq2"
    embedding_order: str  # row order found in the file; the state is always in fairseq2 order
    dropped: list = field(default_factory=list)  # weights read but not needed (cross-attention q/k/LN)
    notes: list = field(default_factory=list)


def _torch_load(path):
    """torch.load across torch versions: memory-mapped where possible (2.1+, zip-format files) and
    weights-only first (plain tensor dictionaries need nothing else); a file that also pickles objects
    is re-read in full pickle mode (it is the user's own download from Meta). The last, most permissive
    attempt's error is the one reported."""
    params = inspect.signature(torch.load).parameters
    mmaps = (True, False) if "mmap" in params else (None,)
    weights_only = (True, False) if "weights_only" in params else (None,)
    error = None
    for mmap in mmaps:
        for safe in weights_only:
            kwargs = {"map_location": "cpu"}
            if mmap is not None:
                kwargs["mmap"] = mmap
            if safe is not None:
                kwargs["weights_only"] = safe
            try:
                return torch.load(str(path), **kwargs)
            except ModuleNotFoundError:
                raise
            except Exception as e:  # noqa: BLE001 - try the next, more permissive way
                error = e
    raise error


def read_checkpoint(path) -> Mapping:
    """The tensor dictionary inside a .pt file, whatever container it comes in."""
    try:
        ck = _torch_load(path)
    except ModuleNotFoundError as error:
        raise CheckpointError(
            f"{path}: the file pickles a '{error.name}' object; install that package or re-save the weights only"
        ) from error
    except Exception as error:  # truncated downloads end up here
        raise CheckpointError(f"{path}: not a readable PyTorch checkpoint ({error})") from error
    if not isinstance(ck, Mapping):
        raise CheckpointError(f"{path}: expected a dictionary of weights, found {type(ck).__name__}")
    for container in ("model", "state_dict"):
        if isinstance(ck.get(container), Mapping):
            ck = ck[container]
            break
    flat = {}
    for key, value in ck.items():
        if isinstance(value, torch.Tensor):
            flat[key] = value
        elif isinstance(value, torch.nn.Module):
            flat.update({f"{key}.{k}": v for k, v in value.state_dict().items()})
    if not flat:
        raise CheckpointError(f"{path}: no weight tensors found")
    return flat


def _canonical(key):
    """(owner, name): owner is 'encoder', 'decoder' or None (either); name drops the owner prefix and
    spells embeddings 'embed', output projections 'output_proj' and the final norm 'final_norm'."""
    if key in ("encoder_frontend.embed.weight", "decoder_frontend.embed.weight"):
        return key.split("_")[0], "embed"
    if key in ("final_proj.weight", "output_projection.weight", "decoder.output_projection.weight"):
        return "decoder", "output_proj"
    owner = None
    m = re.match(r"^(encoder|decoder)\.(.*)$", key)
    if m:
        owner, key = m.group(1), m.group(2)
    if key == "embed_tokens.weight":
        return owner, "embed"
    if key.startswith("layer_norm."):
        return owner, "final_norm." + key[len("layer_norm."):]
    return owner, key


def extract_half(sd: Mapping, role: str, embedding_order: str = "auto", source: str = "checkpoint") -> SonarHalf:
    """Rename one side's weights to ConceptCodec names (role 'encoder' or 'decoder')."""
    assert role in ("encoder", "decoder")
    other = "decoder" if role == "encoder" else "encoder"
    entries = {}
    ignored = []
    others = 0
    for key, tensor in sd.items():
        if _IGNORED.search(key):
            ignored.append(key)
            continue
        owner, name = _canonical(key)
        if owner == other:
            others += 1  # the other half of a full encoder-decoder checkpoint
            continue
        entries[name] = (key, tensor)
    if "embed" not in entries and others:
        a = {"encoder": "an encoder", "decoder": "a decoder"}
        raise CheckpointError(f"{source}: holds only {other} weights, so it is {a[other]} checkpoint, not {a[role]}")
    if "embed" not in entries:
        raise CheckpointError(f"{source}: no token embedding (embed_tokens.weight or {role}_frontend.embed.weight)")
    embed_key, embed = entries.pop("embed")
    layout = "fairseq2" if "_frontend." in embed_key else "fairseq"
    found_order = layout if embedding_order == "auto" else embedding_order
    vocab_size, dim = embed.shape

    layer_map = _ENCODER_LAYER if role == "encoder" else _DECODER_LAYER
    prefix = "encoder_layers" if role == "encoder" else "decoder_layers"
    state, dropped, unknown = {}, [], []
    layer_ids = set()
    has_cross = False
    output_proj = None
    for name, (key, tensor) in entries.items():
        if name == "output_proj":
            output_proj = (key, tensor)
            continue
        if name.startswith("final_norm."):
            state[f"{role}_norm.{name.split('.', 1)[1]}"] = tensor
            continue
        m = re.match(r"^layers\.(\d+)\.(.+)\.(weight|bias)$", name)
        if not m:
            unknown.append(key)
            continue
        idx, part, param = int(m.group(1)), m.group(2), m.group(3)
        layer_ids.add(idx)
        if _CROSS_ATTENTION.match(part):
            has_cross = True
        if role == "decoder" and part in _DECODER_QUERY_ONLY:
            want = (dim,) if (part.endswith("layer_norm") or param == "bias") else (dim, dim)
            if tuple(tensor.shape) != want:
                raise CheckpointError(f"{source}: {key} has shape {tuple(tensor.shape)}, expected {want}")
            dropped.append(key)
            continue
        if part not in layer_map:
            unknown.append(key)
            continue
        state[f"{prefix}.{idx}.{layer_map[part]}.{param}"] = tensor
    if role == "encoder" and has_cross:
        raise CheckpointError(f"{source}: has cross-attention weights, so it is a decoder checkpoint, not an encoder")
    if role == "decoder" and not has_cross:
        raise CheckpointError(
            f"{source}: has no cross-attention weights, so it is an encoder checkpoint, not a decoder")
    if unknown:
        shown = ", ".join(sorted(unknown)[:5])
        raise CheckpointError(f"{source}: {len(unknown)} unexpected weight(s) for a SONAR text {role}: {shown}")
    if not layer_ids:
        raise CheckpointError(f"{source}: no Transformer layers found")
    layers = max(layer_ids) + 1
    if sorted(layer_ids) != list(range(layers)):
        raise CheckpointError(f"{source}: layer numbers are not contiguous: {sorted(layer_ids)}")

    embed = embed.float().clone()
    notes = []
    if output_proj is not None:
        key, weight = output_proj
        if weight.shape != embed.shape or not torch.equal(weight.float()[4:], embed[4:]):
            raise CheckpointError(f"{source}: {key} is not tied to the token embedding; this export ties them")
        if not torch.equal(weight.float()[:4], embed[:4]):
            notes.append(f"{key} differs from the embedding in the 4 special rows; the embedding's rows are used")
    if found_order == "fairseq":
        embed = embed[list(FAIRSEQ_ROWS_FOR_FAIRSEQ2) + list(range(4, vocab_size))]
        notes.append("embedding rows 0-3 moved from fairseq order (<s>,<pad>,</s>,<unk>) to fairseq2 order "
                     "(<pad>,<unk>,<s>,</s>)")
    state["embed.weight"] = embed
    state = {k: v.float() for k, v in state.items()}
    ffn_key = f"{prefix}.0.ffn.inner.weight"
    if ffn_key not in state:
        raise CheckpointError(f"{source}: layer 0 has no feed-forward weights (fc1 / ffn.inner_proj)")
    half = SonarHalf(role=role, state=state, vocab_size=vocab_size, dim=dim, ffn=state[ffn_key].shape[0],
                     layers=layers, layout=layout, embedding_order=found_order, dropped=sorted(dropped), notes=notes)
    _check_shapes(half, source)
    if ignored:
        half.notes.append(f"ignored {len(ignored)} bookkeeping entries ({', '.join(sorted(ignored)[:3])})")
    return half


def _check_shapes(half: SonarHalf, source):
    d, f = half.dim, half.ffn
    for name, tensor in half.state.items():
        part = name.rsplit(".", 1)[0]
        if name == "embed.weight":
            continue
        if part.endswith("ffn.inner"):
            shape = (f, d) if name.endswith("weight") else (f,)
        elif part.endswith("ffn.outer"):
            shape = (d, f) if name.endswith("weight") else (d,)
        elif part.endswith("norm"):
            shape = (d,)
        else:  # attention projections
            shape = (d, d) if name.endswith("weight") else (d,)
        if tuple(tensor.shape) != shape:
            raise CheckpointError(f"{source}: {name} has shape {tuple(tensor.shape)}, expected {shape}")


def required_names(role: str, layers: int) -> set:
    """The ConceptCodec parameters a half must provide."""
    prefix = "encoder_layers" if role == "encoder" else "decoder_layers"
    parts = (["attn.q_proj", "attn.k_proj", "attn.v_proj", "attn.out_proj", "attn_norm"] if role == "encoder" else
             ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "self_attn_norm",
              "cross_v_proj", "cross_out_proj"]) + ["ffn.inner", "ffn.outer", "ffn_norm"]
    names = {"embed.weight", f"{role}_norm.weight", f"{role}_norm.bias"}
    for i in range(layers):
        for part in parts:
            names |= {f"{prefix}.{i}.{part}.weight", f"{prefix}.{i}.{part}.bias"}
    return names
