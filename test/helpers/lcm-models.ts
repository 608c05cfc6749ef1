/**
 * A models folder with the smoke codec (test/global-setup.ts) and the small LCM committed for the
 * parity test (test/fixtures/lcm-parity, trained on the smoke codec's space): real models, small
 * enough that a summary takes well under a second. Copied, since model discovery skips symlinks.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { smokeCodecDir } from "./smoke-codec.js";

const LCM_FIXTURE = fileURLToPath(new URL("../fixtures/lcm-parity/", import.meta.url));

export function smokeModelsDir(): string {
  const root = mkdtempSync(join(tmpdir(), "lcm-models-"));
  cpSync(smokeCodecDir(), join(root, "codec"), { recursive: true });
  cpSync(LCM_FIXTURE, join(root, "lcm"), { recursive: true, filter: (src) => !src.endsWith("parity.json") });
  return root;
}
