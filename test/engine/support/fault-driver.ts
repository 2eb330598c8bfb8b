// A Driver that injects database faults for tests: a chosen statement fails with a chosen error,
// or (on Postgres) the session's own backend is really terminated just before it, or a
// transaction commits and its acknowledgement is then lost. Which statements fail is decided by
// a plan the test installs and can change at any time; every injected fault is recorded.

import type { Driver, Queryable, QueryResult } from "../../../src/store/driver.js";

/** Where a statement runs: alone on the pool, on the relaxed (claims) pool, or in a transaction. */
export type Place = "query" | "relaxed" | "transaction";

export type Fault =
  /** The statement is not run; `error` is thrown instead. */
  | { how: "throw"; error: () => Error }
  /** Postgres only: the backend of the session is terminated (pg_terminate_backend) and the
   * statement fails with the server's own error. Alone on the pool, a session of the pool is
   * ended instead of running the statement (which would have been rolled back with it). */
  | { how: "terminate" }
  /** In a transaction: the statement runs, the transaction commits, and then the caller is told
   * the connection was lost — the outcome a client sees when the server dies right after COMMIT.
   * Alone on the pool: the statement runs (and so commits), then the same is told. */
  | { how: "lose-ack" };

/** Decides, per statement, whether it fails; null lets it through. */
export type FaultPlan = (sql: string, place: Place, params: unknown[] | undefined) => Fault | null;

export interface Injected {
  how: Fault["how"];
  place: Place;
  /** The statement's text. */
  sql: string;
}

/** An error the database itself raised for a statement (not one injected here). */
export interface Raised {
  place: Place;
  sql: string;
  code: string | undefined;
  message: string;
}

export class FaultDriver implements Driver {
  plan: FaultPlan = () => null;
  readonly injected: Injected[] = [];
  readonly raised: Raised[] = [];

  constructor(
    readonly inner: Driver,
    private readonly closeInner = true,
  ) {}

  get kind(): "postgres" | "pglite" {
    return this.inner.kind;
  }

  private decide(sql: string, place: Place, params: unknown[] | undefined): Fault | null {
    const fault = this.plan(sql, place, params);
    if (fault) this.injected.push({ how: fault.how, place, sql });
    return fault;
  }

  private note<T>(place: Place, sql: string, p: Promise<T>): Promise<T> {
    return p.catch((e: unknown) => {
      const err = e as { code?: unknown; message?: unknown };
      this.raised.push({
        place,
        sql,
        code: typeof err?.code === "string" ? err.code : undefined,
        message: String(err?.message ?? e),
      });
      throw e;
    });
  }

  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const fault = this.decide(sql, "query", params);
    if (fault?.how === "throw") throw fault.error();
    if (fault?.how === "terminate") {
      if (this.inner.kind !== "postgres") throw new Error("a backend can only be terminated on Postgres");
      return this.inner.session(async (s) => {
        await s.query("select pg_terminate_backend(pg_backend_pid())");
        throw new Error("pg_terminate_backend(pg_backend_pid()) returned: the session was not terminated");
      });
    }
    const result = await this.note("query", sql, this.inner.query<T>(sql, params));
    if (fault?.how === "lose-ack") throw connectionLost();
    return result;
  }

  async relaxedQuery<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const fault = this.decide(sql, "relaxed", params);
    if (fault?.how === "throw") throw fault.error();
    return this.note("relaxed", sql, this.inner.relaxedQuery<T>(sql, params));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let ackLost = false;
    const result = await this.inner.transaction((tx) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => {
          const fault = this.decide(sql, "transaction", params);
          if (fault?.how === "throw") throw fault.error();
          if (fault?.how === "terminate") {
            if (this.inner.kind !== "postgres") throw new Error("a backend can only be terminated on Postgres");
            // the server ends this very session: the statement fails with its FATAL 57P01
            await tx.query("select pg_terminate_backend(pg_backend_pid())");
            throw new Error("pg_terminate_backend(pg_backend_pid()) returned: the session was not terminated");
          }
          if (fault?.how === "lose-ack") ackLost = true;
          return this.note("transaction", sql, tx.query<R>(sql, params));
        },
      }),
    );
    if (ackLost) throw connectionLost();
    return result;
  }

  session<T>(fn: (s: Queryable) => Promise<T>): Promise<T> {
    return this.inner.session(fn);
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    if (this.closeInner) await this.inner.close();
  }
}

/** An error as pg reports it, with its SQLSTATE. */
export function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR" });
}

/** What pg reports when the server ends the session (pg_terminate_backend, a restart). */
export function adminShutdown(): Error {
  return Object.assign(pgError("57P01", "terminating connection due to administrator command"), { severity: "FATAL" });
}

/** What pg reports when the socket closes under a query, with no SQLSTATE. */
export function connectionLost(): Error {
  return new Error("Connection terminated unexpectedly");
}
