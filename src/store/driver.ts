// The one small interface every store implementation provides: queries, transactions and
// LISTEN/NOTIFY. Two implementations: a real Postgres through `pg`, and embedded PGlite.

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Driver extends Queryable {
  readonly kind: "postgres" | "pglite";
  /**
   * A statement whose commit does not wait for the disk (synchronous_commit off): after a server
   * crash it may be lost, so only writes whose loss is harmless go here — claims and lease
   * renewals (a lost claim is made again, and the attempt it started can no longer commit). The
   * next durable commit flushes it anyway, WAL being one sequence.
   */
  relaxedQuery<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one session (advisory locks are per session). For PGlite the only session.
   */
  session<T>(fn: (s: Queryable) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel; resolves to the unsubscribe function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
