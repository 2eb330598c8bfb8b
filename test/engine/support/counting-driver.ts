// A Driver that counts what goes to the database: calls (a query or a whole transaction) and SQL
// statements (each query, plus BEGIN and COMMIT of a transaction). Tests use it to prove
// "one round trip" and an idle worker's query rate.

import type { Driver, Queryable, QueryResult } from "../../../src/store/driver.js";

export class CountingDriver implements Driver {
  calls = 0;
  statements = 0;
  readonly texts: string[] = [];

  constructor(
    readonly inner: Driver,
    private readonly closeInner = true,
  ) {}

  get kind(): "postgres" | "pglite" {
    return this.inner.kind;
  }

  reset(): void {
    this.calls = 0;
    this.statements = 0;
    this.texts.length = 0;
  }

  private note(sql: string): void {
    this.statements++;
    this.texts.push(sql.trim().split(/\s+/).slice(0, 6).join(" "));
  }

  query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    this.calls++;
    this.note(sql);
    return this.inner.query<T>(sql, params);
  }

  relaxedQuery<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    this.calls++;
    this.note(sql);
    return this.inner.relaxedQuery<T>(sql, params);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.calls++;
    this.note("begin");
    return this.inner.transaction((tx) => fn(this.wrap(tx))).finally(() => this.note("commit"));
  }

  session<T>(fn: (s: Queryable) => Promise<T>): Promise<T> {
    this.calls++;
    return this.inner.session((s) => fn(this.wrap(s)));
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.inner.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    if (this.closeInner) await this.inner.close();
  }

  private wrap(q: Queryable): Queryable {
    return {
      query: <R>(sql: string, params?: unknown[]) => {
        this.note(sql);
        return q.query<R>(sql, params);
      },
    };
  }
}
