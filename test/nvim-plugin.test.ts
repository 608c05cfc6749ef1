/**
 * The Neovim plugin (editors/nvim) headless against the real server (dist/src/cli.js serve --stdio)
 * and the small real models: :LcmOutline, :LcmSummarize on the buffer and on a range, :LcmRender,
 * <CR> from a result line to its source (UTF-16 spans mapped to byte columns), and an error shown
 * without losing the server. Needs `nvim` (Debian's neovim package; .ci/run installs it).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { smokeModelsDir } from "./helpers/lcm-models.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist/src/cli.js");

interface Jump {
  from: string;
  buffer: string;
  row: number;
  col: number;
  text: string;
}
interface Step {
  buffer: string;
  lines: string[];
  jump?: Jump;
}
interface Seen {
  failure?: string;
  steps: Record<string, Step>;
  notes: { message: string; level: number }[];
  echoes: string[];
  languages: string[];
}

let seen: Seen;
let doc: string;
let docLines: string[];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("dist/src/cli.js is missing: run `npm run build` first");
  const nvim = spawnSync("nvim", ["--version"], { encoding: "utf8" });
  if (nvim.status !== 0) throw new Error("nvim is not installed (apt-get install neovim)");
  const dir = mkdtempSync(join(tmpdir(), "lcm-nvim-"));
  doc = join(dir, "reality.md");
  copyFileSync(join(ROOT, "test/fixtures/nvim/doc.md"), doc);
  docLines = readFileSync(doc, "utf8").split("\n");
  const out = join(dir, "seen.json");
  const cmd = [
    process.execPath,
    CLI,
    "serve",
    "--stdio",
    "--models",
    smokeModelsDir(),
    "--threads",
    "1",
    "-q",
  ];
  const result = spawnSync(
    "nvim",
    [
      "--headless",
      "-u",
      "NONE",
      "-i",
      "NONE",
      "-n",
      "--cmd",
      `set rtp^=${join(ROOT, "editors/nvim")}`,
      "-c",
      "runtime! plugin/lcm.lua",
      "-c",
      `luafile ${join(ROOT, "test/fixtures/nvim/driver.lua")}`,
    ],
    {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        ...process.env,
        LCM_NVIM_OUT: out,
        LCM_NVIM_DOC: doc,
        LCM_NVIM_CMD: JSON.stringify(cmd),
        XDG_CACHE_HOME: dir,
      },
    },
  );
  if (!existsSync(out)) throw new Error(`nvim wrote no results (exit ${result.status}): ${result.stderr}`);
  seen = JSON.parse(readFileSync(out, "utf8"));
  if (seen.failure) throw new Error(`driver: ${seen.failure}`);
}, 150_000);

describe("the Neovim plugin", () => {
  it(":LcmOutline shows sections and concepts; <CR> lands on the sentence, past a non-BMP character", () => {
    const { lines, jump } = seen.steps.outline;
    expect(lines[0]).toBe("# Appearance and Reality");
    expect(lines).toContain("- The symbol 𝔸 is not a letter.");
    expect(lines).toContain("## Sense-data");
    expect(lines.at(-1)).toMatch(/tokens -> \d+ concepts/);
    expect(jump?.buffer).toBe(doc);
    expect(jump?.row).toBe(5);
    expect(jump?.text).toBe("It is math.");
  });

  it(":LcmSummarize shows the summary; <CR> jumps to the start of a source sentence", () => {
    const { lines, jump } = seen.steps.summary;
    expect(lines[0]).toBe("# Summary (eng_Latn, r1)");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(jump?.buffer).toBe(doc);
    const sourceLine = docLines[jump!.row - 1];
    // The cursor sits where a sentence starts: at the line start or right after ". ".
    expect(jump!.col === 0 || /[.?!] $/.test(Buffer.from(sourceLine).subarray(0, jump!.col).toString())).toBe(
      true,
    );
    expect(seen.echoes.some((e) => /^lcm: \d+% (segment|encode|generate|decode)/.test(e))).toBe(true);
    expect(seen.notes.some((n) => /summarized \d+ sentences into \d+/.test(n.message))).toBe(true);
  });

  it("a range is summarized alone, and its spans map back into the range's lines", () => {
    const { lines, jump } = seen.steps.range;
    expect(lines[0]).toBe("# Summary (eng_Latn, r2)");
    expect(jump!.row).toBeGreaterThanOrEqual(7);
    expect(jump!.row).toBeLessThanOrEqual(9);
    expect(jump!.col).toBe(0);
  });

  it(":LcmRender shows the same summary in another language, line for line", () => {
    const { lines } = seen.steps.render;
    expect(lines[0]).toBe("# Summary (fra_Latn, r1)");
    expect(lines).toHaveLength(seen.steps.summary.lines.length);
    expect(seen.languages).toEqual(["fra_Latn"]);
  });

  it("an unknown language is an error message, not a crash", () => {
    const error = seen.notes.find((n) => n.message.includes("render failed"));
    expect(error?.message).toMatch(/xx_Yyyy/);
    expect(error?.level).toBe(4); // vim.log.levels.ERROR
  });
});
