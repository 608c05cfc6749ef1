// The sentences the tool itself cuts a text into (its planner, plain-text mode, rule segmenter), in
// order: sentence i of a document is concept row i of what encode_docs.mjs writes for it. Shared by
// the LCM data scripts so they can never disagree. Needs `npm run build`.
const { buildOutline, walkConcepts, ruleSegmenter } = await import("lcm");

export function sentencesOf(text, lang = "eng_Latn") {
  const outline = buildOutline(text, { segmenter: ruleSegmenter, format: "plain", lang });
  const out = [];
  for (const { concept } of walkConcepts(outline)) if (concept.kind === "sentence") out.push(concept.text);
  return out;
}
