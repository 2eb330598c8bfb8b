// `rhythm dashboard`: the web dashboard and the HTTP API over the database, until SIGINT/SIGTERM.
// It runs no worker; what it shows is read from the database.

import { parseCommandArgs, positionalArgs, type Command } from "../command.js";
import { DASHBOARD_HELP, dashboardAddress, startDashboard } from "../dashboard-server.js";
import { CONNECTION_HELP, CONNECTION_OPTIONS, databaseChoice, note, noteDatabase } from "../engine-client.js";
import { untilStopSignal } from "../worker-runtime.js";

const help = `Usage: rhythm dashboard [--port N] [--host H] [options]

Serves the dashboard (executions, one execution's paused line and variables, queues and workers,
versions) and the HTTP API until SIGINT or SIGTERM. It runs no worker: everything it shows is read
from the database, so it works while no worker runs.

${DASHBOARD_HELP}

Options:
  --port N             port to listen on (default 8488, else the next free one)
  --host H             address to listen on (default 127.0.0.1)
${CONNECTION_HELP}

Exit codes: 0 stopped by a signal; 1 the database failed; 2 usage error, a port in use, or a
non-local --host without RHYTHM_API_TOKEN.`;

export const dashboardCommand: Command = {
  summary: "web dashboard and HTTP API (no worker)",
  help,
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      ...CONNECTION_OPTIONS,
      port: { type: "string" },
      host: { type: "string" },
    });
    positionalArgs(positionals, []);
    const address = dashboardAddress(values);
    const { url, schema } = databaseChoice(values);
    const stop = untilStopSignal("dashboard");
    noteDatabase("dashboard", url);
    const dashboard = await startDashboard("dashboard", { url, flagUrl: url, schema }, address);
    try {
      await stop;
    } finally {
      await dashboard.close();
    }
    note("dashboard", "stopped");
    return 0;
  },
};
