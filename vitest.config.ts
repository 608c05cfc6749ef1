import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";
import { ensureSmokeCodec } from "./test/global-setup.js";

/**
 * `vitest run` (npm test, scripts/test.sh): every test.
 *
 * `vitest run --mode js` (npm run test:js): the fast everyday run, JavaScript only. It leaves out the
 * tests below, which need tools outside Node, and never starts Python: the smoke codec that the codec
 * tests run against (test/global-setup.ts trains it with torch) is taken from the cache a full run
 * left. When the training code changed since, the newest cached one stands in (said in one line);
 * with none cached, the tests that need it are left out too (also said).
 */
const NEEDS_SYSTEM_TOOLS = [
  "test/training-*.test.ts", // the Python training code: pipelines end to end (torch), pyflakes lint
  "test/tui-e2e.test.ts", // tmux
  "test/nvim-plugin.test.ts", // neovim
];

const ROOT = fileURLToPath(new URL(".", import.meta.url));
/** Where test/global-setup.ts caches the smoke codec, one folder per version of the training code. */
const SMOKE_CODEC_CACHE = join(ROOT, "node_modules", ".cache", "lcm-smoke-codec");

export default defineConfig(async ({ mode }) => {
  const jsOnly = mode === "js";
  const exclude = jsOnly ? [...NEEDS_SYSTEM_TOOLS] : [];
  let globalSetup = ["test/global-setup.ts"];
  if (jsOnly && !(await smokeCodecWithoutPython())) {
    const codecTests = testsUsingSmokeCodec().filter(
      (file) => !NEEDS_SYSTEM_TOOLS.some((glob) => matches(glob, file)),
    );
    exclude.push(...codecTests);
    globalSetup = [];
    console.warn(
      `test:js: no smoke codec cached (npm test trains it): the ${codecTests.length} test files that need it are left out`,
    );
  }
  return {
    test: {
      include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
      exclude: [...configDefaults.exclude, ...exclude],
      // Trains (or finds cached) the smoke codec that the codec tests run against.
      globalSetup,
      testTimeout: 60_000,
      pool: "forks",
      poolOptions: { forks: { maxForks: 2 } },
    },
  };
});

/**
 * Whether the smoke codec can be had without training: the cached one of this training code (or
 * LCM_SMOKE_CODEC), else the newest cached one, handed to the global setup through LCM_SMOKE_CODEC.
 */
async function smokeCodecWithoutPython(): Promise<boolean> {
  const python = process.env.PYTHON;
  process.env.PYTHON = "/nonexistent/python3"; // the global setup trains only when Python answers
  try {
    if ("dir" in (await ensureSmokeCodec())) return true;
  } finally {
    if (python === undefined) delete process.env.PYTHON;
    else process.env.PYTHON = python;
  }
  if (process.env.LCM_SMOKE_CODEC || !existsSync(SMOKE_CODEC_CACHE)) return false;
  const newest = readdirSync(SMOKE_CODEC_CACHE)
    .map((name) => join(SMOKE_CODEC_CACHE, name))
    .filter((dir) => existsSync(join(dir, "manifest.json")) && !dir.includes(".tmp-"))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) return false;
  process.env.LCM_SMOKE_CODEC = newest;
  console.warn(
    `test:js: training/ changed since the smoke codec was last trained; using the newest cached one (${newest}); npm test retrains it`,
  );
  return true;
}

/** The test files that use the smoke codec (through test/helpers/smoke-codec.ts or lcm-models.ts). */
function testsUsingSmokeCodec(): string[] {
  const dir = join(ROOT, "test");
  return readdirSync(dir)
    .filter((name) => /\.test\.tsx?$/.test(name))
    .filter((name) =>
      /helpers\/(smoke-codec|lcm-models)|smokeCodec/.test(readFileSync(join(dir, name), "utf8")),
    )
    .map((name) => `test/${name}`);
}

/** Whether a test file's path matches one of the patterns above (`*`: any characters but `/`). */
function matches(glob: string, file: string): boolean {
  const pattern = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
  return new RegExp(`^${pattern}$`).test(file);
}
