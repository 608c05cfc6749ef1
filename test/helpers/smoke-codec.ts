/** The smoke codec made by test/global-setup.ts: its directory, or a test failure saying why there is none. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";

export function smokeCodecDir(): string {
  const codec = inject("smokeCodec");
  if (!codec)
    throw new Error(
      "the smoke codec was not prepared: is test/global-setup.ts registered in vitest.config.ts?",
    );
  if ("error" in codec) throw new Error(codec.error);
  return codec.dir;
}

/** The parts of manifest.json the tests edit. */
export interface ManifestJson {
  [key: string]: unknown;
  embedding_dim: number;
  languages: string[];
  tokenizer: {
    [key: string]: unknown;
    type: string;
    lang_tag_format: string;
    special_ids: Record<string, number>;
  };
  encoder: { [key: string]: unknown; file: string };
  decoder: {
    [key: string]: unknown;
    vocab_size: number;
    layers: number;
    inputs: string[];
    outputs: string[];
  };
}

/**
 * A private copy of the smoke codec in a temporary folder (files copied, so tests may damage them),
 * with `edit` applied to its manifest JSON.
 */
export function copySmokeCodec(edit?: (manifest: ManifestJson) => void): string {
  const source = smokeCodecDir();
  const root = mkdtempSync(join(tmpdir(), "lcm-codec-test-"));
  const dir = join(root, "codec");
  cpSync(source, dir, { recursive: true });
  if (edit) {
    const path = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    edit(manifest);
    writeFileSync(path, JSON.stringify(manifest, null, 2));
  }
  return dir;
}

/** English sentences of varied length from the NTREX slice the smoke model was validated on. */
export const SENTENCES = [
  "Hello world.",
  "The Bells of St. Martin's Fall Silent as Churches in Harlem Struggle",
  '"Historically, the old people I\'ve talked to say there was a bar and a church on every corner," Mr. Adams said.',
  "Today, there's neither.",
  "The weather was mild, so we walked to the old harbour after lunch and watched the boats come in.",
  "Yes.",
];
