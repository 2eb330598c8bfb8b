// The HTTP server of SPEC §7: the dashboard and the JSON API on one port, over a Rhythm client.
// Bound to 127.0.0.1 by default with no auth; bound elsewhere it refuses to start without a token
// (RHYTHM_API_TOKEN), and then every API request needs it.

import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import type { Rhythm } from "../client/rhythm.js";
import { InvalidArgumentError } from "../client/errors.js";
import { createApp } from "./app.js";
import { isLoopback, MIN_TOKEN_LENGTH } from "./guard.js";

export { createApp } from "./app.js";
export { isLoopback } from "./guard.js";

/** The port `rhythm dashboard` and `rhythm dev` try first. */
export const DEFAULT_PORT = 8488;
/** Default host: this machine only. */
export const DEFAULT_HOST = "127.0.0.1";
/** Largest request body by default: a payload at the client's default limit (1 MiB) and room for its wrapping. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 + 64 * 1024;

export interface ServerOptions {
  /** Default 127.0.0.1. Anything but a loopback address needs a token. */
  host?: string;
  /** Default 8488; 0 picks a free port. */
  port?: number;
  /** When `port` is taken, try the next ones (up to 20). Default false. */
  nextFreePort?: boolean;
  /** Default RHYTHM_API_TOKEN (empty counts as unset). */
  token?: string | null;
  /** Default 1 MiB + 64 KiB. */
  maxBodyBytes?: number;
  /** Where unexpected errors are reported (default: stderr). */
  report?: (e: unknown) => void;
}

export interface RunningServer {
  /** The dashboard's address, e.g. http://127.0.0.1:8488/ */
  url: string;
  host: string;
  port: number;
  /** Whether API requests need the token. */
  authenticated: boolean;
  close(): Promise<void>;
}

const PORT_TRIES = 20;

/** The token a server uses: the one given, else RHYTHM_API_TOKEN; null (no auth) when empty. */
export function serverToken(given?: string | null): string | null {
  const token = given === undefined ? process.env.RHYTHM_API_TOKEN : given;
  return token === null || token === undefined || token === "" ? null : token;
}

/** Why a server cannot start bound to `host` with `token`, or null when it can. */
export function bindingProblem(host: string, token: string | null): string | null {
  if (token === null && !isLoopback(host))
    return `the server is bound to ${host}, which other machines can reach: set RHYTHM_API_TOKEN to a secret of at least ${MIN_TOKEN_LENGTH} characters (every API request must then send it), or bind it to 127.0.0.1`;
  if (token !== null && token.length < MIN_TOKEN_LENGTH)
    return `RHYTHM_API_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters long`;
  return null;
}

/** Starts the dashboard and API server; resolves once it listens. */
export async function startServer(rhythm: Rhythm, options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const token = serverToken(options.token);
  const problem = bindingProblem(host, token);
  if (problem) throw new InvalidArgumentError(problem);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const report =
    options.report ??
    ((e: unknown) => process.stderr.write(`rhythm server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  const { app, hub } = createApp(rhythm, { token, maxBodyBytes, report });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;

  const first = options.port ?? DEFAULT_PORT;
  const tries = options.nextFreePort && first !== 0 ? PORT_TRIES : 1;
  let port = first;
  for (let n = 0; ; n++) {
    try {
      port = await listen(server, first + n, host);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE" || n + 1 >= tries) throw e;
    }
  }
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    authenticated: token !== null,
    close: async () => {
      await hub.close();
      // open event streams would keep close() waiting for ever
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off("listening", onListening);
      reject(e);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
