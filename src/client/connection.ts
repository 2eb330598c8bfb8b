// Which database a client uses: an explicit URL, RHYTHM_DATABASE_URL, a `rhythm dev` server
// running in this folder (it records its URL in ./.rhythm/dev.json), or embedded PGlite
// persisted in ./.rhythm/data — one process only, which is why `rhythm dev` exists.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Driver } from "../store/driver.js";
import { PostgresDriver } from "../store/pg-driver.js";
import { DatabaseInUseError } from "./errors.js";

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

/** How a connection was chosen, for messages like "using embedded PGlite in ./.rhythm". */
export function describeTarget(url?: string): string {
  const chosen = url ?? process.env.RHYTHM_DATABASE_URL;
  if (chosen) return chosen.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
  const dev = runningDevServer();
  if (dev) return `${dev.url} (rhythm dev, pid ${dev.pid})`;
  return `embedded PGlite in ./${RHYTHM_DIR}/data`;
}

export async function openDriver(url?: string, options: { preparedStatements?: boolean } = {}): Promise<Driver> {
  const chosen = url ?? process.env.RHYTHM_DATABASE_URL ?? runningDevServer()?.url;
  // RHYTHM_PREPARED_STATEMENTS=off: for a pooler that does not keep them (PgBouncer in transaction mode)
  const preparedStatements = options.preparedStatements ?? process.env.RHYTHM_PREPARED_STATEMENTS !== "off";
  if (chosen) return new PostgresDriver(chosen, { preparedStatements });
  return openEmbedded(RHYTHM_DIR);
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
