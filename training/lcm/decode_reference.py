"""Greedy decoding through the codec's decoder in PyTorch, its weights read from decoder.onnx
(lcm.encode_tokens.decoder_from_onnx): the frozen decoder the decoder-CE objective trains through
(issue 14). Prints one line per concept; the test suite holds it to `lcm decode` on the same concepts.

  python3 -m lcm.decode_reference --codec ../models/default/codec --concepts ENCODED.json [--lang eng_Latn]

ENCODED.json: what `lcm encode --format json` writes.
"""
import argparse
import json
from pathlib import Path

import torch

from codec.train import EOS
from common import set_torch_threads
from lcm.encode_tokens import decoder_from_onnx


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--codec", required=True)
    ap.add_argument("--concepts", required=True)
    ap.add_argument("--lang", default="eng_Latn")
    ap.add_argument("--max-tokens", type=int, default=128)
    args = ap.parse_args()
    set_torch_threads()
    import sentencepiece as spm

    model, manifest = decoder_from_onnx(args.codec)
    sp = spm.SentencePieceProcessor(model_file=str(Path(args.codec) / manifest["tokenizer"]["file"]))
    tag = sp.piece_to_id(f"__{args.lang}__")
    concepts = json.loads(Path(args.concepts).read_text())["concepts"]
    with torch.no_grad():
        for concept in concepts:
            memory = torch.tensor([concept["vector"]], dtype=torch.float32)
            ids = [EOS, tag]
            for _ in range(args.max_tokens):
                nxt = int(model.decode_logits(torch.tensor([ids]), memory)[0, -1].argmax())
                if nxt == EOS:
                    break
                ids.append(nxt)
            print(sp.decode(ids[2:]))


if __name__ == "__main__":
    main()
