// Where the rooms of the store run their statements: the pool, or one transaction of the store
// with the notifications it owes. Statements are named (queries/); a room never writes SQL text.

import type { Driver, Queryable, QueryResult } from "./driver.js";
import type { QueryName, Statements } from "./queries/index.js";

/** 36-character ids and a separator: 200 of them stay well under NOTIFY's 8,000-byte payload. */
export const FINISHED_PER_NOTIFY = 200;

export class Db {
  constructor(
    private readonly q: Queryable,
    private readonly sql: Statements,
    readonly channel: string,
    /** A store transaction's notifications, sent together before its commit; null: sent at once. */
    private readonly notes: string[] | null,
    /** The pool's driver, for statements whose commit need not wait for the disk. */
    private readonly driver: Driver | null = null,
  ) {}

  run<T = Record<string, unknown>>(name: QueryName, params?: unknown[]): Promise<QueryResult<T>> {
    return this.q.query<T>(this.sql[name], params);
  }

  /** A statement committed with synchronous_commit off (claims, lease renewals: see Driver.relaxedQuery). */
  relaxed<T = Record<string, unknown>>(name: QueryName, params?: unknown[]): Promise<QueryResult<T>> {
    if (!this.driver) throw new Error(`${name} runs on the pool, not in a transaction`);
    return this.driver.relaxedQuery<T>(this.sql[name], params);
  }

  /**
   * In a transaction of the store, a notification waits for a statement that carries the
   * transaction's notifications (ActivationsSettle) or for NotifyMany just before the commit: one
   * round trip instead of one per notification. Elsewhere (`tx` of the client API) it is sent at once.
   */
  async notify(payload: string): Promise<void> {
    if (this.notes) this.notes.push(payload);
    else await this.run("Notify", [this.channel, payload]);
  }

  /** One notification per distinct queue: workers serving it wake up. */
  async notifyQueues(queues: Iterable<string>): Promise<void> {
    for (const queue of new Set(queues)) await this.notify(`q:${queue}`);
  }

  /**
   * Work queued on `queue` that comes due in `inMs`: at once, workers serving it wake up (q:);
   * later, they are told when (`r:<ms>:<queue>`), and set a timer rather than claim now for nothing.
   */
  async notifyDue(queue: string, inMs: number): Promise<void> {
    await this.notify(inMs > 0 ? `r:${Math.ceil(inMs)}:${queue}` : `q:${queue}`);
  }

  /**
   * Tells clients waiting on these executions that they finished. Ids are packed into as few
   * notifications as fit: each costs every listening session a wake-up.
   */
  async notifyFinished(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += FINISHED_PER_NOTIFY)
      await this.notify(`d:${ids.slice(i, i + FINISHED_PER_NOTIFY).join(",")}`);
  }

  /** The notifications owed and not sent yet, for a statement that sends them with its own work. */
  takeNotes(): string[] {
    return this.notes ? [...new Set(this.notes.splice(0))] : [];
  }

  /** Sends what is still owed (one statement), before the transaction commits. */
  async flushNotes(): Promise<void> {
    const notes = this.takeNotes();
    if (notes.length > 0) await this.run("NotifyMany", [this.channel, notes]);
  }
}
