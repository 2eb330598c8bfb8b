// The contenders' databases on one Postgres server: each run gets a fresh `bench_<name>_<random>`,
// dropped afterwards. Also reads the server-wide counters the report needs (commits, sizes).

import { randomBytes } from "node:crypto";
import pg from "pg";
import { sleep } from "./clock.mjs";

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** The URL of database `name` on the benchmark server. */
export function databaseUrl(name) {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs one statement on the server's maintenance database. */
export async function adminQuery(sql, params = []) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

const created = new Set();

/** A fresh empty database; a CHECKPOINT first so the previous run's dirty pages are not ours to write. */
export async function createDatabase(contender) {
  const name = `bench_${contender.replace(/[^a-z0-9]/g, "")}_${randomBytes(4).toString("hex")}`;
  await adminQuery("checkpoint");
  await adminQuery(`create database "${name}"`);
  created.add(name);
  return { name, url: databaseUrl(name) };
}

export async function dropDatabase(name) {
  await adminQuery(`drop database if exists "${name}" with (force)`);
  created.delete(name);
}

/** Drops every database this process created and has not dropped (after a failure or ^C). */
export async function dropCreated() {
  for (const name of [...created]) await dropDatabase(name).catch(() => {});
}

/**
 * Committed transactions of a database so far. Backends report their counts when they go idle or
 * exit, so callers close every connection to the database first and this waits until the figure
 * stops moving.
 */
export async function settledCommits(name) {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    const r = await adminQuery("select xact_commit::bigint as n from pg_stat_database where datname = $1", [name]);
    const n = Number(r.rows[0]?.n ?? 0);
    if (n === last) return n;
    last = n;
    await sleep(150);
  }
  return last;
}

export async function databaseSize(name) {
  const r = await adminQuery("select pg_database_size($1)::bigint as n", [name]);
  return Number(r.rows[0].n);
}

/** A small pool on a contender's database for the harness's own checks (counted, see Monitor). */
export class Monitor {
  constructor(url) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    this.queries = 0;
  }

  /** One value from one statement; every call is one transaction the report subtracts. */
  async value(sql, params = []) {
    this.queries++;
    const r = await this.pool.query(sql, params);
    return Number(Object.values(r.rows[0] ?? { n: 0 })[0] ?? 0);
  }

  async close() {
    await this.pool.end();
  }
}

/**
 * The server's next transaction id. Only transactions that write take one, so the difference
 * over a run counts write transactions — server-wide, which is why runs never overlap.
 */
export async function nextXid() {
  const r = await adminQuery("select pg_snapshot_xmax(pg_current_snapshot())::text::bigint as x");
  return Number(r.rows[0].x);
}
