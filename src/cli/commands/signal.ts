// `rhythm signal <id> <name> [--payload JSON]`: sends a named JSON message to a workflow. A
// signal nobody waits for yet waits in the workflow's buffer.

import { ExecutionNotFoundError } from "../../client/errors.js";
import { parseCommandArgs, parseJsonOption, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, note, printJson, withRhythm } from "../engine-client.js";

const help = `Usage: rhythm signal <id> <name> [--payload JSON] [options]

Sends the signal <name> to the workflow execution <id>. \`await Signal.next(name)\` (or
Signal.when) in the workflow receives the payload. A name the workflow's version never waits on
is refused (UNKNOWN_SIGNAL), with the names it does wait on: a typo would otherwise wait in its
buffer for ever. A workflow that computes a name (\`Signal.next(kind + "-done")\`) takes any.

Options:
  --payload JSON       the signal's payload, any JSON value (default null)
  --force              send it even when the workflow never waits on that name
${DATABASE_HELP}

--json prints { "id", "signal", "payload" }.

Exit codes: 0 sent; 1 no such execution, it is a task, it has finished, or it never waits on that
name; 2 usage error.`;

export const signalCommand: Command = {
  summary: "send a signal to a running workflow",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      payload: { type: "string" },
      force: { type: "boolean" },
    });
    const [id, name] = positionalArgs(positionals, ["id", "name"]);
    const payload = values.payload === undefined ? null : parseJsonOption(values.payload, "--payload");
    return withRhythm("signal", values, async (rhythm) => {
      // get() first: an id that is not even a UUID must read "not found", not a database error
      if (!(await rhythm.get(id))) throw new ExecutionNotFoundError(id);
      await rhythm.signal(id, name, payload, { force: values.force });
      if (values.json) printJson({ id, signal: name, payload });
      else note("signal", `sent signal "${name}" to ${id}`);
      return 0;
    });
  },
};
