#!/usr/bin/env node
// The `rhythm` command: dispatches to one file per command. Exit codes are a contract:
// 0 success, 1 the thing ran and failed (or was invalid), 2 usage or load errors.

import { checkCommand } from "./commands/check.js";
import { runCommand } from "./commands/run.js";
import { UsageError, type Command } from "./command.js";

const commands: Record<string, Command> = { run: runCommand, check: checkCommand };

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    "rhythm — durable workflows for TypeScript",
    "",
    "Usage: rhythm <command> [options]   (rhythm <command> --help for details)",
    "",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help() + "\n");
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`rhythm: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help + "\n");
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`rhythm ${name}: ${e.message}\n(see rhythm ${name} --help)\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rhythm: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
