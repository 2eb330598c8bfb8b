// Which database a client uses: an explicit URL, RHYTHM_DATABASE_URL, a `rhythm dev` server
// running in this folder (it records its URL in ./.rhythm/dev.json), or embedded PGlite
// persisted in ./.rhythm/data — one process only, which is why `rhythm dev` exists.

import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Driver } from "../store/driver.js";
import { PgliteDriver } from "../store/pglite-driver.js";
import { PostgresDriver } from "../store/pg-driver.js";

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

export async function openDriver(url?: string): Promise<Driver> {
  const chosen = url ?? process.env.RHYTHM_DATABASE_URL ?? runningDevServer()?.url;
  if (chosen) return new PostgresDriver(chosen);
  mkdirSync(RHYTHM_DIR, { recursive: true });
  return PgliteDriver.open(join(RHYTHM_DIR, "data"));
}
