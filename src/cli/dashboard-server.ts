// What `rhythm dashboard` and `rhythm dev` share: the --port and --host options of the
// dashboard's server, and starting it on a client of its own, with the line that prints its URL.

import type { Rhythm } from "../client/rhythm.js";
import { bindingProblem, DEFAULT_HOST, DEFAULT_PORT, serverToken, startServer } from "../server/index.js";
import { InvalidInputError, UsageError, parseCountOption } from "./command.js";
import { connectRhythm, note } from "./engine-client.js";

export const DASHBOARD_HELP = `The dashboard and the HTTP API (/api/v1, described at /api/v1/openapi.json) listen on
${DEFAULT_HOST}:${DEFAULT_PORT} by default (or the next free port), with no auth. Bound to another address
(--host 0.0.0.0) the server needs RHYTHM_API_TOKEN set (16 characters or more): every API request
must then send Authorization: Bearer <token>, and the page asks for it once per tab.`;

/** Checks --port and --host (and the token a non-local host needs) before anything connects. */
export function dashboardAddress(
  values: { port?: string; host?: string },
  portOption = "--port",
): { port?: number; host?: string } {
  const port = values.port === undefined ? undefined : parseCountOption(values.port, portOption);
  if (port !== undefined && port > 65535) throw new UsageError(`${portOption} must be at most 65535, got ${port}`);
  if (values.host !== undefined && values.host.trim() === "") throw new UsageError("--host is empty");
  const problem = bindingProblem(values.host ?? DEFAULT_HOST, serverToken());
  if (problem) throw new InvalidInputError(problem);
  return { port, host: values.host };
}

export interface Dashboard {
  url: string;
  rhythm: Rhythm;
  close(): Promise<void>;
}

/**
 * Connects a client of its own (`url` undefined: RHYTHM_DATABASE_URL, else the folder's `rhythm
 * dev`, else the embedded database), starts the server on it and prints the URL.
 */
export async function startDashboard(
  command: string,
  database: { url: string | undefined; flagUrl: string | undefined; schema: string },
  address: { port?: number; host?: string },
): Promise<Dashboard> {
  const rhythm = await connectRhythm(database.url, { schema: database.schema, workflows: false }, database.flagUrl);
  try {
    // throughput is measured from the notifications this client hears from now on
    await rhythm.throughput();
    const server = await startServer(rhythm, { ...address, nextFreePort: address.port === undefined }).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE")
        throw new InvalidInputError(
          address.port === undefined
            ? `ports ${DEFAULT_PORT} and the next 19 are in use: choose one with --port`
            : `port ${address.port} is in use: choose another with --port`,
        );
      if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
        throw new InvalidInputError(`cannot listen on ${address.host}: not an address of this machine`);
      throw e;
    });
    note(command, `dashboard at ${server.url}${server.authenticated ? " (API requests need RHYTHM_API_TOKEN)" : ""}`);
    return {
      url: server.url,
      rhythm,
      close: async () => {
        await server.close();
        await rhythm.close();
      },
    };
  } catch (e) {
    await rhythm.close();
    throw e;
  }
}
