// Encodes the LCM's special concepts ("End of text.", "[MODEL]:") with the codec, as the runtime does:
// writes OUT/specials.f32 (2 rows) and OUT/specials.json. Usage: node specials.mjs CODEC_DIR OUT_DIR
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const { ConceptCodec } = await import("lcm");
const [codecDir, out] = process.argv.slice(2);
const codec = await ConceptCodec.load(codecDir, { cache: false });
const texts = ["End of text.", "[MODEL]:"];
const { vectors } = await codec.encode(texts, "eng_Latn");
const buf = new Float32Array(vectors.length * codec.dim);
vectors.forEach((v, i) => buf.set(v, i * codec.dim));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "specials.f32"), Buffer.from(buf.buffer));
writeFileSync(join(out, "specials.json"), JSON.stringify({ texts, lang: "eng_Latn", dim: codec.dim, codec: codec.name }));
