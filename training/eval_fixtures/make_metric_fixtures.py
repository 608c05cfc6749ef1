"""Build the golden fixtures that test/eval-*.test.ts compares our TypeScript metrics against.

Expected values come from the reference implementations, run as-is:

  * sacrebleu 2.6.0   (BLEU: corpus_bleu / sentence_bleu, 13a tokenizer; chrF / chrF++: CHRF)
  * nltk 3.10.3       (nltk.stem.porter.PorterStemmer, default NLTK_EXTENSIONS mode, the one rouge-score uses)
  * rouge-score       (Google's rouge_scorer, from google-research/google-research, folder rouge/:
                       rouge_scorer.py @ 61ce9f0ca76025dac5b671c0631e443a9975a8a3, tokenize.py @ 7ce52c05,
                       tokenizers.py @ 30adf0ec, scoring.py @ 10bf941a; `score_multi` as released in
                       rouge-score 0.1.2: argmax over the per-reference F-measure, first one on ties)

None of them is installable from this project's package sources, so the fixtures were produced like this
(Debian 12, /usr/bin/python3 = CPython 3.11.2):

  python3 -m venv --system-site-packages /tmp/evalref
  /tmp/evalref/bin/pip install --no-index --find-links <local wheel mirror> sacrebleu==2.6.0 nltk==3.10.3
  # rouge-score: the four files above copied into /tmp/rouge_ref/rouge/ (package name `rouge`, as in the
  # google-research tree); nothing of it is committed here.
  cd training && PYTHONPATH=/tmp/rouge_ref /tmp/evalref/bin/python -m eval_fixtures.make_metric_fixtures \
      --data /work/shared/data

The google-research `rouge` package is used when it is importable (its folder on PYTHONPATH), else a
pip-installed rouge-score (`import rouge_score`). --out defaults to the repository's test/fixtures/eval.

Inputs are real sentences from the shared data (summaries vs documents, NTREX-128 translations and their
regional variants in Latin, Cyrillic, CJK and other scripts) plus hand-written edge cases (empty strings,
identical strings, punctuation-only text, numbers, HTML entities, unusual whitespace, astral characters).
Pairs are chosen with a fixed seed, so rerunning gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 5
REPO = Path(__file__).resolve().parents[2]


def read_jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def naive_sentences(text: str) -> list[str]:
    """Only used to lay summaries out one sentence per line for ROUGE-Lsum cases; any split will do."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if p.strip()]


def load_rouge():
    """Google's rouge_scorer: the pinned google-research copy (package `rouge`) when PYTHONPATH holds it,
    else the released rouge-score."""
    try:
        return importlib.import_module("rouge.rouge_scorer")
    except ImportError:
        return importlib.import_module("rouge_score.rouge_scorer")


# --------------------------------------------------------------------------------------------- ROUGE

ROUGE_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]

ROUGE_EDGE_CASES = [
    ("empty-prediction", "The cat sat on the mat.", ""),
    ("empty-target", "", "The cat sat on the mat."),
    ("both-empty", "", ""),
    ("identical", "The quick brown fox jumps over the lazy dog.", "The quick brown fox jumps over the lazy dog."),
    ("punctuation-only", "!!! ... ??? --- ;;;", "... ,,, !!!"),
    ("punctuation-vs-words", "Hello, world!", "?!?!"),
    ("numbers", "In 2004, profits rose 3.5% to $1,000,000 (up 12-15%).", "Profits rose 3.5 percent in 2004 to 1000000."),
    ("case", "THE PRESIDENT SPOKE TODAY", "the president spoke today"),
    ("accents-french", "L'élève a réussi son examen à Noël.", "L'élève a échoué à son examen."),
    ("german-eszett", "Die Straße ist sehr groß und schön.", "DIE STRASSE IST SEHR GROSS UND SCHOEN."),
    ("turkish-dotted-i", "İstanbul is big. ISTANBUL IS BIG.", "istanbul is big"),
    ("kelvin-sign", "300 \u212a is hot", "300 k is hot"),
    ("cyrillic", "Проблематичное решение связано с планами.", "Решение связано с планами Ассамблеи."),
    ("cjk-only", "此建議源於將會議名稱改為威爾斯國會的這一計畫。", "出现咁嘅情況系因为計畫要将议会嘅名称改为威尔士议会。"),
    ("cjk-mixed-ascii", "ウェールズ議会 Welsh Parliament 2019年", "Welsh parliament in 2019"),
    ("repeated-words", "the the the the cat", "the cat the cat the cat"),
    ("stemming-forms", "The running runners ran and generalizations were generalized.", "A runner runs; generally, generalization is general."),
    ("irregular-forms", "dying lying tying skies news innings", "die lie tie sky news inning"),
    ("multiline-blank-lines", "First sentence here.\n\n\nSecond sentence there.\n", "\nSecond sentence here.\nFirst sentence there."),
    ("crlf-lines", "one two three\r\nfour five six\r\n", "one two\r\nthree four five six"),
    ("whitespace-lines", "alpha beta\n   \ngamma delta", "gamma delta\n \nalpha beta"),
    ("hyphens-apostrophes", "state-of-the-art don't can't e-mail", "state of the art do not cannot email"),
    ("underscores-and-symbols", "foo_bar baz@example.com #hashtag C++ x86_64", "foo bar baz example com hashtag c x86 64"),
    ("long-tokens", "internationalization counterrevolutionaries antidisestablishmentarianism", "internationalize counterrevolutionary establishment"),
    ("yy-words", "yyyy syzygy toy boy yelling", "yy syzygies toys boys yelled"),
]


def rouge_cases(scorer_mod, data: Path, rng: random.Random) -> dict:
    scorers = {
        stem: scorer_mod.RougeScorer(ROUGE_TYPES, use_stemmer=stem) for stem in (False, True)
    }

    def score(target: str, prediction: str, stem: bool) -> dict:
        result = scorers[stem].score(target, prediction)
        return {k: [v.precision, v.recall, v.fmeasure] for k, v in result.items()}

    cases = []

    def add(case_id: str, target: str, prediction: str, stem: bool):
        cases.append(
            {"id": case_id, "stem": stem, "target": target, "prediction": prediction, "scores": score(target, prediction, stem)}
        )

    for case_id, target, prediction in ROUGE_EDGE_CASES:
        for stem in (False, True):
            add(f"edge/{case_id}/stem={int(stem)}", target, prediction, stem)

    bbc = read_jsonl(data / "summarization" / "bbc_news_summary.all.jsonl.gz")
    for record in rng.sample(bbc, 36):
        summary = record["summaries"][0]
        doc_sents = naive_sentences(record["document"])
        summary_sents = naive_sentences(summary)
        stem = rng.random() < 0.5
        add(f"bbc/{record['id']}/lead3-lines", "\n".join(summary_sents), "\n".join(doc_sents[1:4]), stem)
        shuffled = summary_sents[:]
        rng.shuffle(shuffled)
        add(f"bbc/{record['id']}/shuffled-summary", "\n".join(summary_sents), "\n".join(shuffled[: max(1, len(shuffled) // 2)]), stem)
        words = record["document"].split()
        add(f"bbc/{record['id']}/first-60-words", summary, " ".join(words[:60]), not stem)

    dialog = read_jsonl(data / "summarization" / "dialogsum.dev.jsonl.gz")
    for record in rng.sample(dialog, 30):
        lines = record["document"].split("\n")
        add(f"dialogsum/{record['id']}/first-2-turns", record["summaries"][0], "\n".join(lines[:2]), rng.random() < 0.5)

    # Word soup over a tiny vocabulary: many equal-length LCS candidates, which exercises the exact
    # tie-breaking of the LCS backtrack that ROUGE-Lsum's union LCS depends on.
    vocab = ["a", "b", "c", "d", "the", "runs", "running", "x1"]
    for i in range(60):
        def soup() -> str:
            n_lines = rng.randint(1, 4)
            return "\n".join(" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 9))) for _ in range(n_lines))

        add(f"soup/{i}", soup(), soup(), rng.random() < 0.5)

    # Multi-reference (SQuALITY has four references per story): max over references, as score_multi does.
    squality = read_jsonl(data / "summarization" / "squality.dev.jsonl.gz")
    multi = []
    multi_scorer = scorers[True]
    for record in rng.sample(squality, 12):
        refs = ["\n".join(naive_sentences(s)) for s in record["summaries"]]
        doc_sents = naive_sentences(record["document"])
        start = rng.randint(0, max(0, len(doc_sents) - 8))
        prediction = "\n".join(doc_sents[start : start + 8])
        result = multi_scorer.score_multi(refs, prediction)
        multi.append(
            {
                "id": f"squality/{record['id']}",
                "stem": True,
                "targets": refs,
                "prediction": prediction,
                "scores": {k: [v.precision, v.recall, v.fmeasure] for k, v in result.items()},
            }
        )
    # Ties across references: score_multi keeps the first reference with the best F-measure.
    for case_id, targets, prediction in [
        ("tie-first-wins", ["a b c", "c b a", "a b c"], "a b c d"),
        ("empty-and-full", ["", "the cat sat"], "the cat"),
        ("all-empty", ["", ""], "the cat"),
    ]:
        result = multi_scorer.score_multi(targets, prediction)
        multi.append(
            {
                "id": f"edge/{case_id}",
                "stem": True,
                "targets": targets,
                "prediction": prediction,
                "scores": {k: [v.precision, v.recall, v.fmeasure] for k, v in result.items()},
            }
        )
    return {"cases": cases, "multi": multi}


# ------------------------------------------------------------------------------------- BLEU and chrF

def perturb(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    kind = rng.choice(["drop", "swap", "truncate", "lower", "dup", "keep"])
    if kind == "drop" and len(words) > 2:
        del words[rng.randrange(len(words))]
    elif kind == "swap" and len(words) > 2:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    elif kind == "truncate" and len(words) > 3:
        words = words[: rng.randint(1, len(words) - 1)]
    elif kind == "lower":
        return sentence.lower()
    elif kind == "dup" and words:
        i = rng.randrange(len(words))
        words.insert(i, words[i])
    return " ".join(words)


MT_EDGE_CASES = [
    ("empty-hyp", "", ["The cat sat on the mat."]),
    ("empty-ref", "The cat sat on the mat.", [""]),
    ("both-empty", "", [""]),
    ("identical", "The cat sat on the mat.", ["The cat sat on the mat."]),
    ("short-identical", "Yes.", ["Yes."]),
    ("one-word", "cat", ["cat"]),
    ("punctuation-only", "!?!?...", ["...!!!"]),
    ("numbers-13a", "It cost 1,000.50 dollars in 2003-2004, i.e. 3.5% more.", ["It cost 1,000.50 dollars in 2003 - 2004, i.e. 3.5 % more."]),
    ("html-entities", "Tom &amp; Jerry said &quot;hi&quot; &lt;3", ["Tom & Jerry said \"hi\" <3"]),
    ("skipped-marker", "This <skipped> is a test.", ["This is a test."]),
    ("hyphen-newline", "self-\nevident truth", ["selfevident truth"]),
    ("unicode-whitespace", "a\u00a0b\u3000c\u2009d\u0085e\x1cf", ["a b c d e f"]),
    ("bom-is-not-space", "\ufeffhello world", ["hello world"]),
    ("astral-chars", "I love 🍕 and 🍣 😀😀", ["I love 🍕 and 😀"]),
    ("combining-marks", "e\u0301le\u0300ve", ["\u00e9l\u00e8ve"]),
    ("trailing-whitespace", "The cat sat.   \t", ["The cat sat."]),
    ("brackets-parens", "(hi) [there] {friend} 'quoted' \"double\"", ["hi there friend quoted double"]),
    ("multi-ref-varied-length", "the cat is on the mat", ["the cat is on the mat today", "there is a cat on the mat", "cat mat"]),
    ("closest-ref-tie", "a b c d e", ["a b c d", "a b c d e f"]),
    ("repeated-ngrams", "the the the the the the the", ["the cat is on the mat", "there is a cat on the mat"]),
    ("cyrillic", "Решение связано с планами Ассамблеи.", ["Проблематичное решение связано с планами изменить название Ассамблеи."]),
    ("cjk", "此建議源於將會議名稱改為威爾斯國會。", ["此建議源於將會議名稱改為威爾斯國會的這一計畫。"]),
    ("arabic", "نشأ هذا بسبب خطط لتغيير اسم الجمعية", ["نشأ هذا الأمر بسبب خطط لتغيير اسم الجمعية إلى البرلمان الويلزي"]),
    ("chrf-punct-split", "hello, world! (test) don't", ["hello world test don't!"]),
]


def bleu_stats(score) -> dict:
    return {
        "score": score.score,
        "counts": [int(c) for c in score.counts],
        "totals": [int(t) for t in score.totals],
        "precisions": list(score.precisions),
        "bp": score.bp,
        "sys_len": int(score.sys_len),
        "ref_len": int(score.ref_len),
    }


def mt_cases(data: Path, rng: random.Random) -> dict:
    import logging

    import sacrebleu
    from sacrebleu.metrics import BLEU, CHRF

    # bleu_none runs without effective order on purpose; its per-sentence advice is noise here.
    logging.getLogger("sacrebleu").setLevel(logging.ERROR)
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tok13a = Tokenizer13a()
    chrf = CHRF()
    chrfpp = CHRF(word_order=2)
    chrf_lc = CHRF(lowercase=True)
    bleu_floor = BLEU(smooth_method="floor", effective_order=True)
    bleu_addk = BLEU(smooth_method="add-k", effective_order=True)
    bleu_none = BLEU(smooth_method="none", effective_order=False)

    ntrex = data / "parallel" / "ntrex128"
    lines = {
        name: read_lines(ntrex / f"{name}.txt.gz")
        for name in ["eng_Latn", "fra_Latn", "spa_Latn", "por_Latn", "deu_Latn", "rus_Cyrl", "ukr_Cyrl", "zho_Hant", "yue_Hant", "jpn_Jpan", "kor_Hang", "ell_Grek", "hin_Deva", "vie_Latn", "tur_Latn"]
    }
    for variant in ["eng_Latn-GB", "eng_Latn-US", "fra_Latn-CA", "spa_Latn-MX", "spa_Latn-ref2", "por_Latn-PT"]:
        lines[variant] = read_lines(ntrex / "variants" / f"{variant}.txt.gz")
    n_lines = len(lines["eng_Latn"])

    sentence_cases = []

    def add_sentence(case_id: str, hyp: str, refs: list[str]):
        entry = {
            "id": case_id,
            "hyp": hyp,
            "refs": refs,
            "tok13a": tok13a(hyp.rstrip()),
            "bleu": bleu_stats(sacrebleu.sentence_bleu(hyp, refs)),
            "chrf": chrf.sentence_score(hyp, refs).score,
            "chrfpp": chrfpp.sentence_score(hyp, refs).score,
        }
        if len(sentence_cases) % 4 == 0:
            entry["bleu_floor"] = bleu_floor.sentence_score(hyp, refs).score
            entry["bleu_addk"] = bleu_addk.sentence_score(hyp, refs).score
            entry["bleu_none"] = bleu_none.sentence_score(hyp, refs).score
            entry["chrf_lowercase"] = chrf_lc.sentence_score(hyp, refs).score
        sentence_cases.append(entry)

    for case_id, hyp, refs in MT_EDGE_CASES:
        add_sentence(f"edge/{case_id}", hyp, refs)

    # Regional variants of the same human translation: realistic near-paraphrases.
    variant_pairs = [
        ("eng_Latn-GB", ["eng_Latn-US"]),
        ("fra_Latn-CA", ["fra_Latn"]),
        ("spa_Latn-ref2", ["spa_Latn", "spa_Latn-MX"]),
        ("por_Latn-PT", ["por_Latn"]),
        ("yue_Hant", ["zho_Hant"]),
    ]
    for hyp_name, ref_names in variant_pairs:
        for i in rng.sample(range(n_lines), 14):
            add_sentence(f"ntrex/{hyp_name}/{i}", lines[hyp_name][i], [lines[r][i] for r in ref_names])
    # Perturbed sentences in several scripts against the original.
    for name in ["eng_Latn", "deu_Latn", "rus_Cyrl", "ukr_Cyrl", "zho_Hant", "jpn_Jpan", "kor_Hang", "ell_Grek", "hin_Deva", "vie_Latn", "tur_Latn"]:
        for i in rng.sample(range(n_lines), 8):
            add_sentence(f"ntrex/{name}/perturbed/{i}", perturb(lines[name][i], rng), [lines[name][i]])

    corpora = []

    def add_corpus(case_id: str, hyps: list[str], ref_streams: list[list[str]]):
        corpora.append(
            {
                "id": case_id,
                "hyps": hyps,
                "refs": ref_streams,
                "bleu": bleu_stats(sacrebleu.corpus_bleu(hyps, ref_streams)),
                "bleu_lowercase": sacrebleu.corpus_bleu(hyps, ref_streams, lowercase=True).score,
                "chrf": chrf.corpus_score(hyps, ref_streams).score,
                "chrfpp": chrfpp.corpus_score(hyps, ref_streams).score,
            }
        )

    for hyp_name, ref_names in variant_pairs:
        idx = rng.sample(range(n_lines), 30)
        add_corpus(
            f"ntrex/{hyp_name}",
            [lines[hyp_name][i] for i in idx],
            [[lines[r][i] for i in idx] for r in ref_names],
        )
    idx = rng.sample(range(n_lines), 30)
    add_corpus(
        "ntrex/deu_Latn/perturbed-with-empties",
        ["" if k % 7 == 0 else perturb(lines["deu_Latn"][i], rng) for k, i in enumerate(idx)],
        [[lines["deu_Latn"][i] for i in idx]],
    )
    add_corpus("edge/single-empty-hyp", [""], [["The cat sat on the mat."]])
    add_corpus("edge/short-corpus", ["a b", "c"], [["a b c", "c d"]])
    return {"sentences": sentence_cases, "corpora": corpora}


# ---------------------------------------------------------------------------------------- Porter

PORTER_EXTRA = [
    "a", "is", "by", "sky", "skies", "dying", "lying", "tying", "news", "innings", "inning", "outings",
    "cannings", "howe", "proceed", "exceed", "succeed", "ties", "dies", "died", "tied", "cried", "flies",
    "generalli", "fulli", "analogi", "archaeologi", "yyyy", "yy", "y", "syzygy", "toy", "boy", "happy",
    "sky", "caresses", "ponies", "caress", "cats", "feed", "agreed", "plastered", "bled", "motoring", "sing",
    "conflated", "troubled", "sized", "hopping", "tanned", "falling", "hissing", "fizzed", "failing", "filing",
    "relational", "conditional", "rational", "valenci", "hesitanci", "digitizer", "conformabli", "radicalli",
    "differentli", "vileli", "analogousli", "vietnamization", "predication", "operator", "feudalism",
    "decisiveness", "hopefulness", "callousness", "formaliti", "sensitiviti", "sensibiliti", "triplicate",
    "formative", "formalize", "electriciti", "electrical", "hopeful", "goodness", "revival", "allowance",
    "inference", "airliner", "gyroscopic", "adjustable", "defensible", "irritant", "replacement",
    "adjustment", "dependent", "adoption", "homologou", "communism", "activate", "angulariti", "homologous",
    "effective", "bowdlerize", "probate", "rate", "cease", "controll", "roll", "1990s", "2000s", "x86",
    "mp3s", "b2b", "covid19", "0000", "abcdefghijklmnopqrstuvwxyz", "eed", "ied", "ing", "ed", "ies",
    "sses", "ss", "s", "bli", "abli", "logi", "ational", "izer", "ement", "ion", "sion", "tion", "ou",
]


def porter_cases(data: Path, rng: random.Random) -> dict:
    from nltk.stem.porter import PorterStemmer

    stemmer = PorterStemmer()
    words: set[str] = set(PORTER_EXTRA)
    for record in read_jsonl(data / "summarization" / "bbc_news_summary.all.jsonl.gz"):
        words.update(re.findall(r"[a-z0-9]+", record["document"].lower()))
    books = read_jsonl(data / "documents" / "gutenberg_eng_nonfiction.jsonl.gz")
    for book in books[:3]:
        words.update(re.findall(r"[a-z0-9]+", book["text"][:400_000].lower()))
    ordered = sorted(words)
    sample = sorted(set(rng.sample(ordered, min(9000, len(ordered)))) | set(PORTER_EXTRA))
    return {"words": sample, "stems": [stemmer.stem(w) for w in sample]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=REPO.parent / "shared" / "data", type=Path)
    parser.add_argument("--out", default=REPO / "test" / "fixtures" / "eval", type=Path)
    args = parser.parse_args()

    import nltk
    import sacrebleu

    scorer_mod = load_rouge()
    versions = {"sacrebleu": sacrebleu.__version__, "nltk": nltk.__version__, "python": sys.version.split()[0]}
    args.out.mkdir(parents=True, exist_ok=True)

    outputs = {
        "rouge.json": rouge_cases(scorer_mod, args.data, random.Random(SEED)),
        "mt.json": mt_cases(args.data, random.Random(SEED + 1)),
        "porter.json": porter_cases(args.data, random.Random(SEED + 2)),
    }
    for name, payload in outputs.items():
        payload = {"generator": "training/eval_fixtures/make_metric_fixtures.py", "versions": versions, **payload}
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        (args.out / name).write_text(text + "\n", encoding="utf-8")
        print(f"{name}: {len(text) / 1024:.0f} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
