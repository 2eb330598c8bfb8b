// The Driver over a real Postgres server, with a `pg` connection pool. LISTEN uses a dedicated
// connection that reconnects with backoff when it drops.

import pg from "pg";
import { isConnectionError } from "./connection-errors.js";
import type { Driver, Queryable, QueryResult } from "./driver.js";

export class PostgresDriver implements Driver {
  readonly kind = "postgres";
  readonly pool: pg.Pool;
  private relaxed: pg.Pool | null = null;

  constructor(
    private readonly connectionString: string,
    options: { max?: number } = {},
  ) {
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
    // An idle client that errors (server restart) must not crash the process; the pool drops it.
    this.pool.on("error", () => {});
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.pool.query(sql, params);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  /** Its own two connections, with synchronous_commit off for the whole session. */
  async relaxedQuery<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    this.relaxed ??= this.relaxedPool();
    const r = await this.relaxed.query(sql, params);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  private relaxedPool(): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.connectionString, max: 2, options: "-c synchronous_commit=off" });
    pool.on("error", () => {});
    return pool;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.session(async (client) => {
      await client.query("begin");
      try {
        const result = await fn(client);
        await client.query("commit");
        return result;
      } catch (e) {
        await client.query("rollback").catch(() => {});
        throw e;
      }
    });
  }

  async session<T>(fn: (s: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // While a client is checked out the pool does not listen for its errors: a server that ends
    // the connection between two statements (a restart, pg_terminate_backend) would emit an
    // 'error' nobody handles, and the process would exit. The next query fails instead.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    try {
      return await fn({
        query: async <R>(sql: string, params: unknown[] = []) => {
          try {
            const r = await client.query(sql, params);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          } catch (e) {
            if (isConnectionError(e)) broken = true;
            throw e;
          }
        },
      });
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let client: pg.PoolClient | null = null;
    let closed = false;
    const onNotification = (n: pg.Notification) => {
      if (n.channel === channel) onNotify(n.payload ?? "");
    };
    // Our listeners come off a connection before it goes back to the pool: left on, they piled
    // up on pooled clients, and an error on one already handed back released it twice. While a
    // connection is being given up, its errors are ignored (an 'error' with no listener at all
    // would crash the process).
    const ignore = () => {};
    const detach = (c: pg.PoolClient) => {
      c.removeListener("notification", onNotification);
      c.removeListener("error", onError);
      c.on("error", ignore);
    };
    const discard = (c: pg.PoolClient) => {
      detach(c);
      c.release(true);
    };
    function onError(this: pg.PoolClient) {
      if (client === this) client = null;
      discard(this);
      if (!closed) setTimeout(() => void connect(1), 100).unref();
    }
    const connect = async (attempt: number): Promise<void> => {
      if (closed) return;
      let c: pg.PoolClient | null = null;
      try {
        c = await this.pool.connect();
        c.on("notification", onNotification);
        c.on("error", onError);
        await c.query(`listen "${channel}"`);
        client = c;
        // A reconnect may have missed notifications: wake the listener once.
        if (attempt > 0) onNotify("");
      } catch {
        if (c) discard(c);
        setTimeout(() => void connect(attempt + 1), Math.min(5000, 100 * 2 ** attempt)).unref();
      }
    };
    await connect(0);
    return async () => {
      closed = true;
      const c = client;
      client = null;
      if (c) {
        detach(c);
        await c.query(`unlisten "${channel}"`).then(
          () => {
            // healthy: back to the pool, which watches idle connections for errors itself
            c.removeListener("error", ignore);
            c.release();
          },
          () => c.release(true),
        );
      }
    };
  }

  async close(): Promise<void> {
    await this.relaxed?.end();
    await this.pool.end();
  }
}
