/**
 * End to end in a real terminal: the built CLI runs `lcm tui examples/problems-of-philosophy.md` in a
 * detached tmux session (100x30, its own tmux server), keys are sent with `tmux send-keys`, and the
 * screen is read with `tmux capture-pane`: what a person would see. Models: the smoke codec and the
 * LCM parity fixture (tiny, so this runs in seconds); the model worker thread runs them.
 *
 * Needs `npm run build` (npm test does it) and tmux (.ci/run installs it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayWidth } from "../src/tui/text-layout.js";
import { smokeCodecDir } from "./helpers/smoke-codec.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = join(ROOT, "dist", "src", "cli.js");
const SOCKET = `lcm-e2e-${process.pid}`;
/** The tmux session the helpers below talk to (one per test). */
let SESSION = "lcm";

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
}

function screen(): string {
  return tmux("capture-pane", "-p", "-t", SESSION);
}

function keys(...names: string[]): void {
  for (const name of names) tmux("send-keys", "-t", SESSION, name);
}

/** Runs `lcm tui DOC` (a file under the work folder) in a new tmux session, on the given models. */
function startTui(session: string, models: string, doc: string): void {
  const env = [
    `LCM_MODELS=${models}`,
    `XDG_STATE_HOME=${join(work, "state", session)}`,
    `XDG_CONFIG_HOME=${join(work, "config")}`,
    `XDG_DATA_HOME=${join(work, "data")}`,
    `XDG_CACHE_HOME=${join(work, "cache")}`,
    "TERM=xterm-256color",
  ].join(" ");
  // A shell line that runs the TUI, then says how it ended (and stays, so the pane can be read).
  const command = `cd ${work} && env -u CI -u CONTINUOUS_INTEGRATION ${env} node ${CLI} tui ${doc}; echo "lcm exited $?"; sleep 60`;
  tmux("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command);
  SESSION = session;
}

async function waitFor(
  what: string | RegExp | ((s: string) => boolean),
  timeoutMs = 40_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    const ok =
      typeof what === "string" ? s.includes(what) : typeof what === "function" ? what(s) : what.test(s);
    if (ok) return s;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${String(what)}; the terminal shows:\n${s}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let work: string;

beforeAll(() => {
  if (spawnSync("tmux", ["-V"]).status !== 0) {
    throw new Error("tmux is not installed: apt-get install tmux (.ci/run does)");
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  work = mkdtempSync(join(tmpdir(), "lcm-tui-e2e-"));
  const models = join(work, "models");
  mkdirSync(models);
  cpSync(smokeCodecDir(), join(models, "codec"), { recursive: true });
  cpSync(join(ROOT, "test", "fixtures", "lcm-parity"), join(models, "lcm"), { recursive: true });
  mkdirSync(join(work, "examples"));
  cpSync(
    join(ROOT, "examples", "problems-of-philosophy.md"),
    join(work, "examples", "problems-of-philosophy.md"),
  );
  startTui("smoke", models, "examples/problems-of-philosophy.md");
});

afterAll(() => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  // A TUI killed with its tmux server may still be writing its crash-recovery session: retry.
  if (work) rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
});

describe("lcm tui in tmux", () => {
  it("shows the outline, the source, a summary and help, follows a resize, and quits", {
    timeout: 180_000,
  }, async () => {
    // The outline with its headings, a concept, and the status line with the compression figures.
    let s = await waitFor("encoded 226/226");
    expect(s).toContain("▾ The Problems of Philosophy (226)");
    expect(s).toContain("Chapter I. Appearance and Reality (117)");
    expect(s).toContain("• By Bertrand Russell");
    expect(s).toMatch(/226 concepts · 7,\d{3} tokens · [\d.]+ tok\/concept/);
    for (const line of s.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(100);

    // The selected concept's source, marked in the gutter.
    keys("]", "]", "l");
    s = await waitFor("Source · c3");
    expect(s).toMatch(/▌In the following pages I have confined/);

    // Summarize: the form shows the grounding switch, on by default; the output pane fills in, the
    // message says done.
    keys("s");
    s = await waitFor(/Grounded\s+◂ on ▸/);
    keys("Enter");
    s = await waitFor(/done: \d+ concepts? in eng_Latn/, 90_000);
    expect(s).toContain("Output · Summary of the whole document");

    // Help.
    keys("?");
    s = await waitFor("Keys");
    expect(s).toContain("previous row");
    keys("Escape");
    await waitFor((x) => !x.includes("? or Esc closes"));

    // Resize to 80x24: the layout follows (status line two lines from the bottom, panes split at 80).
    tmux("resize-window", "-t", SESSION, "-x", "80", "-y", "24");
    s = await waitFor((x) => (x.split("\n")[21] ?? "").includes("226 concepts"));
    const lines = s.split("\n");
    expect(lines[0]).toMatch(/^ lcm · examples\/problems-of-philosophy\.md/);
    expect([...lines[3]].indexOf("│")).toBe(43);
    expect(lines[1]).toMatch(/│ (↑ )?Output · Summary of the whole/); // ↑: scrolled to follow the end

    // Quit: the output was not exported, so it asks; d drops the session and quits.
    keys("q");
    await waitFor("not exported");
    keys("d");
    s = await waitFor("lcm exited 0");
    const sessions = join(work, "state", "smoke", "lcm", "sessions");
    expect(existsSync(sessions) ? readdirSync(sessions) : []).toEqual([]);
  });
});

describe("lcm tui in tmux, on the shipped models", () => {
  it("summarizes grounded by default with [sN] in the output pane, switches grounding off, and extends a section longer than the context", {
    timeout: 300_000,
  }, async () => {
    // The whole book twice under one heading: 452 concepts, more than the shipped LCM's context of 256.
    const book = readFileSync(join(ROOT, "examples", "problems-of-philosophy.md"), "utf8");
    const body = book.split(/^---$/m)[2].replace(/^#+ .*$/gm, "");
    writeFileSync(join(work, "long.md"), `# All of it\n\n${body}\n\n${body}`);
    startTui("shipped", join(ROOT, "models", "default"), "long.md");
    let s = await waitFor(/encoded (\d+)\/\1/, 120_000);
    expect(s).toMatch(/All of it \((4\d\d)\)/);

    // Summarize with the defaults: grounded, so the pane shows source sentences marked [sN].
    keys("s");
    await waitFor(/Grounded\s+◂ on ▸/);
    keys("Enter");
    s = await waitFor(/done: \d+ concepts? in eng_Latn/, 120_000);
    expect(s).toMatch(/\[s\d+\]/);

    // The switch: grounding off shows the decoder's own renderings, unmarked.
    keys("s");
    await waitFor(/Grounded\s+◂ on ▸/);
    keys("Down", "Down", "Right");
    s = await waitFor(/Grounded\s+◂ off ▸/);
    expect(s).toContain("every concept decoded by the model");
    keys("Enter");
    s = await waitFor(/done: \d+ concepts? in eng_Latn/, 120_000);
    expect(s).not.toMatch(/\[s\d+\]/);

    // Extend the one long section: summarized to fit first, as summarize does, never refused.
    keys("g");
    await waitFor(/›▾ All of it/);
    keys("x");
    await waitFor(/Grounded\s+◂ on ▸/);
    keys("Enter");
    s = await waitFor(/done: \d+ concepts? in eng_Latn/, 240_000);
    expect(s).not.toMatch(/more than the model's context/);
    expect(s).toContain("Output · Document extended");
    expect(s).toMatch(/\[s\d+\]/);
  });
});
