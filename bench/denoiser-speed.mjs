/**
 * The LCM's denoiser in its two forms (docs/lcm-contract.md): the one graph, which projects the whole
 * context into cross-attention keys/values at every diffusion step, and the split pair, which does
 * that once per concept. Both generate the same concepts from the same prompt and seed in this
 * process (the largest difference is printed); the figure is the split form's speed-up.
 *
 *   npm run build
 *   node bench/denoiser-speed.mjs [--models DIR] [--prompt N] [--concepts N] [--runs N] [--threads N]
 *
 * The prompt is N real concepts: sentences of the bundled example document, encoded by the codec.
 * Stop rules are off so every run generates exactly --concepts concepts.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  buildOutline,
  ConceptEngine,
  diffusionPredictor,
  generateConcepts,
  LcmModel,
  ruleSegmenter,
  walkConcepts,
} from "lcm";

const { values } = parseArgs({
  options: {
    models: { type: "string" },
    prompt: { type: "string", default: "200" },
    concepts: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    threads: { type: "string" },
  },
});
const threads = values.threads ? Number(values.threads) : undefined;
const engine = await ConceptEngine.open({ models: values.models, cache: false, threads });
const text = readFileSync(new URL("../examples/problems-of-philosophy.md", import.meta.url), "utf8");
const outline = buildOutline(text, { segmenter: ruleSegmenter, format: "markdown", lang: "eng_Latn" });
const sentences = [];
for (const { concept } of walkConcepts(outline))
  if (concept.kind === "sentence") sentences.push(concept.text);
const promptSize = Math.min(Number(values.prompt), sentences.length, engine.spec.maxContext - 1);
const prompt = (await engine.codec.encode(sentences.slice(0, promptSize), "eng_Latn")).vectors;
const endOfText = (await engine.codec.encode(["End of text."], "eng_Latn")).vectors[0];

const forms = {};
for (const form of ["full", "split"]) {
  forms[form] = await LcmModel.load(engine.spec, { threads, denoiser: form });
}
const settings = engine.spec.defaults;
const options = {
  maxConcepts: Number(values.concepts),
  minConcepts: 0,
  seed: 3,
  eotThreshold: 2,
  repeatThreshold: 2,
};
const times = { full: [], split: [] };
const outputs = {};
for (let run = 0; run < Number(values.runs); run++) {
  for (const form of ["full", "split"]) {
    const predictor = diffusionPredictor(forms[form], {
      steps: settings.steps,
      guidance: settings.guidance,
      guidanceRescale: settings.guidanceRescale,
      initialNoise: settings.initialNoise,
      epsilonScaling: settings.epsilonScaling,
    });
    const start = performance.now();
    const result = await generateConcepts(predictor, prompt, endOfText, options);
    times[form].push(performance.now() - start);
    outputs[form] = result.concepts;
  }
}
let worst = 0;
outputs.full.forEach((v, i) => {
  v.forEach((x, d) => {
    worst = Math.max(worst, Math.abs(x - outputs.split[i][d]));
  });
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `LCM ${engine.spec.manifest.name}: prompt ${promptSize} concepts, ${options.maxConcepts} generated, ` +
    `${settings.steps} steps, guidance ${settings.guidance}; threads ${threads ?? "default"}`,
);
for (const form of ["full", "split"]) {
  console.log(
    `  ${form.padEnd(5)} median ${(median(times[form]) / 1000).toFixed(3)} s  (runs: ${times[form].map((t) => (t / 1000).toFixed(3)).join(", ")})`,
  );
}
console.log(
  `split speed-up: ${(median(times.full) / median(times.split)).toFixed(2)}x; largest |difference| ${worst.toExponential(2)}`,
);
for (const m of Object.values(forms)) await m.release();
await engine.release?.();
