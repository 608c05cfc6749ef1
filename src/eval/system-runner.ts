/**
 * Runs a user's summarization command once per document: `sh -c CMD` with the document on stdin, the
 * summary read from stdout. Each run has a timeout; a non-zero exit, a signal, a timeout or an oversized
 * output is a failure with a one-line reason, never an exception, so one bad document does not end an
 * evaluation. The record's id and language are passed as LCM_EVAL_ID and LCM_EVAL_LANG.
 */
import { spawn } from "node:child_process";
import { processEnv } from "../util/env.js";

export interface SystemRun {
  ok: boolean;
  /** Trimmed stdout when ok. */
  summary: string;
  /** Why it failed (exit code, signal, timeout, last stderr line). */
  error?: string;
  seconds: number;
}

export interface RunOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  /** Output above this many bytes is a failure (protects memory from a runaway command). */
  maxOutputBytes?: number;
}

export function runSystem(command: string, input: string, options: RunOptions): Promise<SystemRun> {
  const started = performance.now();
  const maxBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve) => {
    // A process group of its own, so a timeout also ends whatever the shell started.
    const child = spawn("sh", ["-c", command], {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
      env: { ...processEnv(), ...options.env },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = "";
    let failure: string | undefined;
    const finish = (run: Omit<SystemRun, "seconds">) => {
      clearTimeout(timer);
      resolve({ ...run, seconds: (performance.now() - started) / 1000 });
    };
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      failure = `timed out after ${options.timeoutMs / 1000} s`;
      killGroup();
    }, options.timeoutMs);

    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        failure ??= `printed more than ${maxBytes} bytes`;
        killGroup();
        return;
      }
      out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      errTail = (errTail + chunk.toString("utf8")).slice(-2000);
    });
    child.on("error", (error) => finish({ ok: false, summary: "", error: `cannot run: ${error.message}` }));
    child.on("close", (code, signal) => {
      if (failure) return finish({ ok: false, summary: "", error: failure });
      if (code !== 0) {
        const lastLine = errTail.trim().split("\n").pop() ?? "";
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        return finish({ ok: false, summary: "", error: lastLine ? `${why}: ${lastLine}` : why });
      }
      finish({ ok: true, summary: Buffer.concat(out).toString("utf8").trim() });
    });
    // A command that does not read stdin closes the pipe early; that is not an error.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}
