// `rhythm retry <id>`: a failed execution gets another go. A task: one more attempt. A workflow:
// it continues from its last saved state, the await whose failure it did not catch given a new
// attempt, instead of starting over (docs/operations.md).

import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { formatExecution } from "../format-execution.js";

const help = `Usage: rhythm retry <id> [--version VERSION|latest] [--by NAME] [options]

Retries the failed execution <id>.
- A workflow continues from its last saved state — the await whose failure it did not catch —
  with that task given a new attempt (the same execution, its earlier errors kept) or that
  child workflow retried the same way. Results that arrived after it failed are delivered,
  timers and signal waits wait again. No task that had finished runs again. A workflow that
  failed in its own code continues from its last saved state (change a variable first with
  rhythm set, or the code with an upgrade). One that failed before it first paused starts
  from its first line.
- A task no workflow waits for gets one more attempt.

Options:
  --version V          a workflow: retry it on version V (latest, or a sha256 or its first 6+
                       hex digits), its state moved by the rule of rhythm upgrade, or refused
  --by NAME            who asks, for the log (default: the OS user)
${DATABASE_HELP}

--json prints the execution after.

Exit codes: 0 retried; 1 no such execution, or not one that can be retried (RETRY_REFUSED); 2
usage error.`;

export const retryCommand: Command = {
  summary: "continue a failed workflow from its failed await, or retry a task",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      by: { type: "string" },
      version: { type: "string" },
    });
    const [id] = positionalArgs(positionals, ["id"]);
    return withRhythm("retry", values, async (rhythm) => {
      const after = await rhythm.retry(id, { by: values.by, version: values.version });
      if (values.json) printJson(after);
      else process.stdout.write(formatExecution(after) + "\n");
      return 0;
    });
  },
};
