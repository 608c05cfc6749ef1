/**
 * Golden test: BLEU (13a, exp smoothing; corpus and sentence level; floor/add-k/none smoothing on a
 * subset), chrF and chrF++ against sacrebleu 2.6.0. Pairs: NTREX-128 regional variants (en-GB vs en-US,
 * fr-CA vs fr, es ref2 vs es + es-MX, pt-PT vs pt-BR, Cantonese vs Traditional Chinese), perturbed
 * sentences in Latin, Cyrillic, Greek, Devanagari, CJK and Hangul scripts, and edge cases (empty strings,
 * numbers, HTML entities, Python-only whitespace, astral characters). Made by
 * training/eval_fixtures/make_metric_fixtures.py.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type BleuScore, corpusBleu, sentenceBleu, tokenize13a } from "../src/eval/bleu.js";
import { corpusChrf, sentenceChrf } from "../src/eval/chrf.js";
import { pyRstrip } from "../src/eval/python-text.js";

interface PyBleu {
  score: number;
  counts: number[];
  totals: number[];
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
}
interface SentenceCase {
  id: string;
  hyp: string;
  refs: string[];
  tok13a: string;
  bleu: PyBleu;
  chrf: number;
  chrfpp: number;
  bleu_floor?: number;
  bleu_addk?: number;
  bleu_none?: number;
  chrf_lowercase?: number;
}
interface CorpusCase {
  id: string;
  hyps: string[];
  refs: string[][];
  bleu: PyBleu;
  bleu_lowercase: number;
  chrf: number;
  chrfpp: number;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/eval/mt.json", import.meta.url), "utf8")) as {
  sentences: SentenceCase[];
  corpora: CorpusCase[];
};

const TOLERANCE = 1e-6;

/** Collects "id field: ours X, sacrebleu Y" for every value off by more than the tolerance. */
class Mismatches {
  readonly list: string[] = [];
  near(id: string, field: string, ours: number, theirs: number) {
    if (!(Math.abs(ours - theirs) <= TOLERANCE))
      this.list.push(`${id} ${field}: ours ${ours}, sacrebleu ${theirs}`);
  }
  bleu(id: string, ours: BleuScore, theirs: PyBleu) {
    this.near(id, "bleu", ours.score, theirs.score);
    this.near(id, "bp", ours.bp, theirs.bp);
    this.near(id, "sys_len", ours.sysLen, theirs.sys_len);
    this.near(id, "ref_len", ours.refLen, theirs.ref_len);
    theirs.counts.forEach((c, k) => {
      this.near(id, `counts[${k}]`, ours.counts[k], c);
    });
    theirs.totals.forEach((t, k) => {
      this.near(id, `totals[${k}]`, ours.totals[k], t);
    });
    theirs.precisions.forEach((p, k) => {
      this.near(id, `precisions[${k}]`, ours.precisions[k], p);
    });
  }
}

describe("13a tokenizer", () => {
  it("tokenizes every fixture hypothesis exactly as sacrebleu", () => {
    const bad = fixture.sentences.filter((c) => tokenize13a(pyRstrip(c.hyp)) !== c.tok13a);
    expect(bad.map((c) => c.id)).toEqual([]);
    expect(tokenize13a("It cost 1,000.50 in 2003-2004.")).toBe("It cost 1,000.50 in 2003 - 2004 .");
  });
});

describe("sentence-level BLEU and chrF against sacrebleu", () => {
  it("covers a few hundred pairs", () => {
    expect(fixture.sentences.length).toBeGreaterThan(150);
  });

  it("matches sentence_bleu including counts, totals, precisions and brevity penalty", () => {
    const m = new Mismatches();
    for (const c of fixture.sentences) m.bleu(c.id, sentenceBleu(c.hyp, c.refs), c.bleu);
    expect(m.list).toEqual([]);
  });

  it("matches the floor, add-k and no-smoothing variants", () => {
    const m = new Mismatches();
    const withVariants = fixture.sentences.filter((c) => c.bleu_floor !== undefined);
    expect(withVariants.length).toBeGreaterThan(30);
    for (const c of withVariants) {
      m.near(c.id, "floor", sentenceBleu(c.hyp, c.refs, { smoothMethod: "floor" }).score, c.bleu_floor!);
      m.near(c.id, "add-k", sentenceBleu(c.hyp, c.refs, { smoothMethod: "add-k" }).score, c.bleu_addk!);
      m.near(
        c.id,
        "none",
        sentenceBleu(c.hyp, c.refs, { smoothMethod: "none", effectiveOrder: false }).score,
        c.bleu_none!,
      );
    }
    expect(m.list).toEqual([]);
  });

  it("matches chrF, chrF++ and lowercased chrF", () => {
    const m = new Mismatches();
    for (const c of fixture.sentences) {
      m.near(c.id, "chrF", sentenceChrf(c.hyp, c.refs), c.chrf);
      m.near(c.id, "chrF++", sentenceChrf(c.hyp, c.refs, { wordOrder: 2 }), c.chrfpp);
      if (c.chrf_lowercase !== undefined) {
        m.near(c.id, "chrF-lc", sentenceChrf(c.hyp, c.refs, { lowercase: true }), c.chrf_lowercase);
      }
    }
    expect(m.list).toEqual([]);
  });
});

describe("corpus-level BLEU and chrF against sacrebleu", () => {
  it("matches corpus_bleu, lowercased BLEU, chrF and chrF++ (multi-reference included)", () => {
    const m = new Mismatches();
    expect(fixture.corpora.some((c) => c.refs.length > 1)).toBe(true);
    for (const c of fixture.corpora) {
      m.bleu(c.id, corpusBleu(c.hyps, c.refs), c.bleu);
      m.near(c.id, "bleu-lc", corpusBleu(c.hyps, c.refs, { lowercase: true }).score, c.bleu_lowercase);
      m.near(c.id, "chrF", corpusChrf(c.hyps, c.refs), c.chrf);
      m.near(c.id, "chrF++", corpusChrf(c.hyps, c.refs, { wordOrder: 2 }), c.chrfpp);
    }
    expect(m.list).toEqual([]);
  });

  it("is not the mean of sentence scores", () => {
    const c = fixture.corpora.find((corpus) => corpus.id === "ntrex/fra_Latn-CA")!;
    const mean = c.hyps.reduce((sum, h, i) => sum + sentenceBleu(h, [c.refs[0][i]]).score, 0) / c.hyps.length;
    expect(Math.abs(mean - corpusBleu(c.hyps, c.refs).score)).toBeGreaterThan(0.5);
  });
});
