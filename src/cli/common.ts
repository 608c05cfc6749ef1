/**
 * What every subcommand shares: the common flags, output formats, and the wrapper that turns thrown
 * errors into one line on stderr plus the documented exit code (0 ok, 1 runtime failure, 2 bad usage).
 */
import type { Command } from "commander";
import { Option } from "commander";
import { debugFromEnv } from "../util/env.js";
import { exitCodeOf, messageOf, UsageError } from "../util/errors.js";

export type OutputFormat = "text" | "md" | "json";

export interface CommonOptions {
  format: OutputFormat;
  debug?: boolean;
  quiet?: boolean;
  progress?: boolean;
}

/** Adds --format/--debug/--quiet/--progress with the same spelling and help everywhere. */
export function withCommonOptions(
  command: Command,
  formats: readonly string[] = ["text", "md", "json"],
  defaultFormat = "text",
): Command {
  return command
    .addOption(new Option("-f, --format <format>", "output format").choices(formats).default(defaultFormat))
    .option("--debug", "show stack traces and internal details on errors")
    .option("-q, --quiet", "print nothing but the result")
    .option("--progress", "show progress on stderr even when it is not a terminal");
}

/** Progress goes to stderr, and only when stderr is a TTY or --progress is given (never with --quiet). */
export function progressEnabled(options: CommonOptions): boolean {
  if (options.quiet) return false;
  return Boolean(options.progress) || Boolean(process.stderr.isTTY);
}

/** Runs an action; any error becomes one line on stderr and the matching exit code. */
export function action<A extends unknown[]>(
  run: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command | undefined;
    const debug = Boolean(command?.opts?.().debug) || debugFromEnv();
    try {
      await run(...args);
    } catch (error) {
      reportAndExit(error, debug);
    }
  };
}

export function reportAndExit(error: unknown, debug: boolean): never {
  const message = messageOf(error).split("\n")[0];
  process.stderr.write(`lcm: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exit(exitCodeOf(error));
}

/** Writes to stdout, tolerating a closed pipe (`lcm outline big.txt | head`). */
export function writeOut(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function parsePositiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`${name} must be a positive integer, got '${value}'`);
    return n;
  };
}

export function parseNumber(name: string, min = -Infinity, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${name} must be a number in [${min}, ${max}], got '${value}'`);
    }
    return n;
  };
}

/**
 * Descriptions are written as source lines of ~100 characters; single line breaks inside them are
 * joined so commander can wrap each paragraph to the terminal's width (80 columns when piped)
 * instead of breaking lines twice. Blank lines stay paragraph breaks.
 */
export function reflowDescriptions(command: Command): void {
  const text = command.description();
  if (text) command.description(text.replace(/([^\n])\n(?!\n)/g, "$1 "));
  for (const sub of command.commands) reflowDescriptions(sub);
}
