"""Greedy and beam search over a backend's cached decoder (for --check; the product's search is TS).

Beam search follows fairseq2's defaults for SONAR (reference/sonar.md §1.7): beam 5, hypotheses
scored by summed log-probability divided by their length (generated tokens, </s> included), <pad>
never generated, </s> not before the first token, at most max_new_tokens tokens.
"""
import numpy as np

from .backends import empty_cache
from .tokenizer import EOS, PAD


def log_softmax(x):
    x = x.astype(np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def greedy(backend, embedding, prefix, max_new_tokens=128):
    """embedding [D]; returns the generated ids (</s> excluded)."""
    emb = embedding[None].astype(np.float32)
    past_k, past_v = empty_cache(backend, 1)
    ids = np.array([prefix], dtype=np.int64)
    out = []
    for _ in range(max_new_tokens):
        logits, past_k, past_v = backend.decode(ids, emb, past_k, past_v)
        scores = logits[0, -1].astype(np.float64)
        scores[PAD] = -np.inf
        if not out:
            scores[EOS] = -np.inf
        token = int(scores.argmax())
        if token == EOS:
            break
        out.append(token)
        ids = np.array([[token]], dtype=np.int64)
    return out


def beam_search(backend, embedding, prefix, beam=5, max_new_tokens=128):
    """embedding [D]; returns the best hypothesis' ids (</s> excluded)."""
    emb1 = embedding[None].astype(np.float32)
    past_k, past_v = empty_cache(backend, 1)
    logits, past_k, past_v = backend.decode(np.array([prefix], dtype=np.int64), emb1, past_k, past_v)
    hyps = [[]]  # token lists of live hypotheses
    scores = np.zeros(1)
    finished = []  # (normalized score, tokens)
    for step in range(max_new_tokens):
        lp = log_softmax(logits[:, -1])
        lp[:, PAD] = -np.inf
        if step == 0:
            lp[:, EOS] = -np.inf
        if step == max_new_tokens - 1:  # the last step may only end hypotheses
            keep = lp[:, EOS].copy()
            lp[:] = -np.inf
            lp[:, EOS] = keep
        total = scores[:, None] + lp
        flat = np.argsort(-total, axis=None)[: 2 * beam]
        parents, tokens = np.unravel_index(flat, total.shape)
        next_hyps, next_scores, next_parents, next_tokens = [], [], [], []
        for parent, token in zip(parents, tokens):
            score = total[parent, token]
            if not np.isfinite(score):
                continue
            if token == EOS:
                finished.append((score / (len(hyps[parent]) + 1), hyps[parent]))
            elif len(next_hyps) < beam:
                next_hyps.append(hyps[parent] + [int(token)])
                next_scores.append(score)
                next_parents.append(parent)
                next_tokens.append(token)
        # Like fairseq's beam search: stop once `beam` hypotheses have ended.
        if len(finished) >= beam or not next_hyps:
            break
        hyps, scores = next_hyps, np.array(next_scores)
        idx = np.array(next_parents)
        past_k, past_v = past_k[:, idx], past_v[:, idx]
        emb = np.repeat(emb1, len(idx), axis=0)
        logits, past_k, past_v = backend.decode(np.array(next_tokens, dtype=np.int64)[:, None], emb, past_k, past_v)
    if not finished:
        return hyps[int(np.argmax(scores))]
    return max(finished, key=lambda f: f[0])[1]
