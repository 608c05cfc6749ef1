/**
 * Errors the CLI, TUI and server know how to report. Library code throws these; the shells decide
 * how to show them (one line on stderr + exit code, a TUI message, a JSON-RPC error).
 */

/** Bad usage or bad input: exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  readonly exitCode = 2;
}

/**
 * No model of the kind asked for was found (none installed, or none of that name): a UsageError
 * (exit 2; the user names the models) that says what is missing, so callers choose by `kind`
 * ("no LCM: planning and rendering still work") instead of matching the message.
 */
export class NoModelError extends UsageError {
  constructor(
    message: string,
    /** The kind that is missing (a manifest's `kind`). */
    readonly kind: "codec" | "lcm",
    /** The name asked for; undefined when any model of the kind would have done. */
    readonly wanted?: string,
  ) {
    super(message);
  }
}

/** A file that must not be replaced exists (batch outputs without --force, recovered sessions). */
export class OutputExistsError extends UsageError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

/** Something failed while doing valid work (model missing, ONNX failure, I/O): exit code 1. */
export class RuntimeFailure extends Error {
  override readonly name = "RuntimeFailure";
  readonly exitCode = 1;
}

/** The caller cancelled the work (Esc in the TUI, $/cancelRequest in the server). */
export class CancelledError extends Error {
  override readonly name = "CancelledError";
  constructor(message = "cancelled") {
    super(message);
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof RuntimeFailure) return error.exitCode;
  return 1;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
