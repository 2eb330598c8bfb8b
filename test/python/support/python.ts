// The Python side of the tests: Debian's /usr/bin/python3 with psycopg and pytest, and a Postgres
// server (psycopg cannot reach the embedded PGlite). Where one is missing, the Python suites say
// so and add no tests; in CI (.ci/run sets RHYTHM_TEST_REQUIRE_PYTHON, and CI=true) a missing one
// is an error instead, so they always run there.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { postgresAvailable } from "../../support/database.js";

export const PYTHON = "/usr/bin/python3";
/** The repository (tests run from dist/test/python/support). */
export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const PYTHON_PACKAGE = `${ROOT}python`;

/**
 * Why the Python suites cannot run here, or null when they can. `server`: the suite needs a
 * Postgres server (the mixed example does not: its Python worker reaches `rhythm dev`'s PGlite).
 */
export async function pythonMissing(server = true): Promise<string | null> {
  const modules = spawnSync(PYTHON, ["-c", "import psycopg, pytest"], { encoding: "utf8" });
  let why: string | null = null;
  if (modules.error || modules.status !== 0)
    why = `${PYTHON} lacks psycopg or pytest (apt-get install -y python3-psycopg python3-pytest)`;
  else if (server && !(await postgresAvailable())) why = "no PostgreSQL server answers";
  if (why && (process.env.RHYTHM_TEST_REQUIRE_PYTHON || process.env.CI === "true"))
    throw new Error(`the Python suites must run here but cannot: ${why}`);
  if (why) process.stderr.write(`python tests: SKIPPED here: ${why}\n`);
  return why;
}

/** Starts `python -m rhythm_flow worker …` with the package on its path; its stderr is kept. */
export function pythonWorker(args: string[], env: Record<string, string>, cwd?: string): ChildProcess & { log: () => string } {
  // a developer's RHYTHM_DATABASE_URL must not move the tests onto their database
  const base = { ...process.env };
  delete base.RHYTHM_DATABASE_URL;
  const child = spawn(PYTHON, ["-m", "rhythm_flow", "worker", ...args], {
    cwd,
    env: { ...base, PYTHONPATH: PYTHON_PACKAGE, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (log += d));
  return Object.assign(child, { log: () => log });
}

/** Resolves with the exit code once the process has ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
