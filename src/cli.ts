#!/usr/bin/env node
/**
 * The `lcm` command line. Each subcommand lives in src/cli/<name>.ts and is a thin shell over library
 * functions. The TUI and the stdio server are imported lazily so batch paths never load React or Ink.
 */
import { Command, CommanderError } from "commander";
import { registerCommands } from "./cli/commands.js";
import { reflowDescriptions, reportAndExit } from "./cli/common.js";
import { UsageError } from "./util/errors.js";

const program = new Command();
program
  .name("lcm")
  .description(
    "Plan and summarize long documents in a concept space: sentences become concepts (sentence\n" +
      "embeddings), a diffusion Large Concept Model generates new concepts, and a decoder renders\n" +
      "them in any supported language.",
  )
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerCommands(program);
reflowDescriptions(program);

program.addHelpText(
  "after",
  `
Examples:
  $ lcm summarize examples/problems-of-philosophy.md              summarize a book
  $ lcm tui examples/problems-of-philosophy.md        see and edit its outline, generate, render
  $ lcm outline examples/problems-of-philosophy.md    the document as an outline of concepts
  $ lcm outline notes.txt --format json               the same, as JSON with source spans
  $ cat report.md | lcm outline -                     read from stdin

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.`,
);

// A closed stdout (e.g. `| head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit with code 0 and have already printed; commander printed usage errors too.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  reportAndExit(
    error instanceof Error ? error : new UsageError(String(error)),
    process.argv.includes("--debug"),
  );
}
