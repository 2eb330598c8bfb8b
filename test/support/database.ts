// Databases for tests. With a Postgres server (RHYTHM_TEST_DATABASE_URL, or the local default),
// every test file gets its own throwaway database, dropped at the end; without one, the tests run
// on embedded PGlite and say so. In CI (.ci/run) a server is required.

import pg from "pg";
import { randomUUID } from "node:crypto";
import type { Driver } from "../../src/store/driver.js";
import { PgliteDriver } from "../../src/store/pglite-driver.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";

const SERVER_URL = process.env.RHYTHM_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let serverProbe: Promise<boolean> | null = null;

/** Whether a Postgres server answers (checked once per process). */
export function postgresAvailable(): Promise<boolean> {
  serverProbe ??= (async () => {
    const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      if (process.env.RHYTHM_TEST_REQUIRE_POSTGRES)
        throw new Error(`RHYTHM_TEST_REQUIRE_POSTGRES is set but no server answers at ${SERVER_URL}`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return serverProbe;
}

export interface TestDatabase {
  kind: "postgres" | "pglite";
  driver: Driver;
  /** Connection string of the throwaway database (Postgres only). */
  url: string | null;
  drop(): Promise<void>;
}

let announced = false;

async function announce(kind: string): Promise<void> {
  if (announced) return;
  announced = true;
  process.stderr.write(
    kind === "postgres"
      ? `database tests: PostgreSQL at ${SERVER_URL.replace(/\/[^/]*$/, "")}\n`
      : "database tests: no PostgreSQL server found, running on embedded PGlite\n",
  );
}

/** A fresh, empty Postgres database on the server. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `rhythm_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = SERVER_URL.replace(/\/[^/]*$/, `/${name}`);
  const driver = new PostgresDriver(url);
  return {
    kind: "postgres",
    driver,
    url,
    drop: async () => {
      await driver.close().catch(() => {});
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function pgliteDatabase(): Promise<TestDatabase> {
  const driver = await PgliteDriver.open();
  return { kind: "pglite", driver, url: null, drop: () => driver.close() };
}

/** The backends a store test runs on: Postgres when a server answers, and always PGlite. */
export async function backends(): Promise<{ kind: "postgres" | "pglite"; open: () => Promise<TestDatabase> }[]> {
  const hasServer = await postgresAvailable();
  await announce(hasServer ? "postgres" : "pglite");
  const list: { kind: "postgres" | "pglite"; open: () => Promise<TestDatabase> }[] = [];
  if (hasServer) list.push({ kind: "postgres", open: postgresDatabase });
  list.push({ kind: "pglite", open: pgliteDatabase });
  return list;
}
