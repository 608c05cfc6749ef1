/**
 * `lcm serve --stdio`: the JSON-RPC server editors talk to (docs/protocol.md). The server module is
 * imported only here, inside the action, so other commands never load it.
 */
import type { Command } from "commander";
import { UsageError } from "../util/errors.js";
import { withCodecOptions } from "./codec-options.js";
import { action, parsePositiveInt } from "./common.js";

interface ServeFlags {
  stdio?: boolean;
  models?: string;
  codec?: string;
  lcm?: string;
  threads?: number;
  cache: boolean;
  log?: string;
  debug?: boolean;
  quiet?: boolean;
  maxMessageMb?: number;
}

export function registerServe(program: Command): void {
  withCodecOptions(
    program
      .command("serve")
      .summary("JSON-RPC 2.0 server for editors on stdin/stdout")
      .description(
        "Serve editors over stdio with JSON-RPC 2.0: outline, summarize, expand, render and encode a\n" +
          "buffer, with progress notifications and cancellation. Messages are newline-delimited JSON, or\n" +
          "LSP-style Content-Length frames when the client starts with one. stdout carries the protocol\n" +
          "only; logs go to stderr or --log FILE. See docs/protocol.md.",
      )
      .option("--stdio", "talk JSON-RPC on stdin/stdout (the only transport)"),
  )
    .option("--lcm <name>", "LCM to use (default: the first one found; see 'lcm models list')")
    .option("--log <file>", "append the log to FILE instead of stderr")
    .option(
      "--max-message-mb <n>",
      "largest message accepted, in MiB (default 32)",
      parsePositiveInt("--max-message-mb"),
    )
    .option("--debug", "log every request with its time")
    .option("-q, --quiet", "log warnings only")
    .addHelpText(
      "after",
      `
Example (one request per line, answers on stdout):
  $ printf '%s\\n' '{"jsonrpc":"2.0","id":1,"method":"outline","params":{"text":"One. Two."}}' | lcm serve --stdio

Exit codes: 0 after shutdown + exit or when the input ends, 1 after exit without shutdown.`,
    )
    .action(action(runServe));
}

async function runServe(flags: ServeFlags): Promise<void> {
  if (!flags.stdio) throw new UsageError("give --stdio: the server talks JSON-RPC on stdin/stdout only");
  // stdout is the protocol channel: anything a library prints by mistake goes to the log instead.
  console.log = console.info = console.debug = console.error;
  const { serve } = await import("../server/index.js");
  const code = await serve({
    models: flags.models,
    codec: flags.codec,
    lcm: flags.lcm,
    threads: flags.threads,
    cache: flags.cache ? undefined : false,
    maxMessageBytes: flags.maxMessageMb ? flags.maxMessageMb * 1024 * 1024 : undefined,
    log: { file: flags.log, debug: flags.debug, quiet: flags.quiet },
  });
  process.exit(code);
}
