"""Build the SentencePiece fixtures that pin the TypeScript tokenizer (src/codec/sentencepiece/) to
Python's `sentencepiece`.

Trains three small models on a multilingual sample of NTREX-128 and writes, for a few hundred held-out
sentences in ~120 languages plus hand-made edge cases, the ids / pieces / decoded text that Python's
`sentencepiece` produces. The TypeScript tests must reproduce every id exactly.

Models (each covers a different code path):
  unigram.model  unigram, nmt_nfkc, byte fallback, language tags as user-defined symbols,
                 pad=0 unk=1 bos=2 eos=3: the layout of our own codec tokenizer.
  bpe.model      BPE, nmt_nfkc_cf (another charsmap), no byte fallback (runs of unknowns merge),
                 default ids unk=0 bos=1 eos=2, one user-defined symbol.
  ws.model       unigram, identity normalizer, extra whitespace kept, whitespace-only pieces allowed,
                 no dummy prefix: the whitespace code paths.
  denorm.model   tiny English unigram with a denormalization rule (a -> A, bc -> XYZ) applied to
                 decoded text.

Run from training/ with Debian's python (it has sentencepiece):  /usr/bin/python3 -m tokenizer_fixtures
Options: --reuse rewrites the expectations for the committed models without retraining them;
--extra-model PATH --extra-name NAME adds expectations for a .model file committed elsewhere in the
repo, read in place by the tests. The shipped codec tokenizer's fixture is made with
  /usr/bin/python3 -m tokenizer_fixtures --extra-model ../models/default/codec/tokenizer.model \\
      --extra-name default-codec
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import tempfile
from pathlib import Path

import sentencepiece as spm

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("LCM_DATA", REPO.parent / "shared" / "data"))
NTREX = DATA / "parallel" / "ntrex128"
OUT = REPO / "test" / "fixtures" / "spm"

TRAIN_LINES = 1500  # lines [0, 1500) of every language train the models; the rest are held out
TAGS = ["__eng_Latn__", "__fra_Latn__", "__deu_Latn__", "__rus_Cyrl__", "__zho_Hans__", "__arb_Arab__"]

# Hand-made inputs for the code paths real sentences rarely reach.
EDGE_CASES = [
    "",
    " ",
    "   \t  ",
    "a",
    "  leading and trailing spaces  ",
    "many     inner      spaces",
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three",
    "no\u00a0break\u00a0space and\u2009thin\u2009space and\u3000ideographic\u3000space",
    "\u200bzero\u200bwidth\u200djoiner\ufeffbom",
    "control\u0001chars\u0007here\u007fand\u0085there",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ １２３ ＡＢＣ！？",
    "ｶﾀｶﾅ half-width katakana ﾊﾟﾋﾟ",
    "ligatures: ﬁne ﬂow ﬀ ǆ Ⅻ ½ ⅞ x² H₂O ㎏ ㍿ ℃ ™ № …",
    "circled ① ② ⑳ and parenthesised ⑴ ⒜",
    "combining: e\u0301 vs \u00e9, a\u030a vs \u00e5, n\u0303 vs \u00f1, \u1e9b\u0323",
    "Hangul: 한국어 \u1112\u1161\u11ab compatibility jamo ㄱㄴㄷ",
    "math bold 𝐀𝐁𝐂 and script 𝒜 and double-struck ℝ",
    "emoji 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🏳️‍🌈 #️⃣",
    "CJK ext B 𠀀𠀁 and rare 龘 𪚥",
    "Arabic tatweel: عـــربي and marks \u200f\u200eRTL",
    "Hebrew with niqqud: שָׁלוֹם עֲלֵיכֶם",
    "Devanagari: नमस्ते दुनिया, क़ ख़ ग़",
    "Thai: ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "Greek: Ελληνικά ΐ ΰ ς σ Σ",
    "__eng_Latn__ Hello world",
    "text__fra_Latn__glued and __deu_Latn____rus_Cyrl__ twice",
    "__unknown_Tag__ is not a tag",
    "<s> </s> <unk> <pad> are literal text",
    "▁ lower one eighth block ▁▁ in input",
    "<0x41> looks like a byte piece",
    "URL https://example.com/path?q=1&x=%20 and email a.b@example.org",
    "numbers 3.14159 1,000,000 2024-01-31 12:34:56 +49 (0)30 123456",
    "UPPER lower MiXeD ÀÉÎÕÜ àéîõü ß ẞ İ ı ǅ",
    "supercalifragilisticexpialidociouspneumonoultramicroscopicsilicovolcanoconiosis",
    "a" * 300,
    "..." * 40,
    "mixed 中文 русский English العربية हिन्दी 日本語 한국어 ไทย",
    "Ⓐⓑⓒ ⅰⅱⅲ ㊀㊁ ㋀ ㏠ ㎡ ﹏ ﹖ ︵",
    "\u00ad soft hyphen and\u2028line sep\u2029para sep",
    "quotes “double” ‘single’ «guillemets» „low“ ‹›",
    "dashes - – — ― and ellipsis … and bullets • ‣",
]


def read_lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def write_json_gz(path, value):
    # mtime=0 keeps the bytes identical between runs with identical content.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write((json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8"))


def load_corpus(rng):
    train, held_out = [], []
    for path in sorted(NTREX.glob("*.txt.gz")):
        lines = read_lines(path)
        train.extend(lines[:TRAIN_LINES])
        rest = [line for line in lines[TRAIN_LINES:] if line.strip()]
        held_out.extend(rng.sample(rest, 2))
    return train, held_out


MODEL_NAMES = ("unigram", "bpe", "ws", "denorm")


def train_models(train_path, workdir, names):
    common = dict(input=str(train_path), input_sentence_size=40000, shuffle_input_sentence=True,
                  num_threads=2, seed_sentencepiece_size=200000)
    # Fixed seed in the trainer's shuffling keeps reruns close (sentencepiece seeds from the clock otherwise).
    spm.set_random_generator_seed(1)
    if "unigram" in names:
        spm.SentencePieceTrainer.train(
            **common, model_prefix=str(workdir / "unigram"), model_type="unigram", vocab_size=4000,
            character_coverage=0.995, normalization_rule_name="nmt_nfkc", byte_fallback=True,
            pad_id=0, unk_id=1, bos_id=2, eos_id=3, user_defined_symbols=TAGS)
    if "bpe" in names:
        spm.SentencePieceTrainer.train(
            **common, model_prefix=str(workdir / "bpe"), model_type="bpe", vocab_size=2000,
            character_coverage=0.98, normalization_rule_name="nmt_nfkc_cf",
            user_defined_symbols=["__eng_Latn__"])
    if "ws" in names:
        spm.SentencePieceTrainer.train(
            **common, model_prefix=str(workdir / "ws"), model_type="unigram", vocab_size=1500,
            character_coverage=0.98, normalization_rule_name="identity", remove_extra_whitespaces=False,
            add_dummy_prefix=False, allow_whitespace_only_pieces=True, split_by_whitespace=True)
    if "denorm" in names:
        english = workdir / "english.txt"
        english.write_text("\n".join(read_lines(NTREX / "eng_Latn.txt.gz")[:TRAIN_LINES]) + "\n", encoding="utf-8")
        rule = workdir / "denorm.tsv"
        rule.write_text("61\t41\n62 63\t58 59 5A\n", encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(english), model_prefix=str(workdir / "denorm"), model_type="unigram", vocab_size=300,
            normalization_rule_name="identity", denormalization_rule_tsv=str(rule), num_threads=2)
    return {name: workdir / f"{name}.model" for name in names}


def expectations(model_path, sentences, rng):
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    cases = []
    for text in sentences:
        ids = sp.encode(text)
        cases.append({"ids": ids, "pieces": sp.encode(text, out_type=str), "decoded": sp.decode(ids)})
    # Decoding arbitrary id sequences (control, unknown, byte and user pieces anywhere) pins decode().
    n = sp.get_piece_size()
    special = [i for i in range(n) if sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i)][:300]
    random_decodes = []
    for _ in range(60):
        ids = [rng.choice(special) if rng.random() < 0.4 else rng.randrange(n) for _ in range(rng.randint(1, 12))]
        random_decodes.append({"ids": ids, "decoded": sp.decode(ids)})
    return {"model": model_path.name, "vocab_size": n, "sentences": cases, "random_decodes": random_decodes}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reuse", action="store_true", help="keep the committed models, only rewrite expectations")
    ap.add_argument("--only", nargs="+", choices=MODEL_NAMES, default=list(MODEL_NAMES),
                    help="train (or with --reuse, rewrite) only these fixtures")
    ap.add_argument("--extra-model", type=Path, help="also write expectations for this .model file")
    ap.add_argument("--extra-name", default="default", help="fixture name for --extra-model")
    args = ap.parse_args()
    rng = random.Random(7)
    train, held_out = load_corpus(rng)
    sentences = held_out + EDGE_CASES
    OUT.mkdir(parents=True, exist_ok=True)
    write_json_gz(OUT / "sentences.json.gz", sentences)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        train_path = workdir / "train.txt"
        train_path.write_text("\n".join(train) + "\n", encoding="utf-8")
        if args.extra_model:
            models = {args.extra_name: args.extra_model}
        elif args.reuse:
            models = {name: OUT / f"{name}.model" for name in args.only}
        else:
            models = train_models(train_path, workdir, args.only)
        for name, path in models.items():
            data = path.read_bytes()
            exp = expectations(path, sentences, rng)
            if args.extra_model:
                # A model shipped elsewhere in the repo is not copied: the test reads it in place and
                # checks its hash, so a retrained model fails loudly until this is rerun.
                exp["model"] = str(path.resolve().relative_to(REPO))
                exp["model_sha256"] = hashlib.sha256(data).hexdigest()
            else:
                if path.resolve() != (OUT / f"{name}.model").resolve():
                    (OUT / f"{name}.model").write_bytes(data)
                exp["model"] = f"{name}.model"
            write_json_gz(OUT / f"{name}.expected.json.gz", exp)
            print(f"{name}: {len(data) / 1024:.0f} KB model, {exp['vocab_size']} pieces, {len(sentences)} sentences")

if __name__ == "__main__":
    main()
