"""SONAR's own conformance values (tests/integration_tests/test_text_sonar.py, SONAR@8da24c2;
reference/sonar.md §1.8), checked on an export through any backend.

  cosine      eng/fra sentence pairs, L2-normalised embeddings: [[0.9367, 0.3658], [0.3787, 0.8596]]
  logits      decoder fed the embedding of eng[0] and the prefix [3, 333] (fairseq2 ids, which is
              what our exports speak): four slices of the logits
  translation eng -> embedding -> fra_Latn text, beam 5: exactly the fra sentences
Each check passes when |actual - expected| <= atol + rtol * |expected| (SONAR's test uses 1e-4 for
both). fp16 and int8 weights move the numbers a little; their tolerances are looser and say so.
"""
import numpy as np

from .backends import empty_cache, pad_batch
from .search import beam_search, greedy

SONAR_GOLDEN = {
    "eng": ["Hello, my name is Paul", "I'm working as a teacher"],
    "fra": ["Bonjour, mon nom est Paul", "Je travaille comme professeur."],
    # eng[i] encoded, then decoded into fra_Latn with beam 5 (SONAR's text2text and vec2text tests).
    "translations": ["Bonjour, mon nom est Paul", "Je travaille comme professeur."],
    "cosine": [[0.9367, 0.3658], [0.3787, 0.8596]],
    "logits_prefix": [3, 333],
    "logits": {
        "0,:4": [-1.4572, -2.7325, -1.0546, 0.7818],
        "0,-3:": [0.8982, 0.4996, -0.1487],
        "1,:4": [2.4092, 6.9624, 3.6308, 9.4825],
        "1,-4:": [3.8826, 3.8777, 3.2820, 3.3275],
    },
}

# (atol, rtol) per weight storage. fp32 is SONAR's own tolerance; the others are what rounding the
# weights may cost, so a pass there means "close", not "identical".
TOLERANCE = {"fp32": (1e-4, 1e-4), "fp16": (5e-3, 5e-3), "int8": (5e-2, 5e-2)}


def _slice(logits_row, spec):
    """logits [T, V] and '1,-4:' -> logits[1, -4:]."""
    pos, cut = spec.split(",")
    start, _, stop = cut.partition(":")
    return logits_row[int(pos)][int(start) if start else None: int(stop) if stop else None]


def _close(actual, expected, tol):
    atol, rtol = tol
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    err = np.abs(actual - expected)
    return bool(np.all(err <= atol + rtol * np.abs(expected))), float(err.max())


def embed(backend, tokenizer, sentences, lang):
    ids, mask = pad_batch([tokenizer.encode(s, lang) for s in sentences])
    return backend.encode(ids, mask)


def cosine_matrix(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T


def run_checks(backend, tokenizer, golden=SONAR_GOLDEN, weights="fp32", beam=5, max_new_tokens=128, log=print):
    tol = TOLERANCE[weights]
    max_new_tokens = golden.get("max_new_tokens", max_new_tokens)
    results = []

    eng = embed(backend, tokenizer, golden["eng"], "eng_Latn")
    fra = embed(backend, tokenizer, golden["fra"], "fra_Latn")
    cos = cosine_matrix(eng, fra)
    ok, err = _close(cos, golden["cosine"], tol)
    results.append({"check": "cosine eng/fra", "ok": ok, "max_abs_error": err,
                    "actual": np.round(cos, 4).tolist(), "expected": golden["cosine"]})

    past_k, past_v = empty_cache(backend, 1)
    prefix = np.array([golden["logits_prefix"]], dtype=np.int64)
    logits = backend.decode(prefix, eng[:1].astype(np.float32), past_k, past_v)[0][0]
    for spec, expected in golden["logits"].items():
        actual = _slice(logits, spec)
        ok, err = _close(actual, expected, tol)
        entry = {"check": f"decoder logits[{spec}] for prefix {golden['logits_prefix']}", "ok": ok,
                 "max_abs_error": err, "actual": np.round(actual, 4).tolist(), "expected": expected}
        if not ok and spec.endswith(":4") and _close(sorted(actual), sorted(expected), tol)[0]:
            entry["hint"] = ("the special-token rows 0-3 are in another order: re-export with "
                             "--embedding-order fairseq or fairseq2 (the other one than before)")
        results.append(entry)

    prefix_fra = tokenizer.prefix("fra_Latn")
    for i, vector in enumerate(eng):
        beam_text = tokenizer.decode(beam_search(backend, vector, prefix_fra, beam, max_new_tokens))
        greedy_text = tokenizer.decode(greedy(backend, vector, prefix_fra, max_new_tokens))
        expected = golden["translations"][i]
        results.append({"check": f"eng[{i}] -> fra_Latn (beam {beam})", "ok": beam_text == expected,
                        "actual": beam_text, "greedy": greedy_text, "expected": expected})

    for r in results:
        err = f"  max |err| {r['max_abs_error']:.2e}" if "max_abs_error" in r else ""
        log(f"{'PASS' if r['ok'] else 'FAIL'}  {r['check']}{err}: {r['actual']}" +
            ("" if r["ok"] else f"  (expected {r['expected']})") + (f"  hint: {r['hint']}" if "hint" in r else ""))
    return {"backend": backend.name, "weights": weights, "tolerance": {"atol": tol[0], "rtol": tol[1]},
            "ok": all(r["ok"] for r in results), "checks": results}
