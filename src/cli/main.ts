#!/usr/bin/env node
// The `rhythm` command: dispatches to one file per command. Exit codes are a contract:
// 0 success, 1 the thing ran and failed (or was invalid), 2 usage or load errors.

import { cancelCommand } from "./commands/cancel.js";
import { checkCommand } from "./commands/check.js";
import { dashboardCommand } from "./commands/dashboard.js";
import { deployCommand } from "./commands/deploy.js";
import { devCommand } from "./commands/dev.js";
import { forkCommand } from "./commands/fork.js";
import { getCommand } from "./commands/get.js";
import { inspectCommand } from "./commands/inspect.js";
import { listCommand } from "./commands/list.js";
import { migrateCommand } from "./commands/migrate.js";
import { pruneCommand } from "./commands/prune.js";
import { retryCommand } from "./commands/retry.js";
import { runCommand } from "./commands/run.js";
import { scheduleCommand } from "./commands/schedule.js";
import { setCommand } from "./commands/set.js";
import { upgradeCommand } from "./commands/upgrade.js";
import { signalCommand } from "./commands/signal.js";
import { startCommand } from "./commands/start.js";
import { taskCommand } from "./commands/task.js";
import { workerCommand } from "./commands/worker.js";
import { workersCommand } from "./commands/workers.js";
import { type Command } from "./command.js";
import { errorReport } from "./error-report.js";

/** Commands by group; each group of the help is aligned on its own. */
const groups: [string, Record<string, Command>][] = [
  [
    "Engine (uses the database: --database-url, RHYTHM_DATABASE_URL, rhythm dev, or embedded PGlite)",
    {
      dev: devCommand,
      worker: workerCommand,
      workers: workersCommand,
      migrate: migrateCommand,
      deploy: deployCommand,
      start: startCommand,
      task: taskCommand,
      signal: signalCommand,
      get: getCommand,
      inspect: inspectCommand,
      list: listCommand,
      cancel: cancelCommand,
      schedule: scheduleCommand,
      prune: pruneCommand,
      retry: retryCommand,
      set: setCommand,
      fork: forkCommand,
      upgrade: upgradeCommand,
      dashboard: dashboardCommand,
    },
  ],
  ["Files (no database)", { check: checkCommand, run: runCommand }],
];

const commands: Record<string, Command> = Object.assign({}, ...groups.map(([, g]) => g));

function help(): string {
  const lines = [
    "rhythm — durable workflows for TypeScript",
    "",
    "Usage: rhythm <command> [options]   (rhythm <command> --help for details)",
  ];
  for (const [title, group] of groups) {
    const width = Math.max(...Object.keys(group).map((n) => n.length));
    lines.push("", `${title}:`, ...Object.entries(group).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`));
  }
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help() + "\n");
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
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
    const report = errorReport(name, e);
    if (!report) throw e;
    process.stderr.write(report.text + "\n");
    return report.exitCode;
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
