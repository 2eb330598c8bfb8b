// The Driver over a real Postgres server, with a `pg` connection pool. LISTEN uses a dedicated
// connection that reconnects with backoff when it drops.

import { createHash } from "node:crypto";
import pg from "pg";
import { isConnectionError } from "../shared/postgres-errors.js";
import type { Driver, Queryable, QueryResult } from "./driver.js";

/**
 * A server that accepts the TCP connection and then says nothing (frozen, or a network path that
 * drops packets) would hang a connect for minutes; it fails after this long instead, as a
 * connection error the worker retries.
 */
const CONNECT_TIMEOUT_MS = 10_000;
/** TCP keepalive finds a connection whose server vanished without a word (the LISTEN one idles). */
const KEEPALIVE_DELAY_MS = 10_000;

export interface PostgresDriverOptions {
  /** Connections of the main pool (default 10). */
  max?: number;
  /** How long opening a connection may take (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Run statements with parameters as named prepared statements (default true; see `statement`).
   * Off for a pooler that does not keep them, such as PgBouncer in transaction mode before 1.21.
   */
  preparedStatements?: boolean;
}

/** Names of the prepared statements by text (texts are the store's static SQL: a bounded set). */
const statementNames = new Map<string, string | null>();
const MAX_NAMED_TEXTS = 10_000;

/**
 * A statement with parameters runs as a named prepared statement, parsed and planned once per
 * connection (an activation's settlement 313 → 96 µs; generic plans let be: docs/benchmarks.md).
 * `select *` statements stay unnamed: a migration adding a column would make a connection's
 * prepared copy fail ("cached plan must not change result type"), and they are not hot.
 */
function statement(sql: string, params: unknown[], prepare: boolean): pg.QueryConfig {
  if (!prepare || params.length === 0) return { text: sql, values: params };
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = /\bselect\s+\*/i.test(sql) ? null : `rhythm_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
    // texts made at run time (tests, ad-hoc reads) must not grow the map without end
    if (statementNames.size < MAX_NAMED_TEXTS) statementNames.set(sql, name);
  }
  return name === null ? { text: sql, values: params } : { name, text: sql, values: params };
}

/** Where a driver connects, as pg reads its URL (with the PG* environment and pg's defaults). */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string | null;
}

export class PostgresDriver implements Driver {
  readonly kind = "postgres";
  readonly pool: pg.Pool;
  private relaxed: pg.Pool | null = null;
  private readonly Client: new () => pg.Client;
  private readonly prepare: boolean;

  constructor(
    private readonly connectionString: string,
    options: PostgresDriverOptions = {},
  ) {
    this.prepare = options.preparedStatements ?? true;
    this.Client = clientClass(options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    this.pool = new pg.Pool({ connectionString, max: options.max ?? 10, Client: this.Client });
    // An idle client that errors (server restart) must not crash the process; the pool drops it.
    this.pool.on("error", () => {});
  }

  /** Host, port, database and user this driver connects to (for messages; no password). */
  target(): ConnectionTarget {
    // a Client that is never connected parses the URL exactly as the pool's clients do
    const c = new pg.Client({ connectionString: this.connectionString });
    return { host: c.host, port: c.port, database: c.database ?? "", user: c.user ?? null };
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    const r = await this.pool.query(statement(sql, params, this.prepare));
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  /** Its own two connections, with synchronous_commit off for the whole session. */
  async relaxedQuery<T>(sql: string, params: unknown[] = []): Promise<QueryResult<T>> {
    this.relaxed ??= this.relaxedPool();
    const r = await this.relaxed.query(statement(sql, params, this.prepare));
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  private relaxedPool(): pg.Pool {
    // Set on each new connection rather than as the `options` startup parameter, which an
    // `options=` in the URL would replace. pg-pool awaits onConnect before it hands the
    // connection out (a 'connect' listener cannot be awaited: the claim then queued behind the
    // `set`, which pg 8.x reports with a DeprecationWarning). Should it fail, claims commit
    // durably: slower, never wrong.
    const pool = new pg.Pool({
      connectionString: this.connectionString,
      max: 2,
      Client: this.Client,
      onConnect: async (client) => {
        await client.query("set synchronous_commit = off").catch(() => {});
      },
    });
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
    let broken = false;
    // While a client is checked out the pool does not listen for its errors: a server that ends
    // the connection between two statements (a restart, pg_terminate_backend) would emit an
    // 'error' nobody handles, and the process would exit. The next query fails instead.
    const onError = () => {
      broken = true;
    };
    const client = await checkout(this.pool, onError);
    try {
      return await fn({
        query: async <R>(sql: string, params: unknown[] = []) => {
          try {
            const r = await client.query(statement(sql, params, this.prepare));
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
    // a connection is given back once (pg-pool throws on a second release)
    const discarded = new WeakSet<pg.PoolClient>();
    const discard = (c: pg.PoolClient) => {
      if (discarded.has(c)) return;
      discarded.add(c);
      detach(c);
      c.release(true);
    };
    function onError(this: pg.PoolClient) {
      discard(this);
      // while it was still being set up, connect() sees its LISTEN fail and tries again itself
      if (client !== this) return;
      client = null;
      if (!closed) setTimeout(() => void connect(1), 100).unref();
    }
    const connect = async (attempt: number): Promise<void> => {
      if (closed) return;
      let c: pg.PoolClient | null = null;
      try {
        c = await checkout(this.pool, onError);
        c.on("notification", onNotification);
        await c.query(`listen "${channel}"`);
        if (discarded.has(c)) throw new Error("the connection failed as LISTEN completed");
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

/**
 * A connection of `pool` with `onError` already listening for its errors. pool.connect()'s promise
 * hands the client over a microtask late: a server that ends the connection right after opening
 * it (pg_terminate_backend, a shutdown) can send its FATAL in the same TCP read as the end of the
 * handshake, and pg would emit that 'error' before anyone listens — an uncaught exception.
 */
function checkout(pool: pg.Pool, onError: (this: pg.PoolClient, e: Error) => void): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) return reject(err ?? new Error("the pool gave no connection"));
      client.on("error", onError);
      resolve(client);
    });
  });
}

/**
 * The connect timeout is set on each client, not on the pool: pg-pool would also apply it to
 * waiting for a free connection of a busy pool, which is no fault.
 */
function clientClass(connectTimeoutMs: number): new () => pg.Client {
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({
        ...config,
        connectionTimeoutMillis: connectTimeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      });
    }
  };
}
