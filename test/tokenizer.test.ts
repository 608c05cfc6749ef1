import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  NLLB_LANG_TAG_BASE,
  nllbLangTagIds,
  SonarTokenizer,
  type SonarTokenizerSpec,
} from "../src/codec/tokenizer.js";
import { UsageError } from "../src/util/errors.js";

const FIXTURES = new URL("./fixtures/spm/", import.meta.url);
const unigramBytes = readFileSync(new URL("unigram.model", FIXTURES));
const bpeBytes = readFileSync(new URL("bpe.model", FIXTURES));
const sentences = JSON.parse(
  gunzipSync(readFileSync(new URL("sentences.json.gz", FIXTURES))).toString(),
) as string[];
const expected = JSON.parse(
  gunzipSync(readFileSync(new URL("unigram.expected.json.gz", FIXTURES))).toString(),
) as {
  sentences: { ids: number[]; decoded: string }[];
};

/** Our own codec's layout: fairseq2 special ids, tags as user-defined pieces of the model. */
const OWN: SonarTokenizerSpec = {
  pieceOffset: 0,
  specialIds: { pad: 0, unk: 1, bos: 2, eos: 3 },
  langTagFormat: "__{lang}__",
};

describe("SonarTokenizer, own codec layout (tags are pieces, offset 0)", () => {
  const tok = SonarTokenizer.fromBytes(unigramBytes, OWN, { source: "unigram.model" });
  const eng = tok.processor.pieceToId("__eng_Latn__");

  it("finds the language tags the model defines", () => {
    expect([...tok.languages].sort()).toEqual([
      "arb_Arab",
      "deu_Latn",
      "eng_Latn",
      "fra_Latn",
      "rus_Cyrl",
      "zho_Hans",
    ]);
    expect(tok.langTagId("eng_Latn")).toBe(eng);
    expect(tok.tagTokenIds).toHaveLength(6);
  });

  it("builds [tag] pieces </s> with python's piece ids for every fixture sentence", () => {
    sentences.forEach((text, i) => {
      const { ids, truncated } = tok.encodeForEncoder(text, "eng_Latn");
      expect(truncated).toBe(false);
      expect(ids).toEqual([eng, ...expected.sentences[i].ids, 3]);
    });
  });

  it("truncates to maxTokens, keeping the tag and </s>, and reports it", () => {
    const { ids, truncated } = tok.encodeForEncoder(
      "This sentence has quite a few pieces in it.",
      "fra_Latn",
      5,
    );
    expect(ids).toHaveLength(5);
    expect(truncated).toBe(true);
    expect(ids[0]).toBe(tok.langTagId("fra_Latn"));
    expect(ids[4]).toBe(3);
    expect(tok.encodeForEncoder("Hi", "fra_Latn", 5).truncated).toBe(false);
  });

  it("gives the decoder prefix </s> [tag]", () => {
    expect(tok.decoderPrefix("deu_Latn")).toEqual([3, tok.processor.pieceToId("__deu_Latn__")]);
  });

  it("decodes to python's text, dropping special ids and language tags", () => {
    const tags = new Set(tok.tagTokenIds);
    // Sentences that spell a tag inside their text lose it on decoding; all others decode like python.
    const plain = expected.sentences.filter((c) => !c.ids.some((id) => tags.has(id)));
    expect(plain.length).toBeGreaterThan(sentences.length - 5);
    for (const c of plain) expect(tok.decode([3, eng, ...c.ids, 3, 0, 0])).toBe(c.decoded);
    const hello = tok.encode("Hello world");
    expect(tok.decode([...hello.slice(0, 1), tok.langTagId("fra_Latn"), ...hello.slice(1)])).toBe(
      "Hello world",
    );
  });

  it("rejects unknown or unsupported languages with suggestions", () => {
    expect(() => tok.langTagId("fre_Latn")).toThrow(
      /unknown language 'fre_Latn'; did you mean fra_Latn \(French\)\?/,
    );
    expect(() => tok.langTagId("spa_Latn")).toThrow(UsageError);
    expect(() => tok.langTagId("spa_Latn")).toThrow(/spa_Latn \(Spanish\) is not supported/);
    expect(tok.langTagId("ENG-latn")).toBe(eng);
  });

  it("accepts only the languages a manifest declares, and names a declared tag the model lacks", () => {
    const limited = new SonarTokenizer(tok.processor, OWN, { languages: ["eng_Latn"] });
    expect(limited.languages).toEqual(["eng_Latn"]);
    expect(() => limited.langTagId("fra_Latn")).toThrow(/not supported/);
    expect(() =>
      SonarTokenizer.fromBytes(unigramBytes, OWN, { languages: ["por_Latn"], source: "m/tok.model" }),
    ).toThrow("m/tok.model: has no tag token '__por_Latn__' for language por_Latn");
  });

  it("refuses special ids that disagree with the model", () => {
    const withSpecial = (specialIds: SonarTokenizerSpec["specialIds"]) => () =>
      new SonarTokenizer(tok.processor, { ...OWN, specialIds }, { source: "tok.model" });
    expect(withSpecial({ pad: 0, unk: 1, bos: 2, eos: 40 })).toThrow(
      /special id eos is 40, which is the text piece/,
    );
    expect(withSpecial({ pad: 0, unk: 3, bos: 2, eos: 1 })).toThrow(/unk is 3, but the model's <unk> is 1/);
    expect(withSpecial({ pad: 0, unk: 1, bos: 3, eos: 3 })).toThrow(/bos and eos are both 3/);
  });

  it("names a missing or malformed tokenizer file", async () => {
    await expect(SonarTokenizer.load("/nonexistent/tokenizer.model", OWN)).rejects.toThrow(
      "/nonexistent/tokenizer.model: missing",
    );
    const notAModel = fileURLToPath(new URL("../package.json", import.meta.url));
    await expect(SonarTokenizer.load(notAModel, OWN, { source: "x/tokenizer.model" })).rejects.toThrow(
      /^x\/tokenizer.model: not a valid SentencePiece model/,
    );
  });
});

/**
 * NLLB's layout, on a model shaped like NLLB's SentencePiece file (unk 0, <s> 1, </s> 2, then
 * pieces): ids shifted by one, tags appended after the vocabulary.
 */
describe("SonarTokenizer, NLLB layout (offset 1, tags after the vocabulary)", () => {
  const fairseq2 = SonarTokenizer.fromBytes(bpeBytes, {
    pieceOffset: 1,
    specialIds: { pad: 0, unk: 1, bos: 2, eos: 3 },
    langTagFormat: "__{lang}__",
    langTagIds: "nllb200",
  });
  const hf = new SonarTokenizer(fairseq2.processor, {
    pieceOffset: 1,
    specialIds: { bos: 0, pad: 1, eos: 2, unk: 3 },
    langTagFormat: "__{lang}__",
    langTagIds: "nllb200",
  });

  it("numbers the 202 tags like fairseq2 and Hugging Face (eng_Latn 256047, zul_Latn 256202)", () => {
    const ids = nllbLangTagIds();
    expect(Object.keys(ids)).toHaveLength(202);
    expect(ids.eng_Latn).toBe(256047);
    expect(ids.zul_Latn).toBe(256202);
    expect(ids.ace_Arab).toBe(NLLB_LANG_TAG_BASE);
    expect(fairseq2.langTagId("eng_Latn")).toBe(256047);
    expect(fairseq2.vocabSize).toBe(256203);
  });

  it("shifts piece ids by one and maps <unk> to each convention's id", () => {
    const text = "Hello \u{1F9FF} world";
    const spm = fairseq2.processor.encode(text);
    expect(spm).toContain(fairseq2.processor.unkId);
    const shifted = spm.map((id) => (id === 0 ? -1 : id + 1));
    expect(fairseq2.encode(text)).toEqual(shifted.map((id) => (id === -1 ? 1 : id)));
    expect(hf.encode(text)).toEqual(shifted.map((id) => (id === -1 ? 3 : id)));
  });

  it("lays out encoder input and decoder prefix with each convention's </s>", () => {
    expect(fairseq2.encodeForEncoder("Hi", "fra_Latn").ids.at(-1)).toBe(3);
    expect(hf.encodeForEncoder("Hi", "fra_Latn").ids.at(-1)).toBe(2);
    expect(fairseq2.encodeForEncoder("Hi", "fra_Latn").ids[0]).toBe(256057);
    expect(fairseq2.decoderPrefix("eng_Latn")).toEqual([3, 256047]);
    expect(hf.decoderPrefix("eng_Latn")).toEqual([2, 256047]);
  });

  it("decodes back, dropping specials, tags and ids past the pieces", () => {
    const text = "The quick brown fox.";
    const plain = fairseq2.processor.decode(fairseq2.processor.encode(text));
    expect(fairseq2.decode([3, 256047, ...fairseq2.encode(text), 3, 256204])).toBe(plain);
    expect(hf.decode([2, 256047, ...hf.encode(text), 2, 1, 1])).toBe(plain);
    expect(hf.decode([...hf.encode("a"), 3])).toBe("a \u2047 ");
  });

  it("knows all 202 SONAR languages and suggests for the rest", () => {
    expect(fairseq2.languages).toHaveLength(202);
    expect(() => fairseq2.langTagId("arb_Latn")).toThrow(
      /unknown language 'arb_Latn'; did you mean arb_Arab/,
    );
  });
});

describe("SonarTokenizer on the shipped codec (models/default/codec)", () => {
  const dir = new URL("../models/default/codec/", import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL("manifest.json", dir), "utf8")) as {
    languages: string[];
    tokenizer: {
      file: string;
      piece_offset: number;
      special_ids: SonarTokenizerSpec["specialIds"];
      lang_tag_format: string;
    };
  };
  const spec: SonarTokenizerSpec = {
    pieceOffset: manifest.tokenizer.piece_offset,
    specialIds: manifest.tokenizer.special_ids,
    langTagFormat: manifest.tokenizer.lang_tag_format,
  };

  it("has a tag for every declared language and agrees with the manifest's special ids", async () => {
    const tok = await SonarTokenizer.load(fileURLToPath(new URL(manifest.tokenizer.file, dir)), spec, {
      languages: manifest.languages,
    });
    expect(tok.languages).toEqual(manifest.languages);
    const { ids } = tok.encodeForEncoder("Hello world.", "fra_Latn");
    expect(ids[0]).toBe(tok.processor.pieceToId("__fra_Latn__"));
    expect(ids.at(-1)).toBe(spec.specialIds.eos);
    expect(tok.decode([spec.specialIds.eos, ...ids])).toBe("Hello world.");
  });
});
