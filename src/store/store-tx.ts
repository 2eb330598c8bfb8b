// The named operations a worker composes inside one transaction of the store (Store.transaction):
// each takes and returns plain data, and none calls back. The worker owns the step — it begins
// the transaction, runs the VM between these operations, and commits (src/worker/step-commit.ts).

import { settleActivations, lockWoken } from "./activations.js";
import type { Db } from "./db.js";
import { expireDeadlines, type TimedOut } from "./deadlines.js";
import { deliver } from "./deliveries.js";
import { completeTasks, expiredLeases, failAttempt, requeueExpired } from "./tasks.js";
import type { ActivationWrite, Completion, Delivery, ExpiredRow, Finished, LockedRow, Settled } from "./types.js";

export class StoreTx {
  constructor(private readonly db: Db) {}

  /** Task completions, in one statement: those whose claim was still held, with their parent. */
  completeTasks(items: Completion[]): Promise<Finished[]> {
    return completeTasks(this.db, items);
  }

  /** Settles activations with what they start and leave; null for one whose claim was no longer held. */
  settleActivations(writes: ActivationWrite[], workerId: string): Promise<(Settled | null)[]> {
    return settleActivations(this.db, writes, workerId);
  }

  /** Locks and reads woken workflows (with their inbox) for activations run in this transaction. */
  lockWoken(ids: string[]): Promise<LockedRow[]> {
    return lockWoken(this.db, ids);
  }

  /** Puts settlements in workflows' inboxes (in the order given) and makes them runnable. */
  deliver(items: Delivery[]): Promise<void> {
    return deliver(this.db, items);
  }

  /** Claims whose lease ran out, locked until this transaction ends. */
  expiredLeases(limit: number): Promise<ExpiredRow[]> {
    return expiredLeases(this.db, limit);
  }

  /** An expired workflow activation goes back to its queue. */
  requeueExpired(row: ExpiredRow): Promise<void> {
    return requeueExpired(this.db, row);
  }

  /** A failed task attempt: retried after `retryInMs`, or failed for good (its workflow gets `parentError`). */
  failAttempt(id: string, token: string, error: unknown, retryInMs: number | null, parentError: unknown): Promise<boolean> {
    return failAttempt(this.db, id, token, error, retryInMs, parentError);
  }

  /** Workflows whose `timeout` passed: failed with a Timeout, what they started cancelled (store/deadlines.ts). */
  expireDeadlines(limit: number): Promise<TimedOut[]> {
    return expireDeadlines(this.db, limit);
  }
}
