"""Stage 6: measure a codec on the held-out NTREX test documents (never trained on).

For every language with a test file: auto-encoding chrF (encode then decode in the same language),
translation chrF through the concept space (xx->eng and eng->xx), and xsim error (nearest-neighbour
retrieval of the translation among the test set's sentences, both directions). Greedy decoding.
chrF/BLEU come from sacrebleu when it is installed (the GPU image has it); otherwise from our own
chrF (codec/chrf.py, sacrebleu's algorithm) and BLEU is omitted.
Writes one JSON report.
"""
import argparse
import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from codec.model import CodecConfig, ConceptCodec

PAD, UNK, BOS, EOS = 0, 1, 2, 3


def load_model(weights, device):
    if str(weights).endswith(".pt"):
        ck = torch.load(weights, map_location="cpu")
        cfg, sd = CodecConfig(**ck["config"]), ck["model"]
    else:
        from codec.weights import load_packed

        sd, extra = load_packed(str(weights).split(".part")[0])
        cfg = CodecConfig(**extra["config"])
    m = ConceptCodec(cfg)
    m.load_state_dict(sd)
    return m.to(device).eval()


class Codec:
    def __init__(self, model, sp, device, batch=256, max_pieces=126):
        self.m, self.sp, self.device, self.batch, self.max_pieces = model, sp, device, batch, max_pieces

    def tag(self, lang):
        i = self.sp.piece_to_id(f"__{lang}__")
        if i <= 3:
            raise KeyError(lang)
        return i

    @torch.no_grad()
    def encode(self, texts, lang):
        tag = self.tag(lang)
        seqs = [[tag] + p[: self.max_pieces] + [EOS] for p in self.sp.encode(texts)]
        out = []
        for s in range(0, len(seqs), self.batch):
            chunk = seqs[s: s + self.batch]
            t = max(map(len, chunk))
            ids = torch.zeros(len(chunk), t, dtype=torch.long)
            for i, x in enumerate(chunk):
                ids[i, : len(x)] = torch.tensor(x)
            ids = ids.to(self.device)
            out.append(self.m.encode(ids, (ids != PAD).long()).float())
        return torch.cat(out)

    @torch.no_grad()
    def decode(self, concepts, lang, max_len=128):
        tag = self.tag(lang)
        cfg = self.m.cfg
        L, H, Dh = cfg.decoder_layers, cfg.heads, cfg.dim // cfg.heads
        results = []
        for s in range(0, len(concepts), self.batch):
            c = concepts[s: s + self.batch]
            b = len(c)
            pk = torch.zeros(L, b, H, 0, Dh, device=self.device)
            pv = pk.clone()
            inp = torch.tensor([[EOS, tag]] * b, device=self.device)
            out = torch.zeros(b, 0, dtype=torch.long, device=self.device)
            done = torch.zeros(b, dtype=torch.bool, device=self.device)
            for _ in range(max_len):
                logits, pk, pv = self.m.decode_step(inp, c, pk, pv)
                nxt = logits[:, -1].argmax(-1)
                nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
                out = torch.cat([out, nxt[:, None]], 1)
                done |= nxt == EOS
                if done.all():
                    break
                inp = nxt[:, None]
            for row in out.tolist():
                ids = [t for t in row if t not in (PAD, EOS)]
                if EOS in row:
                    ids = [t for t in row[: row.index(EOS)] if t != PAD]
                results.append(self.sp.decode([t for t in ids if t > 3]))
        return results


def xsim_error(a, b):
    a, b = F.normalize(a, dim=-1), F.normalize(b, dim=-1)
    sim = a @ b.T
    return float((sim.argmax(1) != torch.arange(len(a), device=a.device)).float().mean())


def scorer():
    try:
        import sacrebleu

        def chrf(hyp, ref):
            return sacrebleu.corpus_chrf(hyp, [ref]).score

        def bleu(hyp, ref, lang):
            tok = ("zh" if lang.startswith(("zho", "yue", "wuu")) else
                   "char" if lang[:3] in ("jpn", "tha", "khm", "lao", "mya", "bod", "dzo") else "13a")
            return sacrebleu.corpus_bleu(hyp, [ref], tokenize=tok).score

        return chrf, bleu, "sacrebleu " + sacrebleu.__version__
    except ImportError:
        from codec.chrf import corpus_chrf

        return corpus_chrf, None, "codec/chrf.py"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--test", required=True, help="held-out dir with <lang>.txt files aligned with eng_Latn.txt")
    ap.add_argument("--langs", help="comma-separated subset (default: every file with a tokenizer tag)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--limit", type=int, default=0, help="first N sentences only")
    args = ap.parse_args()
    import sentencepiece as spm

    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if device.type == "cpu":
        torch.set_num_threads(2)
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
    sp = spm.SentencePieceProcessor(model_file=args.tokenizer)
    codec = Codec(load_model(args.weights, device), sp, device)
    chrf, bleu, impl = scorer()
    test = Path(args.test)

    def read(lang):
        lines = (test / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        return lines[: args.limit] if args.limit else lines

    eng = read("eng_Latn")
    eng_emb = codec.encode(eng, "eng_Latn")
    main_first = ["eng_Latn", "fra_Latn", "deu_Latn", "spa_Latn", "rus_Cyrl", "zho_Hans", "jpn_Jpan", "arb_Arab",
                  "hin_Deva", "por_Latn", "ita_Latn", "ces_Latn", "tur_Latn"]
    found = sorted(p.stem for p in test.glob("*.txt") if "-" not in p.stem)
    langs = args.langs.split(",") if args.langs else [l for l in main_first if l in found] + \
        [l for l in found if l not in main_first]
    report = {"scorer": impl, "decoding": "greedy", "sentences": len(eng), "languages": {}}
    t0 = time.time()
    for lang in langs:
        try:
            codec.tag(lang)
        except KeyError:
            continue
        xx = read(lang)
        emb = codec.encode(xx, lang)
        ae = codec.decode(emb, lang)
        row = {"ae_chrf": chrf(ae, xx)}
        if lang != "eng_Latn":
            x2e = codec.decode(emb, "eng_Latn")
            e2x = codec.decode(eng_emb, lang)
            row.update({"x2e_chrf": chrf(x2e, eng), "e2x_chrf": chrf(e2x, xx),
                        "xsim_x2e": xsim_error(emb, eng_emb), "xsim_e2x": xsim_error(eng_emb, emb)})
            if bleu:
                row["x2e_bleu"] = bleu(x2e, eng, "eng_Latn")
                row["e2x_bleu"] = bleu(e2x, xx, lang)
            row["examples"] = [{"src": xx[i], "ae": ae[i], "x2e": x2e[i], "e2x": e2x[i]} for i in range(2)]
        else:
            row["examples"] = [{"src": xx[i], "ae": ae[i]} for i in range(3)]
        if bleu:
            row["ae_bleu"] = bleu(ae, xx, lang)
        report["languages"][lang] = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
        print(lang, {k: v for k, v in report["languages"][lang].items() if k != "examples"}, flush=True)
        report["seconds"] = round(time.time() - t0, 1)
        Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False))  # partial results survive a timeout
    report["seconds"] = round(time.time() - t0, 1)
    Path(args.out).write_text(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
