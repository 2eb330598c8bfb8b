// `rhythm worker`: registers the tasks of a module, deploys the workflows folder and runs a
// worker until SIGINT/SIGTERM, then stops gracefully (exit 0). What it does goes to stderr.

import { DatabaseUnreachableError } from "../../client/errors.js";
import type { Rhythm } from "../../client/rhythm.js";
import { DatabaseUnavailableError, isTransientError } from "../../store/connection-errors.js";
import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectRhythm, databaseChoice, note, noteDatabase } from "../engine-client.js";
import { planWorker, startWorker, untilStopSignal, WORKER_HELP, WORKER_OPTIONS, type WorkerPlan } from "../worker-runtime.js";

const help = `Usage: rhythm worker --tasks MODULE [--workflows DIR] [--queues A,B] [--concurrency N] [options]

Runs task handlers and workflow activations until SIGINT or SIGTERM, then stops claiming work,
lets running tasks finish (up to 10 s) and exits 0. Without --tasks it runs workflows only.

Options:
${WORKER_HELP}
${CONNECTION_HELP}

A database that cannot be reached (or is out of disk, or starting up) is waited for: the worker
says so ("database unreachable (…), retrying in 2 s") and tries again after 1 s, 2 s, 4 s … 30 s,
before it starts and while it runs.

Exit codes: 0 stopped by a signal; 1 the database refused the worker (a bad password, no such
database); 2 usage error, a tasks module or a .flow file that does not load.`;

export const workerCommand: Command = {
  summary: "run a worker for a tasks module and the workflows folder until stopped",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, { ...CONNECTION_OPTIONS, ...WORKER_OPTIONS });
    positionalArgs(positionals, []);
    const { url, schema } = databaseChoice(values);
    const plan = await planWorker(values);
    const stop = untilStopSignal("worker");
    noteDatabase("worker", url);
    const rhythm = await untilStarted(() => connectRhythm(url, { schema, workflows: plan.workflows.dir }), plan, stop);
    if (rhythm) {
      try {
        await stop;
      } finally {
        await rhythm.close();
      }
    }
    note("worker", "stopped");
    return 0;
  },
};

/**
 * Connects and starts the worker, trying again with backoff while the database cannot be used
 * (a worker is often started before its database, by the same deployment); null when a stop
 * signal came first. Any other error (a bad password, a .flow file that does not load) ends it.
 */
async function untilStarted(connect: () => Promise<Rhythm>, plan: WorkerPlan, stop: Promise<unknown>): Promise<Rhythm | null> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  for (let failures = 0; !stopped; failures++) {
    let rhythm: Rhythm | null = null;
    try {
      rhythm = await connect();
      await startWorker("worker", rhythm, plan);
      return rhythm;
    } catch (e) {
      await rhythm?.close().catch(() => {});
      // a server that does not answer yet is waited for; one that refuses us is not
      const raw = e instanceof DatabaseUnreachableError ? e.cause : e;
      if (!isTransientError(raw)) throw e;
      const wait = Math.min(30_000, 1000 * 2 ** failures);
      note("worker", new DatabaseUnavailableError(raw, wait).message);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stop, new Promise((r) => (timer = setTimeout(r, wait)))]);
      clearTimeout(timer);
    }
  }
  return null;
}
