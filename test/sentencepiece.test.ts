import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseModelProto, SentencePieceProcessor } from "../src/codec/sentencepiece/index.js";
import { decodeBytesLikeSentencePiece } from "../src/codec/sentencepiece/processor.js";

// Fixtures written by training/tokenizer_fixtures.py with python3-sentencepiece 0.1.97.
const FIXTURES = new URL("./fixtures/spm/", import.meta.url);

interface Expected {
  /** File name in the fixture folder, or a repo-relative path for a model committed elsewhere. */
  model: string;
  /** Present for models read in place: the hash the expectations were made for. */
  model_sha256?: string;
  vocab_size: number;
  sentences: { ids: number[]; pieces: string[]; decoded: string }[];
  random_decodes: { ids: number[]; decoded: string }[];
}

function readJsonGz<T>(name: string): T {
  return JSON.parse(gunzipSync(readFileSync(new URL(name, FIXTURES))).toString("utf8")) as T;
}

function loadModel(name: string): SentencePieceProcessor {
  return SentencePieceProcessor.fromBytes(readFileSync(new URL(`${name}.model`, FIXTURES)));
}

const sentences = readJsonGz<string[]>("sentences.json.gz");

describe("fixture coverage", () => {
  it("holds hundreds of sentences in at least 20 scripts", () => {
    expect(sentences.length).toBeGreaterThanOrEqual(250);
    const scripts = [
      "Latin",
      "Cyrillic",
      "Greek",
      "Arabic",
      "Hebrew",
      "Devanagari",
      "Bengali",
      "Thai",
      "Han",
      "Hangul",
      "Hiragana",
      "Katakana",
      "Georgian",
      "Armenian",
      "Ethiopic",
      "Tamil",
      "Telugu",
      "Gujarati",
      "Myanmar",
      "Khmer",
      "Sinhala",
      "Tibetan",
      "Lao",
      "Thaana",
    ];
    const present = scripts.filter((script) => {
      const re = new RegExp(`\\p{Script=${script}}`, "u");
      return sentences.some((s) => re.test(s));
    });
    expect(present.length).toBeGreaterThanOrEqual(20);
  });
});

const REPO = new URL("../", import.meta.url);

/** The model an expectations file was made for; a shipped model must still be the same file. */
function modelFor(expected: Expected): SentencePieceProcessor {
  if (expected.model_sha256 === undefined) return loadModel(expected.model.replace(/\.model$/, ""));
  const bytes = readFileSync(new URL(expected.model, REPO));
  const hash = createHash("sha256").update(bytes).digest("hex");
  if (hash !== expected.model_sha256) {
    throw new Error(
      `${expected.model} changed since its fixture was made; rerun: /usr/bin/python3 training/tokenizer_fixtures.py ` +
        `--extra-model ${expected.model} --extra-name default-codec`,
    );
  }
  return SentencePieceProcessor.fromBytes(bytes);
}

// The four trained fixtures, and the tokenizer shipped in models/default (read in place).
for (const name of ["unigram", "bpe", "ws", "denorm", "default-codec"]) {
  const expected = readJsonGz<Expected>(`${name}.expected.json.gz`);
  describe(`${expected.model} matches python sentencepiece`, () => {
    const sp = modelFor(expected);

    it("has the same vocabulary size", () => {
      expect(sp.vocabSize).toBe(expected.vocab_size);
    });

    it("encodes every sentence to the same ids and pieces", () => {
      const idMismatches: string[] = [];
      const pieceMismatches: string[] = [];
      sentences.forEach((text, i) => {
        const want = expected.sentences[i];
        if (JSON.stringify(sp.encode(text)) !== JSON.stringify(want.ids)) idMismatches.push(text);
        if (JSON.stringify(sp.encodeAsPieces(text)) !== JSON.stringify(want.pieces))
          pieceMismatches.push(text);
      });
      expect(idMismatches).toEqual([]);
      expect(pieceMismatches).toEqual([]);
    });

    it("gives the same ids on a second pass in another order (no state leaks between calls)", () => {
      const reversed = [...sentences].reverse();
      const ids = reversed.map((text) => sp.encode(text));
      expect(ids).toEqual(reversed.map((_, i) => expected.sentences[sentences.length - 1 - i].ids));
    });

    it("decodes every sentence's ids to python's text", () => {
      const decoded = expected.sentences.map((c) => sp.decode(c.ids));
      expect(decoded).toEqual(expected.sentences.map((c) => c.decoded));
    });

    it("decodes arbitrary id sequences (control, unknown, byte pieces anywhere) like python", () => {
      for (const c of expected.random_decodes) expect(sp.decode(c.ids)).toBe(c.decoded);
    });

    it("rejects ids outside the vocabulary", () => {
      expect(() => sp.decode([sp.vocabSize])).toThrow(RangeError);
      expect(() => sp.decode([-1])).toThrow(/out of range/);
    });
  });
}

describe("model details", () => {
  it("reads the trainer's special ids, including a negative pad id", () => {
    const unigram = loadModel("unigram");
    expect([unigram.padId, unigram.unkId, unigram.bosId, unigram.eosId]).toEqual([0, 1, 2, 3]);
    const bpe = loadModel("bpe");
    expect([bpe.unkId, bpe.bosId, bpe.eosId, bpe.padId]).toEqual([0, 1, 2, -1]);
  });

  it("keeps user-defined language tags whole and unnormalized", () => {
    const sp = loadModel("unigram");
    const tag = sp.pieceToId("__eng_Latn__");
    expect(sp.encode("__eng_Latn__ Hello")[1]).toBe(tag);
    expect(sp.encodeAsPieces("x__fra_Latn__y")).toContain("__fra_Latn__");
  });

  it("never produces control pieces from text", () => {
    const sp = loadModel("unigram");
    const ids = sp.encode("<s> </s> <pad>");
    expect(ids).not.toContain(sp.bosId);
    expect(ids).not.toContain(sp.eosId);
    expect(ids).not.toContain(sp.padId);
  });

  it("applies the nmt_nfkc charsmap and whitespace rules", () => {
    const sp = loadModel("unigram");
    expect(sp.normalize("  ＡＢＣ　ﬁ  x² ")).toBe("▁ABC▁fi▁x2");
    expect(sp.normalize("a\u200bb")).toBe("▁a▁b"); // nmt_nfkc turns U+200B into a space
    expect(sp.normalize("a\u00adb")).toBe("▁a\u00adb"); // but keeps the soft hyphen
    expect(sp.normalize(" \t ")).toBe("");
    const ws = loadModel("ws");
    expect(ws.normalize(" a  b ")).toBe("▁a▁▁b▁");
  });

  it("falls back to bytes for unknown characters when the model has byte pieces", () => {
    const sp = loadModel("unigram");
    const pieces = sp.encodeAsPieces("\u{2F800}"); // a CJK compatibility ideograph outside the vocabulary
    expect(pieces.slice(1).every((p) => /^<0x[0-9A-F]{2}>$/.test(p))).toBe(true);
    expect(sp.decode(sp.encode("\u{2F804}"))).toBe("\u4F60");
  });

  it("merges a run of unknown characters into one <unk> without byte fallback", () => {
    const sp = loadModel("bpe");
    const ids = sp.encode("\u{1F9FF}\u{1F9FE}");
    expect(ids.filter((id) => id === sp.unkId)).toHaveLength(1);
    expect(sp.decode(ids)).toBe(" \u2047 ");
  });

  it("names what is wrong with a truncated or foreign file", () => {
    const bytes = readFileSync(new URL("unigram.model", FIXTURES));
    expect(() => SentencePieceProcessor.fromBytes(bytes.subarray(0, bytes.length - 7))).toThrow(
      /runs past the end|truncated/,
    );
    expect(() => SentencePieceProcessor.fromBytes(new TextEncoder().encode("not a model at all"))).toThrow();
    expect(() => parseModelProto(new Uint8Array([0x0a, 0x05, 0x0a]))).toThrow(/runs past the end/);
  });
});

describe("helpers", () => {
  it("decodes malformed UTF-8 one replacement character per bad byte, like sentencepiece", () => {
    expect(decodeBytesLikeSentencePiece([0xe4, 0xbd, 0xa0])).toBe("你");
    expect(decodeBytesLikeSentencePiece([0xe4, 0xbd])).toBe("\ufffd\ufffd");
    expect(decodeBytesLikeSentencePiece([0xed, 0xa0, 0x80, 0x41])).toBe("\ufffd\ufffd\ufffdA");
    expect(decodeBytesLikeSentencePiece([0xc0, 0x80])).toBe("\ufffd\ufffd");
  });
});
