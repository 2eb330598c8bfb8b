// `rhythm set <id> <name>=<JSON> [--frame N]`: changes a variable of a suspended (or failed)
// workflow by name, recorded in its log with the old and new value and who asked.

import { parseCommandArgs, parseJsonOption, positionalArgs, UsageError, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { showText } from "../../vm/show-value.js";

const help = `Usage: rhythm set <id> <name>=<JSON> [--frame N] [--by NAME] [options]

Sets the variable <name> of the paused workflow <id> to a JSON value, in the frame numbered as
\`rhythm inspect\` lists the stack (default 0: the main body's line it is paused at). Refused, and
nothing changed, while a worker runs it or it is queued to run, when the name is not in scope at
that line (or its declaration has not run yet), or when the value breaks a limit (payload size,
state size). The run's log records the change: old value, new value, and who asked.

  rhythm set 8a85… discount=25
  rhythm set 8a85… 'address={"city":"Lyon"}' --frame 1

Options:
  --frame N            the frame (default 0)
  --by NAME            who asks, for the log (default: the OS user)
${DATABASE_HELP}

--json prints { id, name, frame, function, line, old, new, by }.

Exit codes: 0 set; 1 refused (EDIT_REFUSED), no such execution, or a task; 2 usage error.`;

export const setCommand: Command = {
  summary: "change a variable of a paused workflow",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      frame: { type: "string" },
      by: { type: "string" },
    });
    const [id, assignment] = positionalArgs(positionals, ["id", "name=JSON"]);
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected <name>=<JSON>, got "${assignment}"`);
    const name = assignment.slice(0, eq);
    const value = parseJsonOption(assignment.slice(eq + 1), name);
    const frame = values.frame === undefined ? 0 : Number(values.frame);
    if (!Number.isInteger(frame) || frame < 0) throw new UsageError(`--frame must be a whole number ≥ 0, got "${values.frame}"`);
    return withRhythm("set", values, async (rhythm) => {
      const change = await rhythm.setVariable(id, name, value, { frame, by: values.by });
      if (values.json) printJson(change);
      else
        process.stdout.write(
          `${change.name} = ${JSON.stringify(change.new)} (was ${showText(change.old)})\n` +
            `in frame ${change.frame}: ${change.function}, line ${change.line}; logged as set by ${change.by}\n`,
        );
      return 0;
    });
  },
};
