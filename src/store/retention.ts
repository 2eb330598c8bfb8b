// Retention: finished executions older than an age per status are deleted, oldest first, in small
// batches — each batch one short statement whose rows are locked SKIP LOCKED, so workers pruning
// at once share the work and nobody waits on a long lock. Kept whatever their age: a child whose
// parent still runs, an execution whose children still run, and one that awaiters name (their
// rows, inbox, timers, signals and logs go with it: ON DELETE CASCADE).

import type { Db } from "./db.js";

export type FinishedStatus = "completed" | "failed" | "cancelled";
export const FINISHED_STATUSES: readonly FinishedStatus[] = ["completed", "failed", "cancelled"];

/** Rows deleted per statement. */
export const PRUNE_BATCH = 500;

export class RetentionRoom {
  constructor(private readonly pool: Db) {}

  /** Deletes up to `limit` executions of `status` finished more than `olderThanMs` ago; returns how many. */
  async pruneBatch(status: FinishedStatus, olderThanMs: number, limit = PRUNE_BATCH): Promise<number> {
    return (await this.pool.run("PruneBatch", [status, olderThanMs, limit])).rowCount;
  }

  /** How many pruneBatch would delete in all (rhythm prune --dry-run). */
  async count(status: FinishedStatus, olderThanMs: number): Promise<number> {
    const r = await this.pool.run<{ n: string | number }>("PruneCount", [status, olderThanMs]);
    return Number(r.rows[0].n);
  }
}
