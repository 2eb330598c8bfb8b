// The Postgres side of the chaos run: a throwaway database per run, and restarting the server.
// By default the local server is restarted with pg_ctlcluster (falling back, loudly, to
// terminating every other connection of the chaos database when that is not possible).
// `--private-server` starts a throwaway server of its own instead (initdb on a free port), so a
// run can restart Postgres without disturbing anyone else using the machine's server.

import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chownSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

export interface Restart {
  /** How the server was restarted, in words. */
  method: string;
  /** True when the server really went down and came back (not the fallback). */
  real: boolean;
  downMs: number;
}

export interface Server {
  /** URL of the server's maintenance database ("…/postgres"). */
  adminUrl: string;
  describe: string;
  /** `mode`: pg_ctl's shutdown mode ("fast" a clean stop, "immediate" a crash). */
  restart(chaosDatabase: string, mode: "fast" | "immediate"): Promise<Restart>;
  /** Stops a server this run started (nothing for the machine's server). */
  stop(): Promise<void>;
}

/** Waits until the server accepts a connection and answers a query. */
export async function waitUp(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    c.on("error", () => {});
    try {
      await c.connect();
      await c.query("select 1");
      return;
    } catch (e) {
      if (Date.now() > until)
        throw new Error(`Postgres at ${url} did not come back within ${timeoutMs} ms: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await c.end().catch(() => {});
    }
  }
}

async function adminQuery(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  c.on("error", () => {});
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end().catch(() => {});
  }
}

/** The machine's server (RHYTHM_TEST_DATABASE_URL, or the local default). */
export function localServer(): Server {
  const base = (process.env.RHYTHM_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432").replace(/\/[^/:@]*$/, "");
  const adminUrl = `${base}/postgres`;
  const host = new URL(adminUrl).hostname;
  const local = ["127.0.0.1", "localhost", "::1", "[::1]"].includes(host);
  return {
    adminUrl,
    describe: `${base} (the machine's server)`,
    async restart(chaosDatabase, mode) {
      const started = Date.now();
      let why = "the server is not on this machine";
      if (local) {
        // as .ci/run and the machine's notes do it: the first installed version's "main" cluster
        const version = readdirSync("/etc/postgresql").sort()[0];
        // pg_ctlcluster's own default mode is "fast"
        const args = ["--skip-systemctl-redirect", ...(mode === "fast" ? [] : ["-m", mode]), version, "main", "restart"];
        try {
          await run("pg_ctlcluster", args, { timeout: 60_000 });
          await waitUp(adminUrl, 60_000);
          return { method: `pg_ctlcluster ${args.join(" ")}`, real: true, downMs: Date.now() - started };
        } catch (e) {
          why = (e as Error).message.split("\n")[0];
          await waitUp(adminUrl, 60_000);
        }
      }
      const r = await adminQuery(
        adminUrl,
        `select count(*) filter (where pg_terminate_backend(pid)) as n from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()`,
        [chaosDatabase],
      );
      return {
        method: `FALLBACK — Postgres was NOT restarted (${why}); terminated all ${r.rows[0].n} other connections of the chaos database instead`,
        real: false,
        downMs: Date.now() - started,
      };
    },
    async stop() {},
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A throwaway server of this run: initdb in a temporary folder, on a free port. */
export async function privateServer(): Promise<Server> {
  const version = readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0];
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), "rhythm-chaos-pg-"));
  const data = join(dir, "data");
  const isRoot = process.getuid?.() === 0;
  // initdb and postgres refuse to run as root: as root, run them as the postgres user
  const as = async (cmd: string, args: string[]) =>
    isRoot ? run("runuser", ["-u", "postgres", "--", cmd, ...args], { timeout: 120_000 }) : run(cmd, args, { timeout: 120_000 });
  if (isRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    chownSync(dir, Number(stdout), Number(gid));
  }
  const port = await freePort();
  await as(`${bin}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await as(`${bin}/pg_ctl`, ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "start"]);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUp(adminUrl, 30_000);
  return {
    adminUrl,
    describe: `private server on port ${port} (${dir})`,
    async restart(_database, mode) {
      const started = Date.now();
      // -l again: without it the new postmaster writes to pg_ctl's stdout, and that pipe never closes
      await as(`${bin}/pg_ctl`, ["-D", data, "-l", join(dir, "log"), "-m", mode, "-w", "restart"]);
      await waitUp(adminUrl, 60_000);
      return { method: `pg_ctl restart -m ${mode} (private server)`, real: true, downMs: Date.now() - started };
    },
    async stop() {
      await as(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Database {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on the server for this run, dropped by `drop()`. */
export async function createDatabase(server: Server): Promise<Database> {
  const name = `rhythm_chaos_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await adminQuery(server.adminUrl, `create database ${name}`);
  return {
    name,
    url: server.adminUrl.replace(/\/postgres$/, `/${name}`),
    drop: async () => {
      await adminQuery(server.adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
