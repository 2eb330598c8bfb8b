// `rhythm dev`: a development setup in one process. Without a URL it opens the embedded PGlite
// of ./.rhythm, serves it on 127.0.0.1 for the other `rhythm` commands of this folder, and runs
// a worker with the tasks module and the workflows folder until SIGINT/SIGTERM, redeploying and
// reloading them when they change (dev/dev-session.ts).

import { environmentUrl, runningDevServer } from "../../client/connection.js";
import { DatabaseInUseError } from "../../client/errors.js";
import { InvalidInputError, UsageError, parseCommandArgs, parseCountOption, positionalArgs, type Command } from "../command.js";
import { DEFAULT_DEV_PORT, DEV_HOST, PORT_TRIES } from "../dev/socket-server.js";
import { startEmbeddedServer, type EmbeddedServer } from "../dev/embedded-server.js";
import { DevSession, sourceFiles } from "../dev/dev-session.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, databaseChoice, note, noteDatabase } from "../engine-client.js";
import { planWorker, untilStopSignal, WORKER_HELP, WORKER_OPTIONS } from "../worker-runtime.js";
import { dashboardAddress, startDashboard } from "../dashboard-server.js";

const help = `Usage: rhythm dev [--workflows DIR] [--tasks MODULE] [--port N] [options]

Runs everything for development in one process until SIGINT or SIGTERM:
  - the embedded database (PGlite, in ./.rhythm/data), served on ${DEV_HOST}:${DEFAULT_DEV_PORT} (or the
    next free port) and recorded in ./.rhythm/dev.json, so \`rhythm start\`, \`rhythm get\`… and
    Rhythm.connect() in this folder use it while it runs;
  - a worker for the tasks module and the workflows folder;
  - the dashboard and the HTTP API on http://127.0.0.1:8488/ (or the next free port), printed at start.
With --database-url (or RHYTHM_DATABASE_URL) it runs only the worker, against that database.

It says what the workflows do, one line each on stderr: started, their console lines
(file:line), suspended on what and where (file:line:col), completed with the output, failed with
the error and where it was thrown; and each task attempt.

It watches the workflows folder and the tasks module (with the files it imports):
  - a changed .flow is deployed as a new version: new executions use it, running ones keep
    theirs; a .flow that does not load prints its file:line:col errors, and the previous
    versions stay in use;
  - a changed tasks module is loaded afresh and the worker restarted with it, in this process
    (running tasks finish first); a module that does not load is reported, and the worker keeps
    the tasks it has.

Options:
${WORKER_HELP}
  --no-worker          serve the database and deploy (and watch) the workflows, but run no worker
                       here: for an app that runs its own (Rhythm.connect() in this folder)
  --port N             port to serve the embedded database on (default ${DEFAULT_DEV_PORT}, else the next free one)
  --dashboard-port N   port of the dashboard (default 8488, else the next free one)
  --no-dashboard       serve no dashboard
${CONNECTION_HELP}

Exit codes: 0 stopped by a signal; 1 the database failed or is in use; 2 usage error, a tasks
module or a .flow file that does not load (at start).`;

export const devCommand: Command = {
  summary: "embedded database served on localhost + a worker, for development; redeploys and reloads on change",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...CONNECTION_OPTIONS,
      ...WORKER_OPTIONS,
      port: { type: "string" },
      "no-worker": { type: "boolean" },
      "dashboard-port": { type: "string" },
      "no-dashboard": { type: "boolean" },
    });
    positionalArgs(positionals, []);
    const { url: given, schema } = databaseChoice(values);
    const port = values.port === undefined ? undefined : parseCountOption(values.port, "--port");
    if (port !== undefined && port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const url = given ?? environmentUrl();
    if (url !== undefined && port !== undefined)
      throw new UsageError("--port serves the embedded database; it does not go with a database URL");
    const dashboard = values["no-dashboard"] ? null : dashboardAddress({ port: values["dashboard-port"] }, "--dashboard-port");
    const worker = !values["no-worker"];
    if (!worker) {
      for (const option of ["tasks", "queues", "concurrency"] as const)
        if (values[option] !== undefined) throw new UsageError(`--${option} runs a worker: it does not go with --no-worker`);
    }
    const imported = new Set<string>();
    const plan = await planWorker(values, { fresh: true, onImport: (u) => imported.add(u) });
    const stop = untilStopSignal("dev");
    let embedded: EmbeddedServer | null = null;
    if (url === undefined) {
      const other = runningDevServer();
      if (other) throw new DatabaseInUseError(`rhythm dev is already running in this folder (pid ${other.pid}, ${other.url})`);
      try {
        embedded = await startEmbeddedServer({ port: port ?? DEFAULT_DEV_PORT, nextFree: port === undefined, schema });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
        const tried =
          port === undefined ? `ports ${DEFAULT_DEV_PORT} to ${DEFAULT_DEV_PORT + PORT_TRIES - 1} are` : `port ${port} is`;
        throw new InvalidInputError(`${tried} in use on ${DEV_HOST}: choose another with --port`);
      }
      note("dev", `embedded PGlite (./.rhythm/data) served at ${embedded.url}; rhythm commands in this folder use it`);
    } else noteDatabase("dev", given);
    try {
      // (no URL given: RHYTHM_DATABASE_URL is read by connect, and its errors name it)
      const session = await DevSession.start({
        url: embedded?.url ?? given,
        flagUrl: given,
        schema,
        plan,
        tasks: values.tasks === undefined ? null : { path: values.tasks, files: sourceFiles(imported) },
        worker,
      });
      try {
        // the dashboard has a client of its own: the session replaces its worker's when the tasks change
        const server =
          dashboard && (await startDashboard("dev", { url: embedded?.url ?? given, flagUrl: given, schema }, dashboard));
        try {
          await stop;
        } finally {
          await server?.close();
        }
      } finally {
        await session.close();
      }
    } finally {
      await embedded?.close();
    }
    note("dev", "stopped");
    return 0;
  },
};
