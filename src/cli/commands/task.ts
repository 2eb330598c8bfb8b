// `rhythm task <name>`: queues a standalone task and prints its id, or with --wait the final
// execution. A name no worker has registered yet is allowed: it waits for one that has it.

import { parseCommandArgs, parseIntegerOption, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, withRhythm } from "../engine-client.js";
import { ENQUEUE_HELP, ENQUEUE_OPTIONS, enqueueChoice, reportEnqueued } from "../enqueue-options.js";
import { DEBOUNCE_HELP, DEBOUNCE_OPTIONS, debounceFlags } from "../flow-control-options.js";

const help = `Usage: rhythm task <name> [--inputs JSON] [--wait [--timeout S]] [options]

Queues one run of a task, outside any workflow. Prints its id; with --wait, waits for it to
finish and prints it. A worker that registered the task runs it, with the retries and timeout
it registered the task with (unless --retries is given here). The queue is chosen here: for a
task registered on a queue of its own, give --queue.

Options:
  --inputs JSON        task inputs, any JSON value (default null)
  --retries N          retries after the first attempt (default: the options the worker registered
                       the task with, else 3)
${ENQUEUE_HELP}
${DEBOUNCE_HELP}
${DATABASE_HELP}

--json prints { "id", "created" } (created: false when the idempotency key was taken), or with
--wait the execution.

Exit codes: 0 queued (with --wait: completed); 1 the task failed or was cancelled, or --timeout
passed; 2 usage error or invalid inputs.`;

export const taskCommand: Command = {
  summary: "queue a standalone task (optionally wait for its result)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      ...ENQUEUE_OPTIONS,
      ...DEBOUNCE_OPTIONS,
      retries: { type: "string" },
    });
    const [name] = positionalArgs(positionals, ["name"]);
    const choice = enqueueChoice(values, null);
    const retries = parseIntegerOption(values.retries, "--retries", 0);
    const debounce = debounceFlags(values, choice.options.idempotencyKey);
    return withRhythm("task", values, async (rhythm) => {
      const enqueued = await rhythm.enqueueTask(name, choice.inputs, { ...choice.options, retries, debounce });
      return reportEnqueued("task", rhythm, enqueued, `task ${name}`, choice, values.json);
    });
  },
};
