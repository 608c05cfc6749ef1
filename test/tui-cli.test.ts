/**
 * `lcm tui` / `lcm FILE` from the command line: help, refusing to run without a terminal, pointing a
 * mistyped command to the right one, and batch commands never loading React or Ink.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist", "src", "cli.js");
const EXAMPLE = join(ROOT, "examples", "problems-of-philosophy.md");

let guard: string;
let guardDir: string;

beforeAll(() => {
  // A module hook that fails any import of ink or react: batch commands must run with it.
  const dir = mkdtempSync(join(tmpdir(), "lcm-no-ink-"));
  guardDir = dir;
  writeFileSync(
    join(dir, "hooks.mjs"),
    `export async function resolve(specifier, context, next) {
  if (/^(ink|react)(\\/|$)/.test(specifier)) throw new Error("LOADED " + specifier);
  return next(specifier, context);
}\n`,
  );
  guard = join(dir, "register.mjs");
  writeFileSync(
    guard,
    `import { register } from "node:module";\nregister(${JSON.stringify(`file://${join(dir, "hooks.mjs")}`)});\n`,
  );
});

afterAll(() => rmSync(guardDir, { recursive: true, force: true }));

function lcm(args: string[], options: { guard?: boolean } = {}) {
  const node = options.guard ? ["--import", guard, CLI, ...args] : [CLI, ...args];
  const result = spawnSync(process.execPath, node, {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, XDG_STATE_HOME: join(tmpdir(), "lcm-tui-cli-state"), LCM_MODELS: undefined },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("lcm tui on the command line", () => {
  it("has help, and `lcm` alone prints the overview", () => {
    const help = lcm(["tui", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("interactive outline editor");
    expect(help.stdout).toContain("keys.json");
    const bare = lcm([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain("Usage: lcm");
  });

  it("needs a terminal, and says what to use instead", () => {
    const r = lcm(["tui", EXAMPLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "lcm: the TUI needs a terminal (stdin and stdout); for scripts use 'lcm outline' or 'lcm summarize'\n",
    );
    expect(lcm([EXAMPLE]).stderr).toContain("the TUI needs a terminal");
  });

  it("points a mistyped command to the right one", () => {
    const r = lcm(["outlin", "x.md"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("lcm: unknown command or file 'outlin'; did you mean 'lcm outline'?\n");
    expect(lcm(["nosuchfile.md"]).stderr).toBe("lcm: nosuchfile.md: no such file\n");
  });

  it("batch commands never load React or Ink; the TUI does", () => {
    const outline = lcm(["outline", EXAMPLE], { guard: true });
    expect(outline.stderr).toBe("");
    expect(outline.code).toBe(0);
    expect(lcm(["tui", "--help"], { guard: true }).code).toBe(0);
    expect(lcm(["templates"], { guard: true }).code).toBe(0);
    // The guard works: opening the TUI trips it.
    const tui = lcm(["tui", EXAMPLE], { guard: true });
    expect(tui.code).not.toBe(0);
    expect(tui.stderr).toMatch(/LOADED (ink|react)/);
  });
});
