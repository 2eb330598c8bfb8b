// A private PostgreSQL cluster for tests that must stop and start the server itself (a real
// restart), which the machine's shared server must never do: other test runs use it. The cluster
// lives in a temp dir, listens on a free port of 127.0.0.1 with trust auth, and is stopped and
// deleted by destroy() — and, should the test process exit without it, by an exit hook.
// Run as root (CI), the server runs as the `postgres` OS user (Postgres refuses to run as root).

import { execFile, spawnSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where initdb and pg_ctl live: RHYTHM_TEST_PG_BIN if set, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinaries(): string | null {
  const candidates: string[] = [];
  const debian = "/usr/lib/postgresql";
  if (process.env.RHYTHM_TEST_PG_BIN) candidates.push(process.env.RHYTHM_TEST_PG_BIN);
  else if (existsSync(debian))
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(join(debian, v, "bin"));
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

/**
 * Why a private cluster cannot be started here, or null when it can. Where it cannot, the caller
 * adds no test and this prints why; in CI (CI=true, or RHYTHM_TEST_REQUIRE_POSTGRES) it throws
 * instead, so the tests that need one always run there.
 */
export function privatePostgresMissing(): string | null {
  let why: string | null = null;
  const bin = postgresBinaries();
  if (!bin) why = "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or RHYTHM_TEST_PG_BIN";
  else if (userInfo().uid === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0)
    why = "running as root and there is no `postgres` OS user to run a private server as";
  if (why && (process.env.CI === "true" || process.env.RHYTHM_TEST_REQUIRE_POSTGRES))
    throw new Error(`the private-Postgres tests must run here but cannot: ${why}`);
  if (why) process.stderr.write(`private postgres tests: SKIPPED here: ${why}\n`);
  return why;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class PrivatePostgres {
  private running = false;
  private readonly onExit = () => this.destroySync();

  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {
    process.once("exit", this.onExit);
  }

  /** initdb into a fresh temp dir and start the server; destroy() it when done. */
  static async create(): Promise<PrivatePostgres> {
    const bin = postgresBinaries();
    if (!bin) throw new Error("no PostgreSQL server binaries found (see privatePostgresMissing)");
    const dir = mkdtempSync(join(tmpdir(), "rhythm-private-pg-"));
    const pg = new PrivatePostgres(bin, dir, await freePort());
    try {
      if (userInfo().uid === 0) {
        const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
        const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
        chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
      }
      await pg.run("initdb", ["-D", pg.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
      // fsync off: the restart under test is a clean stop and start, not a machine crash
      appendFileSync(
        join(pg.data, "postgresql.conf"),
        [
          `port = ${pg.port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          "fsync = off",
          "shared_buffers = 16MB",
          "max_connections = 100",
          "",
        ].join("\n"),
      );
      await pg.start();
      return pg;
    } catch (e) {
      await pg.destroy();
      throw e;
    }
  }

  private get data(): string {
    return join(this.dir, "data");
  }

  /** A connection string for a database of this cluster (`postgres` exists from the start). */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The server's log so far (for a failing test's message). */
  logPath(): string {
    return join(this.dir, "server.log");
  }

  async start(): Promise<void> {
    await this.run("pg_ctl", ["-D", this.data, "-l", this.logPath(), "-w", "-t", "30", "start"]);
    this.running = true;
  }

  /** Stops the server: `fast` (what a restart does) ends every session at once, cleanly. */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    await this.run("pg_ctl", ["-D", this.data, "-m", mode, "-w", "-t", "30", "stop"]);
    this.running = false;
  }

  /** Stops the server if it runs and deletes the cluster. Never throws. */
  async destroy(): Promise<void> {
    process.removeListener("exit", this.onExit);
    if (this.running) await this.stop("immediate").catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  private destroySync(): void {
    if (this.running) spawnSync(...this.command("pg_ctl", ["-D", this.data, "-m", "immediate", "-w", "stop"]));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A server program, as the `postgres` OS user when we are root. */
  private command(program: string, args: string[]): [string, string[]] {
    const path = join(this.bin, program);
    return userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
  }

  private run(program: string, args: string[]): Promise<void> {
    const [file, argv] = this.command(program, args);
    return new Promise((resolve, reject) => {
      // cwd: the postgres user may not be able to enter the test's working directory
      execFile(file, argv, { cwd: this.dir, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
        else resolve();
      });
    });
  }
}
