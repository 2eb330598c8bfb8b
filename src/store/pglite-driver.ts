// The Driver over embedded PGlite: Postgres compiled to WebAssembly, persisted in a folder
// (default ./.rhythm/data). It is one session, so transactions and queries are serialized.

import { PGlite } from "@electric-sql/pglite";
import type { Driver, Queryable, QueryResult } from "./driver.js";

export class PgliteDriver implements Driver {
  readonly kind = "pglite";
  private constructor(readonly db: PGlite) {}

  /** Opens (or creates) a PGlite database in `dataDir`; in memory when `dataDir` is undefined. */
  static async open(dataDir?: string): Promise<PgliteDriver> {
    const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
    await db.waitReady;
    return new PgliteDriver(db);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    return run<T>(this.db, sql, params);
  }

  /** One embedded session: there is no disk wait worth avoiding. */
  relaxedQuery<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    return this.query<T>(sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => fn({ query: <R>(sql: string, params: unknown[] = []) => run<R>(tx, sql, params) }));
  }

  async session<T>(fn: (s: Queryable) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

type Runner = Pick<PGlite, "query" | "exec">;

/** Parameterless text may hold several statements (migrations): it goes through `exec`. */
async function run<T>(db: Runner, sql: string, params: unknown[]): Promise<QueryResult<T>> {
  if (params.length === 0) {
    const results = await db.exec(sql);
    const last = results[results.length - 1];
    return { rows: (last?.rows ?? []) as T[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
  }
  const r = await db.query<T>(sql, params);
  return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
}
