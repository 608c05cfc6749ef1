"""manifest.json for an exported SONAR codec (same shape as codec/export_onnx.py's, plus what the
NLLB id layout, external weight files and the licence need)."""
import hashlib
from pathlib import Path

from .graphs import DECODER_MAX_TOKENS, ENCODER_MAX_TOKENS
from .languages import SONAR_LANGUAGES

LICENSE_NOTICE = (
    "SONAR text encoder and decoder weights (c) Meta Platforms, Inc., licensed under Creative Commons "
    "Attribution-NonCommercial 4.0 International (CC BY-NC 4.0, "
    "https://creativecommons.org/licenses/by-nc/4.0/): non-commercial use only, with attribution. "
    "These files were converted by lcm's training/export_sonar.py from checkpoints the user downloaded "
    "from Meta (https://github.com/facebookresearch/SONAR); the lcm project does not distribute them. "
    "Cite: Duquenne, Schwenk, Sagot, 'SONAR: Sentence-Level Multimodal and Language-Agnostic "
    "Representations', arXiv:2308.11466."
)

WEIGHTS = {
    "fp32": "fp32",
    "fp16": "fp16 weights behind Cast (fp32 compute)",
    "int8": "int8-per-channel (DequantizeLinear)",
}


def file_facts(path: Path, hash_it=True):
    facts = {"file": path.name, "bytes": path.stat().st_size}
    if hash_it:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                h.update(block)
        facts["sha256"] = h.hexdigest()
    return facts


def build_manifest(name, tokenizer, encoder, decoder, weights, provenance):
    """encoder / decoder: the dicts graphs.export_half returned."""
    enc_cfg, dec_cfg = encoder["config"], decoder["config"]
    if enc_cfg.dim != dec_cfg.dim:
        raise ValueError(f"encoder dim {enc_cfg.dim} and decoder dim {dec_cfg.dim} differ")
    for side, cfg in (("encoder", enc_cfg), ("decoder", dec_cfg)):
        if cfg.vocab_size != tokenizer.vocab_size:
            raise ValueError(f"{side} vocabulary has {cfg.vocab_size} rows but the tokenizer's NLLB layout "
                             f"needs {tokenizer.vocab_size} (piece count + 1 + {len(SONAR_LANGUAGES)} languages + 3)")
    return {
        "kind": "codec",
        "name": name,
        "version": "1",
        "embedding_dim": enc_cfg.dim,
        "languages": list(tokenizer.languages),
        "tokenizer": tokenizer.manifest_section("tokenizer.model"),
        "encoder": {"file": "encoder.onnx", "external_data": encoder["data_file"], "max_tokens": ENCODER_MAX_TOKENS,
                    "inputs": ["input_ids", "attention_mask"], "output": "sentence_embedding",
                    "pooling": "mean over non-pad tokens (language tag and </s> included)"},
        "decoder": {"file": "decoder.onnx", "external_data": decoder["data_file"], "layers": dec_cfg.decoder_layers,
                    "heads": dec_cfg.heads, "head_dim": dec_cfg.dim // dec_cfg.heads,
                    "vocab_size": dec_cfg.vocab_size, "max_tokens": DECODER_MAX_TOKENS,
                    "inputs": ["input_ids", "embedding", "past_key", "past_value"],
                    "outputs": ["logits", "present_key", "present_value"]},
        "generation": {"beam_size": 5, "length_normalized": True, "max_new_tokens": 128},
        "weights": WEIGHTS[weights],
        "architecture": {"encoder": enc_cfg.to_dict(), "decoder": dec_cfg.to_dict()},
        "license": "CC-BY-NC-4.0",
        "license_notice": LICENSE_NOTICE,
        "provenance": provenance,
    }
