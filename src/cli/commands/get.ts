// `rhythm get <id>`: one execution. For people: its fields, what a suspended workflow waits on
// with the line of each await (and that line's text when ./workflows has the same version), and
// its log. --json prints exactly the execution of SPEC §4.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ExecutionNotFoundError } from "../../client/errors.js";
import { sourceVersion } from "../../compiler/index.js";
import type { Execution, WaitingOn } from "../../store/execution.js";
import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { formatExecution } from "../format-execution.js";
import { DEFAULT_WORKFLOWS } from "../workflows-folder.js";

const help = `Usage: rhythm get <id> [options]

Shows one execution: status, inputs, output or error, for a suspended workflow what it waits on
and where (and until when: a timer, a Signal.when timeout), why it is blocked when no running
worker will take it (or the child it waits on), and its log lines. For a workflow also its
pending timers, the signals sent to it that no wait has taken yet, and the tasks and child
workflows it started with their status and when a queued one runs (the first 100; \`rhythm list
--parent ID\` lists them all).

Options:
  --workflows DIR      where to find the .flow file to quote the awaited line (default ./workflows;
                       quoted only when the file is the version the execution runs)
${DATABASE_HELP}

--json prints the execution: { id, kind, name, status, inputs, output, error, queue, priority,
attempt, parentId, version, createdAt, startedAt, finishedAt, waitingOn?, errors?, runAt?, blocked?,
and for a workflow children, childCount, timers, bufferedSignals }.

Exit codes: 0 found; 1 no such execution; 2 usage error.`;

export const getCommand: Command = {
  summary: "show one execution (what it waits on, its log)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...DATABASE_OPTIONS, workflows: { type: "string" } });
    const [id] = positionalArgs(positionals, ["id"]);
    return withRhythm("get", values, async (rhythm) => {
      const execution = await rhythm.get(id);
      if (!execution) throw new ExecutionNotFoundError(id);
      if (values.json) printJson(execution);
      else {
        const logs = await rhythm.logs(id);
        const lines = localSource(execution, values.workflows ?? DEFAULT_WORKFLOWS);
        const sourceLine = (w: WaitingOn) => lines?.[w.line - 1] ?? null;
        process.stdout.write(formatExecution(execution, { logs, sourceLine }) + "\n");
      }
      return 0;
    });
  },
};

/** The lines of the workflow's file in `dir`, if that file is the very version the execution runs. */
function localSource(e: Execution, dir: string): string[] | null {
  if (e.kind !== "workflow" || e.version === null) return null;
  const file = join(dir, `${e.name}.flow`);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  return sourceVersion(text) === e.version ? text.split("\n") : null;
}
