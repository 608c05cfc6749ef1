"""Greedy decoding through the codec's decoder in PyTorch, its weights read from decoder.onnx
(lcm.encode_tokens.decoder_from_onnx): the frozen decoder the decoder-CE objective trains through
(issue 14). Prints one line per concept; the test suite holds it to `lcm decode` on the same concepts.

  python3 -m lcm.decode_reference --codec ../models/default/codec --concepts ENCODED.json [--lang eng_Latn]
      [--follow DECODED.txt]

ENCODED.json: what `lcm encode --format json` writes. With --follow (one text per concept, e.g. what
`lcm decode` printed), each line is instead JSON: the greedy text here and, teacher-forcing that text's
tokens (and </s>), the largest gap in log-probability between this decoder's best token and the one
followed. The tool runs the int8 graph with its own kernels, so where two tokens are nearly tied the
two greedy texts may part; a gap near 0 at every step says the tool chose what this decoder would have.
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
    ap.add_argument("--follow", help="file of texts, one per concept, to teacher-force and compare")
    args = ap.parse_args()
    set_torch_threads()
    import sentencepiece as spm

    model, manifest = decoder_from_onnx(args.codec)
    sp = spm.SentencePieceProcessor(model_file=str(Path(args.codec) / manifest["tokenizer"]["file"]))
    tag = sp.piece_to_id(f"__{args.lang}__")
    concepts = json.loads(Path(args.concepts).read_text())["concepts"]
    follow = Path(args.follow).read_text().splitlines() if args.follow else None
    with torch.no_grad():
        for i, concept in enumerate(concepts):
            memory = torch.tensor([concept["vector"]], dtype=torch.float32)
            ids = [EOS, tag]
            for _ in range(args.max_tokens):
                nxt = int(model.decode_logits(torch.tensor([ids]), memory)[0, -1].argmax())
                if nxt == EOS:
                    break
                ids.append(nxt)
            greedy = sp.decode(ids[2:])
            if follow is None:
                print(greedy)
                continue
            target = [EOS, tag, *sp.encode(follow[i]), EOS]
            logp = torch.log_softmax(model.decode_logits(torch.tensor([target[:-1]]), memory)[0], dim=-1)
            chosen = logp[torch.arange(len(target) - 1), torch.tensor(target[1:])]
            gaps = logp.max(dim=-1).values - chosen
            # the first position predicts the language tag, which is given, not chosen
            print(json.dumps({"greedy": greedy, "followed": follow[i], "max_gap": round(float(gaps[1:].max()), 4)}))


if __name__ == "__main__":
    main()
