// `rhythm cancel <id>`: cancels an execution: queued work is dropped, running task handlers are
// asked to stop (AbortSignal), child workflows are cancelled too. Prints the execution after.

import { ExecutionFinishedError, ExecutionNotFoundError } from "../../client/errors.js";
import { isFinalStatus } from "../../shared/statuses.js";
import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { formatExecution } from "../format-execution.js";

const help = `Usage: rhythm cancel <id> [options]

Cancels the execution <id> and every child workflow and task it started that is still going.

Options:
${DATABASE_HELP}

--json prints the cancelled execution.

Exit codes: 0 cancelled; 1 no such execution, or it had already finished; 2 usage error.`;

export const cancelCommand: Command = {
  summary: "cancel an execution and what it started",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, DATABASE_OPTIONS);
    const [id] = positionalArgs(positionals, ["id"]);
    return withRhythm("cancel", values, async (rhythm) => {
      const before = await rhythm.get(id);
      if (!before) throw new ExecutionNotFoundError(id);
      if (isFinalStatus(before.status)) throw new ExecutionFinishedError(id, before.status);
      const after = await rhythm.cancel(id);
      // it may have finished between the two reads
      if (after.status !== "cancelled") throw new ExecutionFinishedError(id, after.status);
      if (values.json) printJson(after);
      else process.stdout.write(formatExecution(after) + "\n");
      return 0;
    });
  },
};
