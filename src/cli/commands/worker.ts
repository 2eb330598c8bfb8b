// `rhythm worker`: registers the tasks of a module, deploys the workflows folder and runs a
// worker until SIGINT/SIGTERM, then stops gracefully (exit 0). What it does goes to stderr.

import { describeTarget } from "../../client/connection.js";
import { Rhythm } from "../../client/rhythm.js";
import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, databaseChoice, note } from "../engine-client.js";
import { planWorker, startWorker, untilStopSignal, WORKER_HELP, WORKER_OPTIONS } from "../worker-runtime.js";

const help = `Usage: rhythm worker --tasks MODULE [--workflows DIR] [--queues A,B] [--concurrency N] [options]

Runs task handlers and workflow activations until SIGINT or SIGTERM, then stops claiming work,
lets running tasks finish (up to 10 s) and exits 0. Without --tasks it runs workflows only.

Options:
${WORKER_HELP}
${CONNECTION_HELP}

Exit codes: 0 stopped by a signal; 1 the database failed; 2 usage error, a tasks module or a
.flow file that does not load.`;

export const workerCommand: Command = {
  summary: "run a worker for a tasks module and the workflows folder until stopped",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...CONNECTION_OPTIONS, ...WORKER_OPTIONS });
    positionalArgs(positionals, []);
    const { url, schema } = databaseChoice(values);
    const plan = await planWorker(values);
    const stop = untilStopSignal("worker");
    note("worker", `database ${describeTarget(url)}`);
    const rhythm = await Rhythm.connect({ databaseUrl: url, schema, workflows: plan.workflows.dir });
    try {
      await startWorker("worker", rhythm, plan);
      await stop;
    } finally {
      await rhythm.close();
    }
    note("worker", "stopped");
    return 0;
  },
};
