// Which database a client uses: an explicit URL, RHYTHM_DATABASE_URL, a `rhythm dev` server
// running in this folder (it records its URL in ./.rhythm/dev.json), or embedded PGlite
// persisted in ./.rhythm/data — one process only, which is why `rhythm dev` exists. A failure to
// reach the chosen server becomes a typed error that says what to do.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Driver } from "../store/driver.js";
import { PostgresDriver } from "../store/pg-driver.js";
import { connectError, DatabaseInUseError } from "./errors.js";

export const RHYTHM_DIR = ".rhythm";
export const DEV_FILE = join(RHYTHM_DIR, "dev.json");

export interface DevServerInfo {
  url: string;
  pid: number;
}

/** The URL of a `rhythm dev` server still running for this folder, if any. */
export function runningDevServer(cwd = process.cwd()): DevServerInfo | null {
  const file = join(cwd, DEV_FILE);
  if (!existsSync(file)) return null;
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as DevServerInfo;
    process.kill(info.pid, 0); // throws when the process is gone
    return info;
  } catch {
    return null;
  }
}

/** The database a client uses, and where its URL came from (for messages and hints). */
export type DatabaseChoice =
  | { url: string; from: "the databaseUrl option" | "RHYTHM_DATABASE_URL" | "rhythm dev (./.rhythm/dev.json)" }
  | { url: null; from: "embedded" };

/** A variable set to nothing (`RHYTHM_DATABASE_URL=`) counts as unset, like an empty option. */
function given(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** RHYTHM_DATABASE_URL, unless it is unset or empty. */
export function environmentUrl(): string | undefined {
  return given(process.env.RHYTHM_DATABASE_URL);
}

/**
 * An explicit URL, else RHYTHM_DATABASE_URL, else the `rhythm dev` server of this folder, else
 * the embedded PGlite. DATABASE_URL is not read: it often names an app's own database, and a
 * variable meant for something else must not move `rhythm dev` and every command onto it.
 */
export function chooseDatabase(url?: string): DatabaseChoice {
  const explicit = given(url);
  if (explicit) return { url: explicit, from: "the databaseUrl option" };
  const env = environmentUrl();
  if (env) return { url: env, from: "RHYTHM_DATABASE_URL" };
  const dev = runningDevServer();
  if (dev) return { url: dev.url, from: "rhythm dev (./.rhythm/dev.json)" };
  return { url: null, from: "embedded" };
}

/** How a connection was chosen, for messages like "embedded PGlite in ./.rhythm/data" (no password). */
export function describeTarget(url?: string): string {
  const choice = chooseDatabase(url);
  if (choice.url === null) return `embedded PGlite in ./${RHYTHM_DIR}/data`;
  if (choice.from.startsWith("rhythm dev")) return `${choice.url} (rhythm dev, pid ${runningDevServer()?.pid})`;
  return hidePassword(choice.url);
}

export function hidePassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

export async function openDriver(choice: DatabaseChoice, options: { preparedStatements?: boolean } = {}): Promise<Driver> {
  // RHYTHM_PREPARED_STATEMENTS=off: for a pooler that does not keep them (PgBouncer in transaction mode)
  const preparedStatements = options.preparedStatements ?? process.env.RHYTHM_PREPARED_STATEMENTS !== "off";
  if (choice.url !== null) return new PostgresDriver(choice.url, { preparedStatements });
  return openEmbedded(RHYTHM_DIR);
}

/**
 * Runs the first work of a new connection (migrations) and turns a failure to connect into a
 * typed error that says what to do (DATABASE_NOT_FOUND, DATABASE_UNREACHABLE,
 * DATABASE_AUTH_FAILED); other errors pass unchanged.
 */
export async function firstContact<T>(driver: Driver, urlFrom: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw (driver instanceof PostgresDriver ? connectError(e, driver.target(), urlFrom) : null) ?? e;
  }
}

/**
 * Opens the embedded database of a folder. Two processes writing one PGlite data folder would
 * corrupt it, so a lock file names the process that has it open; a second one is refused with
 * what to do instead.
 */
export async function openEmbedded(dir: string): Promise<Driver> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, "data.lock");
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, "utf8"));
    if (pid !== process.pid && isAlive(pid)) {
      throw new DatabaseInUseError(
        `the embedded database in ./${dir} is open in process ${pid}; run \`rhythm dev\` there to share it, or give a --database-url`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  // Loaded only here: a process on a Postgres server does not carry PGlite (5 MB of RSS).
  const { PgliteDriver } = await import("../store/pglite-driver.js");
  const driver = await PgliteDriver.open(join(dir, "data"));
  const close = driver.close.bind(driver);
  driver.close = async () => {
    await close();
    rmSync(lock, { force: true });
  };
  return driver;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
