// The extractive oracle of a reference summary: the source sentences that best reproduce it, greedy on
// ROUGE-1 + ROUGE-2 F, adding a sentence only while the score rises, at most `limit` of them (standard
// for extractive summarizers, e.g. BertSumExt). Shared by oracle_targets.mjs (LCM targets) and
// salience_data.mjs (the salience head's labels). Needs `npm run build`.
const { scoreRouge } = await import("lcm");

const rougeSum = (reference, picked) => {
  const s = scoreRouge(reference, picked.join("\n"), { types: ["rouge1", "rouge2"] });
  return s.rouge1.fmeasure + s.rouge2.fmeasure;
};

/** Indices of the oracle sentences in the order the greedy search took them (most informative first). */
export function oracleOrder(sentences, reference, limit) {
  const chosen = [];
  let best = 0;
  while (chosen.length < limit) {
    let pick = -1;
    let pickScore = best;
    sentences.forEach((_, i) => {
      if (chosen.includes(i)) return;
      const trial = [...chosen, i].sort((a, b) => a - b);
      const s = rougeSum(reference, trial.map((k) => sentences[k]));
      if (s > pickScore) {
        pickScore = s;
        pick = i;
      }
    });
    if (pick < 0) break;
    chosen.push(pick);
    best = pickScore;
  }
  return chosen;
}
