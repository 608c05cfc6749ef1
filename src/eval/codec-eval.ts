/**
 * Evaluating a concept codec (sentence encoder + decoder) on multiway parallel sentences, the numbers the
 * SONAR paper reports for its own codec:
 * - auto-encoding: encode sentences of language L, decode them back into L; corpus chrF2, chrF++ and
 *   BLEU-13a against the inputs, per language;
 * - translation through the concept space: encode in S, decode into T; scored against T's sentences;
 * - xsim: cross-lingual retrieval error between S and T embeddings (xsim.ts).
 * The codec is passed in as two callbacks, so this module knows nothing about ONNX or tokenizers.
 * BLEU-13a is reported for every language but means little for scripts written without spaces
 * (Chinese, Japanese, Thai...): read chrF there.
 */

import { meanVector } from "../util/vector-math.js";
import { corpusBleu } from "./bleu.js";
import { corpusChrf } from "./chrf.js";
import { type XsimMargin, xsimError } from "./xsim.js";

export interface CodecCallbacks {
  /** One embedding per sentence, in order. */
  encode(sentences: readonly string[], lang: string): Promise<Float32Array[]>;
  /** One sentence per embedding, in order, rendered in `lang`. */
  decode(embeddings: readonly Float32Array[], lang: string): Promise<string[]>;
}

export interface CodecEvalOptions {
  /** Translation and xsim directions as [source, target]; default: every language <-> the pivot. */
  pairs?: readonly (readonly [string, string])[];
  /** Pivot language for the default pairs (default eng_Latn when present, else the first language). */
  pivot?: string;
  /** Sentences per encode/decode call (default 64). */
  batchSize?: number;
  xsimMargin?: XsimMargin;
  onProgress?: (step: string) => void;
}

export interface TextScores {
  chrf: number;
  chrfpp: number;
  bleu: number;
  sentences: number;
}

export interface CodecEvalReport {
  autoencoding: ({ lang: string } & TextScores)[];
  translation: ({ source: string; target: string } & TextScores)[];
  xsim: {
    source: string;
    target: string;
    errorRate: number;
    errors: number;
    sentences: number;
    /** The error with each side's mean concept removed first: what separates sentences, not languages. */
    centredErrorRate: number;
  }[];
}

/** The rows minus their mean: a codec's space may be a narrow cone where raw cosines say little. */
function withoutMean(rows: readonly Float32Array[]): Float32Array[] {
  const mean = meanVector(rows);
  return rows.map((row) => row.map((v, d) => v - mean[d]));
}

function scoreText(hypotheses: string[], references: readonly string[]): TextScores {
  return {
    chrf: corpusChrf(hypotheses, [references]),
    chrfpp: corpusChrf(hypotheses, [references], { wordOrder: 2 }),
    bleu: corpusBleu(hypotheses, [references]).score,
    sentences: hypotheses.length,
  };
}

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  run: (batch: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    const batch = items.slice(i, i + size);
    const result = await run(batch);
    if (result.length !== batch.length) {
      throw new Error(`codec returned ${result.length} results for a batch of ${batch.length}`);
    }
    out.push(...result);
  }
  return out;
}

function defaultPairs(langs: string[], pivot: string): [string, string][] {
  return langs
    .filter((lang) => lang !== pivot)
    .flatMap((lang): [string, string][] => [
      [lang, pivot],
      [pivot, lang],
    ]);
}

/** `sentences[lang][i]` must be aligned across languages (line i is the same sentence). */
export async function evaluateCodec(
  sentences: Readonly<Record<string, readonly string[]>>,
  codec: CodecCallbacks,
  options: CodecEvalOptions = {},
): Promise<CodecEvalReport> {
  const langs = Object.keys(sentences);
  if (langs.length === 0) throw new Error("evaluateCodec: no languages");
  const count = sentences[langs[0]].length;
  for (const lang of langs) {
    if (sentences[lang].length !== count) {
      throw new Error(
        `evaluateCodec: ${lang} has ${sentences[lang].length} sentences, ${langs[0]} has ${count}`,
      );
    }
  }
  const pivot = options.pivot ?? (langs.includes("eng_Latn") ? "eng_Latn" : langs[0]);
  const pairs = options.pairs ?? defaultPairs(langs, pivot);
  for (const [source, target] of pairs) {
    if (!(source in sentences) || !(target in sentences)) {
      throw new Error(`evaluateCodec: pair ${source}->${target} names a language without data`);
    }
  }
  const batchSize = options.batchSize ?? 64;
  const progress = options.onProgress ?? (() => {});

  const embeddings = new Map<string, Float32Array[]>();
  for (const lang of langs) {
    progress(`encode ${lang}`);
    embeddings.set(lang, await inBatches(sentences[lang], batchSize, (batch) => codec.encode(batch, lang)));
  }
  const decodeInto = (source: string, target: string) => {
    progress(`decode ${source} -> ${target}`);
    return inBatches(embeddings.get(source)!, batchSize, (batch) => codec.decode(batch, target));
  };

  const report: CodecEvalReport = { autoencoding: [], translation: [], xsim: [] };
  for (const lang of langs) {
    report.autoencoding.push({ lang, ...scoreText(await decodeInto(lang, lang), sentences[lang]) });
  }
  for (const [source, target] of pairs) {
    report.translation.push({
      source,
      target,
      ...scoreText(await decodeInto(source, target), sentences[target]),
    });
    const xsimOptions = { margin: options.xsimMargin, targetTexts: sentences[target] };
    const x = xsimError(embeddings.get(source)!, embeddings.get(target)!, xsimOptions);
    const centred = xsimError(
      withoutMean(embeddings.get(source)!),
      withoutMean(embeddings.get(target)!),
      xsimOptions,
    );
    report.xsim.push({
      source,
      target,
      errorRate: x.errorRate,
      errors: x.errors,
      sentences: x.total,
      centredErrorRate: centred.errorRate,
    });
  }
  return report;
}
