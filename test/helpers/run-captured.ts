/**
 * A child process run to its end with its output captured: together (runCaptured, for the tests that
 * run Debian's python3 and the training scripts) or apart (runSeparated, for the CLI tests that check
 * stdout and stderr each). Async so the test worker's event loop (and vitest's RPC heartbeat) keeps
 * running meanwhile: a synchronous spawn of a minute-long command starves it.
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

export function runSeparated(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
