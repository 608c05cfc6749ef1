"""training/export_sonar.py on tiny random SONAR checkpoints in Meta's own key layouts.

Run from training/: /usr/bin/python3 -m unittest tests.test_export_sonar   (about 30 s)

The exported graphs run in onnxruntime-node (lcm's runtime, from this repository's node_modules) and,
where it is installed, in Python's onnxruntime; their outputs are compared with an independent numpy
reference of SONAR's encoder and decoder (sonar_fixtures.py), whose cross-attention really uses the
query/key projections and LayerNorm that the export drops.
"""
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np
import onnx
import torch

from sonar_export.backends import (
    NodeBackend, OrtBackend, TorchBackend, empty_cache, node_runtime_available, onnxruntime_available, pad_batch)
from sonar_export.checkpoint import extract_half, read_checkpoint
from sonar_export.golden import cosine_matrix, run_checks
from sonar_export.graphs import build_codec, weight_bytes
from sonar_export.search import beam_search, greedy
from sonar_export.tokenizer import EOS, NllbTokenizer
from tests import sonar_fixtures as fx

HEADS = 4
TEXTS = [("Hello, my name is Paul", "eng_Latn"), ("Je travaille comme professeur.", "fra_Latn"),
         ("Das Wetter ist heute schön.", "deu_Latn")]


def run_export(*args):
    return subprocess.run([sys.executable, "-m", "export_sonar", *map(str, args)], cwd=fx.TRAINING,
                          capture_output=True, text=True)


class ExportSonarTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.set_num_threads(2)
        cls.tmp = tempfile.TemporaryDirectory(prefix="export-sonar-test-")
        d = Path(cls.tmp.name)
        cls.spm = fx.train_tokenizer(d)
        cls.tok = NllbTokenizer(cls.spm)
        cls.w = fx.random_sonar(fx.vocab_for(cls.spm))
        cls.ckpt = {}
        for layout, make in (("fairseq", fx.fairseq_checkpoint), ("fairseq2", fx.fairseq2_checkpoint)):
            for role in ("encoder", "decoder"):
                path = d / f"{layout}_{role}.pt"
                torch.save(make(cls.w, role), path)
                cls.ckpt[layout, role] = path
        cls.out = {}
        exports = {  # name: (layout, extra flags)
            "fairseq_external": ("fairseq", ["--external-data", "always"]),
            "fairseq2": ("fairseq2", []),
            "fp16": ("fairseq2", ["--fp16"]),
            "int8": ("fairseq2", ["--int8"]),
        }
        for name, (layout, flags) in exports.items():
            out = d / name
            r = run_export("--encoder", cls.ckpt[layout, "encoder"], "--decoder", cls.ckpt[layout, "decoder"],
                           "--tokenizer", cls.spm, "--out", out, "--heads", HEADS, *flags)
            if r.returncode != 0:
                raise AssertionError(f"export {name} failed:\n{r.stderr}")
            cls.out[name] = out
            if name == "fairseq_external":
                cls.export_log = r.stderr
        cls.backends = []
        if node_runtime_available():
            cls.backends.append(NodeBackend)
        if onnxruntime_available():
            cls.backends.append(OrtBackend)
        if not cls.backends:
            print("NOTE: no onnxruntime (node or Python) found: ONNX outputs are not compared", file=sys.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def open_backend(self, cls, name):
        out = self.out[name]
        m = json.loads((out / "manifest.json").read_text())
        d = m["decoder"]
        return cls(out / m["encoder"]["file"], out / d["file"], (d["layers"], d["heads"], d["head_dim"]))

    def reference_embeddings(self):
        return np.stack([fx.reference_encode(self.w, self.tok.encode(t, lang), HEADS) for t, lang in TEXTS])

    def encode(self, backend):
        ids, mask = pad_batch([self.tok.encode(t, lang) for t, lang in TEXTS])
        self.assertGreater((mask == 0).sum(), 0, "the batch must contain padding")
        return backend.encode(ids, mask)

    def decoder_ids(self):
        return self.tok.prefix("fra_Latn") + [7, 42, 99, 5, 300 % self.tok.lang_token_base]

    # (a) encoder output == reference SONAR encoder
    def test_encoder_matches_reference(self):
        ref = self.reference_embeddings()
        for cls in self.backends:
            for name in ("fairseq_external", "fairseq2"):
                with self.subTest(backend=cls.name, export=name):
                    b = self.open_backend(cls, name)
                    try:
                        got = self.encode(b)
                    finally:
                        b.close()
                    np.testing.assert_allclose(got, ref, atol=1e-4, rtol=0)

    # (b) decoder logits == reference decoder with real q/k cross-attention
    def test_decoder_logits_match_reference_with_real_cross_attention(self):
        ref_emb = self.reference_embeddings()
        ids = self.decoder_ids()
        ref = np.stack([fx.reference_decode(self.w, ids, e, HEADS) for e in ref_emb])
        # The shortcut is not trivially exact here: the dropped q/k/LN do change the attention *scores*.
        self.assertGreater(np.abs(self.w["decoder.0.cross_q"][0]).sum(), 0)
        for cls in self.backends:
            for name in ("fairseq_external", "fairseq2"):
                with self.subTest(backend=cls.name, export=name):
                    b = self.open_backend(cls, name)
                    try:
                        pk, pv = empty_cache(b, len(TEXTS))
                        batch = np.array([ids] * len(TEXTS), dtype=np.int64)
                        logits, present_k, _ = b.decode(batch, ref_emb.astype(np.float32), pk, pv)
                    finally:
                        b.close()
                    self.assertEqual(logits.shape, (len(TEXTS), len(ids), self.tok.vocab_size))
                    self.assertEqual(present_k.shape, (2, len(TEXTS), HEADS, len(ids), self.w["dim"] // HEADS))
                    np.testing.assert_allclose(logits, ref, atol=1e-4, rtol=0)

    # (c) cached == uncached, logits and greedy tokens
    def test_cached_and_uncached_decoding_agree(self):
        emb = self.reference_embeddings()[:1].astype(np.float32)
        ids = self.decoder_ids()
        for cls in self.backends:
            with self.subTest(backend=cls.name):
                b = self.open_backend(cls, "fairseq2")
                try:
                    pk, pv = empty_cache(b, 1)
                    full = b.decode(np.array([ids], dtype=np.int64), emb, pk, pv)[0][0]
                    pk, pv = empty_cache(b, 1)
                    logits, pk, pv = b.decode(np.array([ids[:2]], dtype=np.int64), emb, pk, pv)
                    steps = [logits[0, 0], logits[0, 1]]
                    for token in ids[2:]:
                        logits, pk, pv = b.decode(np.array([[token]], dtype=np.int64), emb, pk, pv)
                        steps.append(logits[0, 0])
                    np.testing.assert_allclose(np.stack(steps), full, atol=1e-4, rtol=0)
                    cached = greedy(b, emb[0], self.tok.prefix("eng_Latn"), max_new_tokens=12)
                    uncached = self.greedy_without_cache(b, emb, self.tok.prefix("eng_Latn"), 12)
                    self.assertEqual(cached, uncached)
                    self.assertGreater(len(cached), 0)
                finally:
                    b.close()

    def greedy_without_cache(self, b, emb, prefix, max_new):
        seq, out = list(prefix), []
        for step in range(max_new):
            pk, pv = empty_cache(b, 1)
            scores = b.decode(np.array([seq], dtype=np.int64), emb, pk, pv)[0][0, -1].astype(np.float64)
            scores[0] = -np.inf
            if step == 0:
                scores[EOS] = -np.inf
            token = int(scores.argmax())
            if token == EOS:
                break
            seq.append(token)
            out.append(token)
        return out

    def test_torch_modules_match_reference(self):
        """The PyTorch side (--check's fallback) loads both layouts to the same numbers."""
        ref = self.reference_embeddings()
        for layout in ("fairseq", "fairseq2"):
            enc = build_codec(extract_half(read_checkpoint(self.ckpt[layout, "encoder"]), "encoder"), HEADS)
            dec = build_codec(extract_half(read_checkpoint(self.ckpt[layout, "decoder"]), "decoder"), HEADS)
            b = TorchBackend(enc, dec)
            np.testing.assert_allclose(self.encode(b), ref, atol=1e-4, rtol=0)
            ids = self.decoder_ids()
            pk, pv = empty_cache(b, 1)
            logits = b.decode(np.array([ids]), ref[:1].astype(np.float32), pk, pv)[0][0]
            np.testing.assert_allclose(logits, fx.reference_decode(self.w, ids, ref[0], HEADS), atol=1e-4, rtol=0)

    def test_graph_structure(self):
        d = self.w["dim"]
        for name in ("fairseq_external", "fairseq2"):
            out = self.out[name]
            enc = onnx.load(str(out / "encoder.onnx"))
            dec = onnx.load(str(out / "decoder.onnx"))
            self.assertEqual([i.name for i in enc.graph.input], ["input_ids", "attention_mask"])
            self.assertEqual([o.name for o in enc.graph.output], ["sentence_embedding"])
            self.assertEqual([i.name for i in dec.graph.input], ["input_ids", "embedding", "past_key", "past_value"])
            self.assertEqual([o.name for o in dec.graph.output], ["logits", "present_key", "present_value"])
            for graph in (enc, dec):  # each graph holds exactly one (its own) vocabulary table
                tables = [i for i in graph.graph.initializer if self.tok.vocab_size in i.dims]
                self.assertEqual(len(tables), 1)
            # Decoder: per layer self-attention q, k, v, out + cross-attention v, out; no cross q/k.
            square = [i for i in dec.graph.initializer if list(i.dims) == [d, d]]
            self.assertEqual(len(square), 6 * self.w["layers"])
            enc_table = next(i for i in enc.graph.initializer if self.tok.vocab_size in i.dims)
            dec_table = next(i for i in dec.graph.initializer if self.tok.vocab_size in i.dims)
            self.assertFalse(np.array_equal(onnx.numpy_helper.to_array(enc_table),
                                            onnx.numpy_helper.to_array(dec_table)))
        self.assertTrue((self.out["fairseq_external"] / "decoder.onnx.data").stat().st_size > 0)
        self.assertFalse((self.out["fairseq2"] / "decoder.onnx.data").exists())

    def test_special_rows_follow_fairseq2_ids(self):
        """Both layouts give the same fairseq2-ordered table; fairseq files are permuted on the way."""
        fs = extract_half(read_checkpoint(self.ckpt["fairseq", "encoder"]), "encoder")
        fs2 = extract_half(read_checkpoint(self.ckpt["fairseq2", "encoder"]), "encoder")
        self.assertTrue(torch.equal(fs.state["embed.weight"], fs2.state["embed.weight"]))
        self.assertTrue(np.array_equal(fs2.state["embed.weight"].numpy(), self.w["encoder.embed"]))
        self.assertIn("moved from fairseq order", self.export_log)
        self.assertIn("dropped 12 cross-attention", self.export_log)

    def test_manifest(self):
        m = json.loads((self.out["fairseq_external"] / "manifest.json").read_text())
        t = m["tokenizer"]
        base = self.tok.lang_token_base
        self.assertEqual(t["special_ids"], {"pad": 0, "unk": 1, "bos": 2, "eos": 3})
        self.assertEqual(t["piece_offset"], 1)
        self.assertEqual(t["id_convention"], "fairseq2")
        self.assertEqual(len(m["languages"]), 202)
        self.assertEqual(t["lang_token_ids"]["eng_Latn"], base + 46)
        self.assertEqual(t["lang_token_ids"]["zul_Latn"], base + 201)
        self.assertEqual(t["vocab_size"], base + 205)
        self.assertEqual(m["encoder"]["external_data"], "encoder.onnx.data")
        self.assertEqual(m["encoder"]["max_tokens"], 514)
        self.assertEqual(m["decoder"]["max_tokens"], 512)
        d = m["decoder"]
        self.assertEqual((d["layers"], d["heads"], d["head_dim"]), (2, HEADS, self.w["dim"] // HEADS))
        self.assertEqual(m["license"], "CC-BY-NC-4.0")
        self.assertIn("non-commercial", m["license_notice"])
        self.assertEqual(len(m["provenance"]["checkpoints"]["encoder"]["sha256"]), 64)
        self.assertTrue((self.out["fairseq_external"] / "tokenizer.model").read_bytes() == self.spm.read_bytes())

    def test_python_tokenizer_layout(self):
        ids = self.tok.encode("Hello, my name is Paul", "eng_Latn")
        pieces = self.tok.sp.encode("Hello, my name is Paul")
        self.assertEqual(ids, [self.tok.lang_token_base + 46] + [p + 1 for p in pieces] + [3])
        self.assertEqual(self.tok.decode(ids), "Hello, my name is Paul")
        self.assertEqual(self.tok.encode("Hello, my name is Paul", "eng_Latn", max_tokens=3), ids[:3])

    def test_fp16_and_int8_are_smaller_and_close(self):
        def weights(name):  # bytes of weights in both graphs (tiny graphs are mostly node definitions)
            return sum(weight_bytes(onnx.load(str(self.out[name] / f))) for f in ("encoder.onnx", "decoder.onnx"))

        fp32 = weights("fairseq2")
        self.assertLess(weights("fp16"), 0.52 * fp32)
        self.assertLess(weights("int8"), 0.30 * fp32)
        if not self.backends:
            self.skipTest("no onnxruntime to run the graphs")
        ref = self.reference_embeddings()
        for name, atol in (("fp16", 2e-3), ("int8", 5e-2)):
            b = self.open_backend(self.backends[0], name)
            try:
                got = self.encode(b)
                pk, pv = empty_cache(b, 1)
                ids = self.decoder_ids()
                logits = b.decode(np.array([ids]), ref[:1].astype(np.float32), pk, pv)[0][0]
            finally:
                b.close()
            cos = np.diag(cosine_matrix(got, ref))
            self.assertTrue(np.all(cos > 0.999), f"{name}: cosine to fp32 {cos}")
            ref_logits = fx.reference_decode(self.w, ids, ref[0], HEADS)
            np.testing.assert_allclose(logits, ref_logits, atol=atol * np.abs(ref_logits).max(), rtol=0)
            self.assertEqual(logits.argmax(-1).tolist(), ref_logits.argmax(-1).tolist())

    def test_golden_check_machinery(self):
        """run_checks passes on values computed by the reference and fails on perturbed ones; the
        translation check agrees between the exported graphs and the PyTorch modules."""
        if not self.backends:
            self.skipTest("no onnxruntime to run the graphs")
        eng = ["Hello, my name is Paul", "I'm working as a teacher"]
        fra = ["Bonjour, mon nom est Paul", "Je travaille comme professeur."]
        e = np.stack([fx.reference_encode(self.w, self.tok.encode(s, "eng_Latn"), HEADS) for s in eng])
        f = np.stack([fx.reference_encode(self.w, self.tok.encode(s, "fra_Latn"), HEADS) for s in fra])
        prefix = [3, 33]
        logits = fx.reference_decode(self.w, prefix, e[0], HEADS)
        enc = build_codec(extract_half(read_checkpoint(self.ckpt["fairseq2", "encoder"]), "encoder"), HEADS)
        dec = build_codec(extract_half(read_checkpoint(self.ckpt["fairseq2", "decoder"]), "decoder"), HEADS)
        torch_backend = TorchBackend(enc, dec)
        translations = [self.tok.decode(beam_search(torch_backend, v.astype(np.float32),
                                                    self.tok.prefix("fra_Latn"), 5, 16)) for v in e]
        golden = {"eng": eng, "fra": fra, "translations": translations, "cosine": cosine_matrix(e, f).tolist(),
                  "logits_prefix": prefix, "max_new_tokens": 16,
                  "logits": {"0,:4": logits[0, :4].tolist(), "1,-4:": logits[1, -4:].tolist()}}
        quiet = lambda *_: None  # noqa: E731
        b = self.open_backend(self.backends[0], "fairseq2")
        try:
            report = run_checks(b, self.tok, golden, log=quiet)
            self.assertTrue(report["ok"], json.dumps(report, indent=1))
            bad = dict(golden, cosine=(np.array(golden["cosine"]) + 2e-3).tolist())
            report = run_checks(b, self.tok, bad, log=quiet)
            self.assertFalse(report["ok"])
            self.assertEqual([c["ok"] for c in report["checks"]], [False, True, True, True, True])
        finally:
            b.close()
        # The same through the command line: exit 0 and the report in the manifest, exit 1 on a miss.
        export = self.out["fairseq_external"]
        for values, code in ((golden, 0), (bad, 1)):
            path = Path(self.tmp.name) / "golden.json"
            path.write_text(json.dumps(values))
            backend = "node" if self.backends[0] is NodeBackend else "onnxruntime"
            r = run_export("--out", export, "--check-only", "--golden", path, "--backend", backend)
            self.assertEqual(r.returncode, code, r.stderr)
            self.assertIn("FAIL  cosine eng/fra" if code else "PASS  cosine eng/fra", r.stderr)
            quality = json.loads((export / "manifest.json").read_text())["quality"]["golden_values"]
            self.assertEqual(quality["ok"], code == 0)

    def test_bad_inputs_exit_2_with_one_line(self):
        d = Path(self.tmp.name)
        truncated = d / "truncated.pt"
        truncated.write_bytes(self.ckpt["fairseq", "encoder"].read_bytes()[:500])
        cases = [
            (["--encoder", self.ckpt["fairseq", "decoder"], "--decoder", self.ckpt["fairseq", "decoder"]],
             "is a decoder checkpoint, not an encoder"),
            (["--encoder", self.ckpt["fairseq", "encoder"], "--decoder", self.ckpt["fairseq2", "encoder"]],
             "is an encoder checkpoint, not a decoder"),
            (["--encoder", truncated, "--decoder", self.ckpt["fairseq", "decoder"]],
             "not a readable PyTorch checkpoint"),
        ]
        for args, message in cases:
            with self.subTest(message=message):
                r = run_export(*args, "--tokenizer", self.spm, "--out", d / "bad", "--heads", HEADS)
                self.assertEqual(r.returncode, 2, r.stderr)
                errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
                self.assertEqual(len(errors), 1, r.stderr)
                self.assertIn(message, errors[0])
        r = run_export("--out", self.out["fairseq2"], "--check-only")
        self.assertEqual(r.returncode, 2)
        self.assertIn("need the real model", r.stderr)


if __name__ == "__main__":
    unittest.main()
