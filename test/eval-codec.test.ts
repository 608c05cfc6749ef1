/**
 * The codec evaluation's plumbing with a fake in-test codec (the real codec runtime does not exist yet):
 * the fake "encodes" a sentence as the one-hot vector of its row in a small multiway table (so every
 * language of the same row shares a concept) and decodes a concept by looking the row up in the target
 * language. A perfect codec must score chrF/BLEU 100 and xsim error 0; a deliberately damaged language
 * must score lower, and only where it is involved.
 */
import { describe, expect, it } from "vitest";
import { type CodecCallbacks, evaluateCodec } from "../src/eval/codec-eval.js";

// Rows 0-4 of NTREX-128 (eng/fra/deu), shortened.
const sentences: Record<string, string[]> = {
  eng_Latn: [
    "Welsh AMs worried about 'looking like muppets'",
    "There is consternation among some AMs at a suggestion their title should change to MWPs.",
    "It has arisen because of plans to change the name of the assembly to the Welsh Parliament.",
    "AMs across the political spectrum are worried it could invite ridicule.",
    "One Labour AM said his group was concerned.",
  ],
  fra_Latn: [
    "Les députés gallois craignent de « passer pour des Muppets »",
    "Certains députés sont consternés par la suggestion de changer leur titre en MWP.",
    "Cela découle du projet de changer le nom de l'assemblée en Parlement gallois.",
    "Des députés de tout l'échiquier politique craignent que cela prête à rire.",
    "Un député travailliste a déclaré que son groupe était inquiet.",
  ],
  deu_Latn: [
    "Walisische Abgeordnete befürchten, „wie Muppets auszusehen“",
    "Einige Abgeordnete sind bestürzt über den Vorschlag, ihren Titel in MWPs zu ändern.",
    "Dies ist auf Pläne zurückzuführen, die Versammlung in Walisisches Parlament umzubenennen.",
    "Abgeordnete aller Parteien befürchten, dass dies Spott hervorrufen könnte.",
    "Ein Labour-Abgeordneter sagte, seine Fraktion sei besorgt.",
  ],
};

function fakeCodec(damaged?: string): CodecCallbacks & { calls: string[] } {
  const calls: string[] = [];
  const rows = sentences.eng_Latn.length;
  return {
    calls,
    async encode(batch, lang) {
      calls.push(`encode ${lang} ${batch.length}`);
      return batch.map((text) => {
        const row = sentences[lang].indexOf(text);
        const v = new Float32Array(rows + 1);
        v[row] = 1;
        v[rows] = 0.1; // a shared component, so cosines are not all 0/1
        return v;
      });
    },
    async decode(batch, lang) {
      calls.push(`decode ${lang} ${batch.length}`);
      return batch.map((v) => {
        const row = v.indexOf(Math.max(...v.slice(0, rows)));
        const text = sentences[lang][row];
        return lang === damaged ? text.split(" ").slice(0, 3).join(" ") : text;
      });
    },
  };
}

describe("evaluateCodec", () => {
  it("scores a perfect codec at chrF/BLEU 100 and xsim error 0, pivoting on English", async () => {
    const codec = fakeCodec();
    const report = await evaluateCodec(sentences, codec, { batchSize: 2 });
    expect(report.autoencoding.map((r) => r.lang)).toEqual(["eng_Latn", "fra_Latn", "deu_Latn"]);
    for (const row of [...report.autoencoding, ...report.translation]) {
      expect(row.chrf).toBeCloseTo(100, 10);
      expect(row.chrfpp).toBeCloseTo(100, 10);
      expect(row.bleu).toBeCloseTo(100, 10);
      expect(row.sentences).toBe(5);
    }
    expect(report.translation.map((r) => `${r.source}>${r.target}`)).toEqual([
      "fra_Latn>eng_Latn",
      "eng_Latn>fra_Latn",
      "deu_Latn>eng_Latn",
      "eng_Latn>deu_Latn",
    ]);
    expect(report.xsim.every((x) => x.errors === 0 && x.sentences === 5 && x.centredErrorRate === 0)).toBe(
      true,
    );
    // Batches of 2 over 5 sentences: 2 + 2 + 1.
    expect(codec.calls.filter((c) => c.startsWith("encode eng_Latn"))).toEqual([
      "encode eng_Latn 2",
      "encode eng_Latn 2",
      "encode eng_Latn 1",
    ]);
  });

  it("lowers exactly the scores that decode into a damaged language", async () => {
    const report = await evaluateCodec(sentences, fakeCodec("deu_Latn"), {
      pairs: [
        ["eng_Latn", "deu_Latn"],
        ["deu_Latn", "fra_Latn"],
      ],
    });
    const auto = Object.fromEntries(report.autoencoding.map((r) => [r.lang, r.chrf]));
    expect(auto.eng_Latn).toBeCloseTo(100, 10);
    expect(auto.deu_Latn).toBeLessThan(60);
    expect(report.translation[0].chrf).toBeLessThan(60); // into German
    expect(report.translation[1].chrf).toBeCloseTo(100, 10); // out of German: the concept is intact
  });

  it("reports xsim with each side's mean removed, which forgives a language's shared offset", async () => {
    // French concepts sit in a narrow cone of their own: a large shared offset, leaning toward row 0's
    // English concept, plus a small per-row signal. By raw cosine every French row retrieves row 0;
    // with each side's mean removed, the row signal decides.
    const offset = [1, 0, 0, 0, 0, 5];
    const codec = fakeCodec();
    const encode = codec.encode;
    codec.encode = async (batch, lang) => {
      const rows = await encode(batch, lang);
      if (lang !== "fra_Latn") return rows;
      return rows.map((v) => v.map((x, d) => 0.05 * x + offset[d]));
    };
    const report = await evaluateCodec(sentences, codec, { pairs: [["fra_Latn", "eng_Latn"]] });
    const [x] = report.xsim;
    expect(x.centredErrorRate).toBe(0);
    expect(x.errorRate).toBeCloseTo(0.8, 10);
  });

  it("refuses unaligned data and pairs without data", async () => {
    await expect(evaluateCodec({ a: ["x"], b: ["x", "y"] }, fakeCodec())).rejects.toThrow(
      /b has 2 sentences/,
    );
    await expect(
      evaluateCodec(sentences, fakeCodec(), { pairs: [["eng_Latn", "spa_Latn"]] }),
    ).rejects.toThrow(/eng_Latn->spa_Latn/);
  });
});
