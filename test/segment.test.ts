/**
 * The rule-based sentence segmenter on real sentences: abbreviations, decimals, URLs, quotes, ellipses,
 * scripts with their own full stops (CJK, Devanagari, Arabic, Armenian, Ethiopic, ...), Thai without
 * any, the 256-character cap with its clause-boundary preference, hard-wrapped lines, the span
 * contract, and a pinned small version of the NTREX-128 boundary measurement
 * (bench/segmentation.mjs runs the full one).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ruleSegmenter, segmentSentences } from "../src/segment/rules.js";
import { MAX_SEGMENT_CHARS, type Segment } from "../src/segment/types.js";
import { UsageError } from "../src/util/errors.js";

function sentences(text: string, lang?: string, maxChars?: number): string[] {
  return segmentSentences(text, { lang, maxChars }).map((s) => text.slice(s.start, s.end));
}

/** Spans are trimmed, ordered, disjoint, within the cap, and cover every non-space character. */
function expectValidSpans(text: string, spans: Segment[], maxChars: number): void {
  let previousEnd = 0;
  const covered = new Uint8Array(text.length);
  for (const { start, end } of spans) {
    expect(start).toBeGreaterThanOrEqual(previousEnd);
    expect(end).toBeGreaterThan(start);
    expect(end - start).toBeLessThanOrEqual(maxChars);
    expect(text.slice(start, end)).toBe(text.slice(start, end).trim());
    covered.fill(1, start, end);
    previousEnd = end;
  }
  for (let k = 0; k < text.length; k++) {
    if (!covered[k] && !/\s/.test(text[k]!))
      throw new Error(`character ${k} ${JSON.stringify(text[k])} not covered`);
  }
}

describe("abbreviations", () => {
  it("keeps titles with the name that follows", () => {
    expect(
      sentences(
        `"Historically, the old people I've talked to say there was a bar and a church on every corner," Mr. Adams said. "Today, there's neither."`,
        "eng_Latn",
      ),
    ).toEqual([
      `"Historically, the old people I've talked to say there was a bar and a church on every corner," Mr. Adams said.`,
      `"Today, there's neither."`,
    ]);
    expect(
      sentences(
        "Dr. Ford and Mrs. Robinson met Prof. Higgins at St. Martin's church. The Rev. David Johnson was there.",
        "eng_Latn",
      ),
    ).toEqual([
      "Dr. Ford and Mrs. Robinson met Prof. Higgins at St. Martin's church.",
      "The Rev. David Johnson was there.",
    ]);
  });

  it("reads e.g., i.e., etc., U.S. and U.K. by what follows them", () => {
    expect(
      sentences(
        "Some fruits, e.g. apples, keep well, i.e. for months. We sold apples, pears, etc. The rest was eaten.",
        "eng_Latn",
      ),
    ).toEqual([
      "Some fruits, e.g. apples, keep well, i.e. for months.",
      "We sold apples, pears, etc.",
      "The rest was eaten.",
    ]);
    expect(
      sentences(
        "The U.S. Navy moved the ship to the U.K. It arrived in the U.S. on Monday. The U.N. General Assembly met.",
        "eng_Latn",
      ),
    ).toEqual([
      "The U.S. Navy moved the ship to the U.K.",
      "It arrived in the U.S. on Monday.",
      "The U.N. General Assembly met.",
    ]);
  });

  it("keeps initials, months before dates and numbered items", () => {
    expect(
      sentences(
        "J. R. R. Tolkien was born on Jan. 3, 1892. It was played by a black musician, Dionisio A. Lind, who moved. Room No. 5 opens at 9 a.m. today.",
        "eng_Latn",
      ),
    ).toEqual([
      "J. R. R. Tolkien was born on Jan. 3, 1892.",
      "It was played by a black musician, Dionisio A. Lind, who moved.",
      "Room No. 5 opens at 9 a.m. today.",
    ]);
  });

  it("reads German ordinals and dates", () => {
    expect(
      sentences(
        "Am 3. Oktober spielt der 1. FC Köln im Stadion. Die Zahl der Zuschauer stieg auf 25. Die Polizei war z.B. mit 300 Beamten vor Ort.",
        "deu_Latn",
      ),
    ).toEqual([
      "Am 3. Oktober spielt der 1. FC Köln im Stadion.",
      "Die Zahl der Zuschauer stieg auf 25.",
      "Die Polizei war z.B. mit 300 Beamten vor Ort.",
    ]);
  });

  it("knows French, Spanish and Russian abbreviations", () => {
    expect(sentences("M. Goldsmith déclara les propos suivants. Il partit.", "fra_Latn")).toEqual([
      "M. Goldsmith déclara les propos suivants.",
      "Il partit.",
    ]);
    expect(
      sentences("La Sra. García viajó a EE. UU. en agosto. Después volvió a Madrid.", "spa_Latn"),
    ).toEqual(["La Sra. García viajó a EE. UU. en agosto.", "Después volvió a Madrid."]);
    expect(
      sentences(
        "Он переехал в г. Москва в 1990 г. и остался там, т.е. навсегда. Потом всё изменилось.",
        "rus_Cyrl",
      ),
    ).toEqual(["Он переехал в г. Москва в 1990 г. и остался там, т.е. навсегда.", "Потом всё изменилось."]);
  });
});

describe("numbers, URLs and e-mail addresses", () => {
  it("does not split decimals, thousands, URLs or addresses", () => {
    expect(
      sentences(
        "Pi is about 3.14 and the bill was $1,000.50 in total. See https://www.example.com/docs/v2.1/index.html?page=3.5 or write to jane.doe@example.org for details. Thanks.",
        "eng_Latn",
      ),
    ).toEqual([
      "Pi is about 3.14 and the bill was $1,000.50 in total.",
      "See https://www.example.com/docs/v2.1/index.html?page=3.5 or write to jane.doe@example.org for details.",
      "Thanks.",
    ]);
    expect(sentences("Rosa crossed Arizona, weather.com said. Rain followed.", "eng_Latn")).toEqual([
      "Rosa crossed Arizona, weather.com said.",
      "Rain followed.",
    ]);
  });
});

describe("quotes, brackets, ellipses and stacked marks", () => {
  it("ends after a closing quote or bracket, and not before a lowercase attribution", () => {
    expect(
      sentences('He said "Go." Then he left. "Why?" she asked. (See the appendix.) It follows.', "eng_Latn"),
    ).toEqual(['He said "Go."', "Then he left.", '"Why?" she asked.', "(See the appendix.)", "It follows."]);
    expect(
      sentences(
        "« Je crois qu’ils n’ont jamais reçu mes messages. » Il a écrit : « Il y a un requin ! », explique Chad.",
        "fra_Latn",
      ),
    ).toEqual([
      "« Je crois qu’ils n’ont jamais reçu mes messages. »",
      "Il a écrit : « Il y a un requin ! », explique Chad.",
    ]);
    expect(sentences("„Ich habe nichts aufgegeben.“ Er stellte die Frage.", "deu_Latn")).toEqual([
      "„Ich habe nichts aufgegeben.“",
      "Er stellte die Frage.",
    ]);
  });

  it("handles ellipses and ?!", () => {
    expect(
      sentences("I waited... and waited. Nothing happened… Then it rained. Really?! Yes!! Fine.", "eng_Latn"),
    ).toEqual([
      "I waited... and waited.",
      "Nothing happened…",
      "Then it rained.",
      "Really?!",
      "Yes!!",
      "Fine.",
    ]);
  });
});

describe("hard-wrapped text and paragraphs", () => {
  it("treats a single line break as a space and a blank line as a boundary", () => {
    const text =
      "Alice was beginning to get very tired of sitting by her sister on the\nbank, and of having nothing to do. Mr.\nDodgson wrote it.\n\nChapter two begins here";
    expect(sentences(text, "eng_Latn")).toEqual([
      "Alice was beginning to get very tired of sitting by her sister on the\nbank, and of having nothing to do.",
      "Mr.\nDodgson wrote it.",
      "Chapter two begins here",
    ]);
  });
});

describe("scripts with their own full stops", () => {
  it("splits Chinese and Japanese with or without spaces", () => {
    expect(sentences("他说：“我们走吧。”然后他们离开了。你来吗？我来！", "zho_Hans")).toEqual([
      "他说：“我们走吧。”",
      "然后他们离开了。",
      "你来吗？",
      "我来！",
    ]);
    expect(
      sentences("「全員海から出るように叫んだ。」とハメルは語る。 少年は病院に搬送された。", "jpn_Jpan"),
    ).toEqual(["「全員海から出るように叫んだ。」とハメルは語る。", "少年は病院に搬送された。"]);
    expect(sentences("価格は３．５ドルです．安いです．")).toEqual(["価格は３．５ドルです．", "安いです．"]);
    // A “ glued to 。 opens the next sentence's quotation (it would close a German one).
    expect(
      sentences(
        "LSU 篮球队教练 Will Wade 表示球队因 Wayde 的死而“伤心欲绝”，而且“极度震惊”。“这就是你总是要担心的事情，” Wade 说。",
        "zho_Hans",
      ),
    ).toEqual([
      "LSU 篮球队教练 Will Wade 表示球队因 Wayde 的死而“伤心欲绝”，而且“极度震惊”。",
      "“这就是你总是要担心的事情，” Wade 说。",
    ]);
  });

  it("splits Hindi, Arabic, Urdu, Armenian, Greek and Ethiopic at their marks", () => {
    expect(sentences("डॉ. शर्मा घर गए। क्या आप आएंगे? हाँ, मैं आऊँगा।", "hin_Deva")).toEqual([
      "डॉ. शर्मा घर गए।",
      "क्या आप आएंगे?",
      "हाँ, मैं आऊँगा।",
    ]);
    expect(sentences("ذهبت إلى السوق. هل أنت بخير؟ نعم، شكرا.", "arb_Arab")).toEqual([
      "ذهبت إلى السوق.",
      "هل أنت بخير؟",
      "نعم، شكرا.",
    ]);
    expect(sentences("میں گھر جا رہا ہوں۔ آپ کہاں ہیں؟", "urd_Arab")).toEqual([
      "میں گھر جا رہا ہوں۔",
      "آپ کہاں ہیں؟",
    ]);
    // Armenian ends with ։ or a typed ":"; its "." is a colon ("ասաց." = "said:").
    expect(sentences("Աղբյուրը հայտնում է. -Մենք գնում ենք։ Նա տուն գնաց: Վերջ։", "hye_Armn")).toEqual([
      "Աղբյուրը հայտնում է. -Մենք գնում ենք։",
      "Նա տուն գնաց:",
      "Վերջ։",
    ]);
    expect(sentences("Πού πας; Στο σπίτι. Καλά.", "ell_Grek")).toEqual(["Πού πας;", "Στο σπίτι.", "Καλά."]);
    expect(sentences("ዛሬ ጥሩ ቀን ነው። ነገ እንገናኛለን፡፡ እሺ።", "amh_Ethi")).toEqual([
      "ዛሬ ጥሩ ቀን ነው።",
      "ነገ እንገናኛለን፡፡",
      "እሺ።",
    ]);
  });

  it("splits Burmese, Khmer and Tibetan at their section marks", () => {
    expect(sentences("ကျွန်တော် စာအုပ်ဖတ်သည်။ သူ အိမ်ပြန်သည်။")).toEqual(["ကျွန်တော် စာအုပ်ဖတ်သည်။", "သူ အိမ်ပြန်သည်။"]);
    expect(sentences("ខ្ញុំទៅផ្សារ។ គាត់នៅផ្ទះ។")).toEqual(["ខ្ញុំទៅផ្សារ។", "គាត់នៅផ្ទះ។"]);
    expect(sentences("ཁོང་ཚོ་ཡོང་གི་རེད། ང་འགྲོ་གི་ཡིན།", "bod_Tibt")).toEqual(["ཁོང་ཚོ་ཡོང་གི་རེད།", "ང་འགྲོ་གི་ཡིན།"]);
  });

  it("splits Thai at a sentence space but not before a conjunction or after ว่า", () => {
    const first = "อย่างไรก็ตาม ในแต่ละปี จำนวนผู้ป่วยที่ติดเชื้อเอชไอวีและเอดส์ในประเทศจีนเพิ่มขึ้นถึง 100,000 ราย";
    const second = "การแพร่กระจายของเชื้อเอชไอวีผ่านทางการมีเพศสัมพันธ์เป็นปัญหาที่สำคัญในหมู่ชาว LGBT ในประเทศจีน";
    const third =
      "นับจากปี 2003 รัฐบาลประเทศจีนได้ให้คำมั่นสัญญาในระดับสากลว่า จะมีส่วนร่วมในการใช้ยารักษาเชื้อเอชไอวี ซึ่งเป็นส่วนหนึ่งของความพยายามในการแก้ไขปัญหา";
    expect(sentences(`${first} ${second}`, "tha_Thai")).toEqual([first, second]);
    expect(sentences(third, "tha_Thai")).toEqual([third]);
  });
});

describe("the 256-character cap", () => {
  it("re-splits an over-long sentence at a clause boundary first", () => {
    const text =
      "Just at this moment Alice felt a very curious sensation, which puzzled her a good deal until she made out what it was: she was beginning to grow larger again, and she thought at first she would get up and leave the court; but on second thoughts she decided to remain where she was as long as there was room for her.";
    const pieces = sentences(text, "eng_Latn");
    expect(pieces.length).toBe(2);
    expect(pieces.every((p) => p.length <= MAX_SEGMENT_CHARS)).toBe(true);
    expect(pieces[0]!.endsWith(":") || pieces[0]!.endsWith(";")).toBe(true);
  });

  it("prefers a comma before a conjunction to a bare comma", () => {
    const text =
      '"The overwhelming majority of people who buy condominiums in these buildings will be white," he said, "and therefore will hasten the day that these churches close altogether because it is unlikely that most of these people who move into these condominiums will become members of these churches."';
    expect(sentences(text, "eng_Latn")).toEqual([
      '"The overwhelming majority of people who buy condominiums in these buildings will be white," he said,',
      '"and therefore will hasten the day that these churches close altogether because it is unlikely that most of these people who move into these condominiums will become members of these churches."',
    ]);
  });

  it("falls back to words, then to Intl.Segmenter words in scripts without spaces", () => {
    const words = "the quick brown fox jumps over the lazy dog ".repeat(12).trim();
    for (const piece of sentences(words, "eng_Latn", 100)) {
      expect(piece.length).toBeLessThanOrEqual(100);
      expect(words).toMatch(new RegExp(`(^| )${piece}( |$)`));
    }
    // Chinese news text with its punctuation removed: only word boundaries are left.
    const chinese =
      "国家统计局今天发布的数据显示今年前三个季度全国居民人均可支配收入比上年同期名义增长百分之八点八扣除价格因素实际增长百分之五点二城镇居民人均可支配收入增长百分之七点九农村居民人均可支配收入增长百分之八点八";
    const text = chinese.repeat(3);
    const spans = segmentSentences(text, { lang: "zho_Hans", maxChars: 64 });
    expectValidSpans(text, spans, 64);
    const wordStarts = new Set(
      [...new Intl.Segmenter("zh", { granularity: "word" }).segment(text)].map((s) => s.index),
    );
    for (const { start } of spans) expect(wordStarts.has(start)).toBe(true);
  });

  it("never splits a surrogate pair", () => {
    const text = "😀".repeat(300);
    const spans = segmentSentences(text, { maxChars: 255 });
    expectValidSpans(text, spans, 255);
    for (const { start, end } of spans) {
      expect(text.slice(start, end)).toBe("😀".repeat((end - start) / 2));
    }
  });

  it("rejects a cap that is not a positive integer", () => {
    expect(() => segmentSentences("One. Two.", { maxChars: 0 })).toThrow(UsageError);
    expect(() => segmentSentences("One. Two.", { maxChars: 2.5 })).toThrow(UsageError);
  });
});

interface NtrexMini {
  documents: string[];
  languages: Record<string, string[][]>;
}

const ntrex = JSON.parse(
  readFileSync(new URL("./fixtures/ntrex-mini/ntrex-mini.json", import.meta.url), "utf8"),
) as NtrexMini;

/** Boundary F1 over documents whose lines are joined with spaces (line ends are the gold boundaries). */
function boundaryF1(lang: string, maxChars: number): number {
  let gold = 0;
  let predicted = 0;
  let correct = 0;
  for (const lines of ntrex.languages[lang]!) {
    const text = lines.join(" ");
    const expected = new Set<number>();
    let offset = 0;
    for (const line of lines.slice(0, -1)) {
      offset += line.length + 1;
      expected.add(offset);
    }
    const found = segmentSentences(text, { lang, maxChars })
      .slice(1)
      .map((s) => s.start);
    gold += expected.size;
    predicted += found.length;
    correct += found.filter((p) => expected.has(p)).length;
  }
  const precision = correct / predicted;
  const recall = correct / gold;
  return (2 * precision * recall) / (precision + recall);
}

describe("NTREX-128 regression (6 documents, headline joined to the body as in the full benchmark)", () => {
  // Floors sit a little under what the rules measure on these documents (see bench/segmentation.mjs
  // for all 122 languages); a regression in any script's rules drops its language below its floor.
  const floors: Record<string, { sentences: number; capped: number }> = {
    eng_Latn: { sentences: 0.94, capped: 0.91 },
    fra_Latn: { sentences: 0.93, capped: 0.89 },
    deu_Latn: { sentences: 0.93, capped: 0.89 },
    rus_Cyrl: { sentences: 0.87, capped: 0.84 },
    zho_Hans: { sentences: 0.91, capped: 0.91 },
    jpn_Jpan: { sentences: 0.86, capped: 0.86 },
    arb_Arab: { sentences: 0.92, capped: 0.9 },
    hin_Deva: { sentences: 0.92, capped: 0.89 },
    tha_Thai: { sentences: 0.46, capped: 0.45 },
  };
  for (const [lang, floor] of Object.entries(floors)) {
    it(`${lang} boundary F1 stays above ${floor.sentences} (capped ${floor.capped})`, () => {
      expect(boundaryF1(lang, Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(floor.sentences);
      expect(boundaryF1(lang, MAX_SEGMENT_CHARS)).toBeGreaterThanOrEqual(floor.capped);
    });
  }

  it("keeps the span contract on every fixture document, with the default cap and a small one", () => {
    for (const [lang, documents] of Object.entries(ntrex.languages)) {
      for (const lines of documents) {
        const text = lines.join(lang === "zho_Hans" || lang === "jpn_Jpan" ? "" : "\n");
        expectValidSpans(text, ruleSegmenter.segment(text, { lang }), MAX_SEGMENT_CHARS);
        expectValidSpans(text, ruleSegmenter.segment(text, { lang, maxChars: 40 }), 40);
      }
    }
  });
});
