/**
 * A child process run to its end with its stdout and stderr captured together, for the tests that run
 * Debian's python3 and the training scripts (test/training-lint.test.ts, test/training-pipeline.test.ts).
 * Async so the test worker's event loop (and vitest's RPC heartbeat) keeps running meanwhile.
 */
import { spawn } from "node:child_process";

/** The Python the training code runs on: Debian's, unless PYTHON names another. */
export const PY = process.env.PYTHON ?? "/usr/bin/python3";

export function runCaptured(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    child.on("error", (e) => resolve({ code: -1, out: String(e) }));
    child.on("close", (code) => resolve({ code, out }));
  });
}
