// The document-level parallel corpora (NTREX-128, TICO-19: multiway files with docs.tsv line ranges)
// as LCM pre-training documents, one record per document and language the codec declares:
// {id: "<corpus>-<doc_id>@<lang>", lang, sentences: [...]}. Every language version of a document
// shares the part of its id before "@", so lcm.data.split_of keeps all of them in the same split.
//   node training/lcm/parallel_docs.mjs OUT.jsonl [CODEC_DIR] [DATA_DIR]
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const root = new URL("../../", import.meta.url).pathname;
const [out, codecDir = join(root, "models/default/codec"), data = join(root, "../shared/data")] = process.argv.slice(2);
const languages = JSON.parse(readFileSync(join(codecDir, "manifest.json"), "utf8")).languages;

const lines = [];
for (const corpus of ["ntrex128", "tico19_test"]) {
  const dir = join(data, "parallel", corpus);
  const ranges = readFileSync(join(dir, "docs.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));
  for (const lang of languages) {
    const file = join(dir, `${lang}.txt.gz`);
    if (!existsSync(file)) continue;
    const text = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
    for (const [docId, first, last] of ranges) {
      const sentences = text.slice(Number(first) - 1, Number(last)).filter((s) => s.trim());
      if (sentences.length >= 2) lines.push(JSON.stringify({ id: `${corpus}-${docId}@${lang}`, lang, sentences }));
    }
  }
}
writeFileSync(out, `${lines.join("\n")}\n`);
process.stderr.write(`${out}: ${lines.length} documents in ${languages.length} languages\n`);
