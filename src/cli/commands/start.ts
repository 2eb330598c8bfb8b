// `rhythm start <workflow>`: starts a workflow whose definition is stored (deployed by `rhythm
// deploy` or a worker) and prints its id, or with --wait the final execution.

import { UsageError, parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DATABASE_HELP, DATABASE_OPTIONS, withRhythm } from "../engine-client.js";
import { ENQUEUE_HELP, ENQUEUE_OPTIONS, enqueueChoice, reportEnqueued } from "../enqueue-options.js";
import {
  DEBOUNCE_HELP,
  DEBOUNCE_OPTIONS,
  RUN_TIMEOUT_HELP,
  RUN_TIMEOUT_OPTIONS,
  debounceFlags,
  runTimeoutFlag,
} from "../flow-control-options.js";

const help = `Usage: rhythm start <workflow> [--inputs JSON] [--wait [--timeout S]] [options]

Starts the newest stored version of a workflow. Prints the new execution's id; with --wait, waits
for it to finish and prints it (a worker must be running to make progress).

Options:
  --inputs JSON        workflow inputs, a JSON object (default {})
${ENQUEUE_HELP}
${RUN_TIMEOUT_HELP}
${DEBOUNCE_HELP}
${DATABASE_HELP}

--json prints { "id", "created" } (created: false when the idempotency key was taken), or with
--wait the execution.

Exit codes: 0 started (with --wait: completed); 1 no such workflow, the execution failed or was
cancelled, or --timeout passed; 2 usage error or invalid inputs.`;

export const startCommand: Command = {
  summary: "start a workflow (optionally wait for its result)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...DATABASE_OPTIONS,
      ...ENQUEUE_OPTIONS,
      ...RUN_TIMEOUT_OPTIONS,
      ...DEBOUNCE_OPTIONS,
    });
    const [name] = positionalArgs(positionals, ["workflow"]);
    const choice = enqueueChoice(values, {});
    const inputs = choice.inputs;
    if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs))
      throw new UsageError("--inputs must be a JSON object");
    const flowControl = { timeout: runTimeoutFlag(values), debounce: debounceFlags(values, choice.options.idempotencyKey) };
    return withRhythm("start", values, async (rhythm) => {
      const enqueued = await rhythm.enqueueWorkflow(name, inputs, { ...choice.options, ...flowControl });
      return reportEnqueued("start", rhythm, enqueued, `workflow ${name}`, choice, values.json);
    });
  },
};
