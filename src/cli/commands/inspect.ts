// `rhythm inspect <id>`: a paused workflow as a person thinks of it (SPEC §7): each stack with
// the line it is at and the variables in scope by name with their values, and what it awaits
// with the ids of the tasks and children it started. Read from the database; no worker needed.

import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, printJson, withRhythm } from "../engine-client.js";
import { shortVersion } from "../format-execution.js";
import { formatInspection } from "../format-inspection.js";

const help = `Usage: rhythm inspect <id> [options]

Shows where a paused workflow is and what its variables hold, read from its saved state: each
stack (the main body first, then concurrent async calls) with its function, line and source
line, the variables in scope there by name with their values (long values cut, cycles and
shared values marked, handles shown as what they are), and the tasks, child workflows, timers
and signals it awaits, with the ids of the executions it started.

Options:
${DATABASE_HELP}

--json prints { id, name, status, version, named, stack: [{ fiber, function, line, column,
source, variables: { name: value }, awaits? }], awaiting: [{ kind, name?, handle, id?, until? }] }.
A value is JSON when JSON can say exactly what it is; anything else (undefined, NaN, -0, a
variable not yet initialized, a function, a handle, a cut value, a cycle) is an object with a
"$type" key.

Exit codes: 0 shown; 1 no such execution, a task, or a workflow with no saved state (not run
yet, or finished); 2 usage error.`;

export const inspectCommand: Command = {
  summary: "show a paused workflow's stack, variables and waits",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, DATABASE_OPTIONS);
    const [id] = positionalArgs(positionals, ["id"]);
    return withRhythm("inspect", values, async (rhythm) => {
      const inspection = await rhythm.inspect(id);
      if (values.json) printJson(inspection);
      else {
        const rows: [string, string][] = [
          ["id", inspection.id],
          ["workflow", `${inspection.name} (version ${shortVersion(inspection.version)})`],
          ["status", inspection.status],
        ];
        const head = rows.map(([k, v]) => `${k.padEnd(8)}  ${v}`);
        process.stdout.write([...head, "", formatInspection(inspection)].join("\n") + "\n");
      }
      return 0;
    });
  },
};
