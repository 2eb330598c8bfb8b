// The store: Rhythm's data operations over one schema, in rooms of their own (versions, enqueue,
// claims, tasks, activations, deliveries, signals, timers, cancel, reads, workers), behind this
// small facade. Programs and saved states are opaque JSON here. An operation is one statement or
// one transaction; a worker composes a step from the operations of a StoreTx (transaction).

import { isExecutionId } from "../shared/ids.js";
import { isConflict } from "../shared/postgres-errors.js";
import { cancel } from "./cancel.js";
import { claim, heartbeat, heldClaims, inbox, release, releaseLost } from "./claims.js";
import { Db } from "./db.js";
import { OperationsTx } from "./operations.js";
import type { Driver, Queryable } from "./driver.js";
import { enqueueDebounced } from "./debounce.js";
import { enqueue, type Enqueued } from "./enqueue.js";
import type { Execution } from "./execution.js";
import { statementsFor, type Statements } from "./queries/index.js";
import {
  finishedByQueue,
  queueDepths,
  requeueTask,
  statusCounts,
  timeline,
  versionList,
  versionSource,
  type QueueDepth,
  type Timeline,
  type VersionSummary,
} from "./overview.js";
import {
  appendTaskLog,
  get,
  handleInfo,
  list,
  listByIdPrefix,
  logs,
  savedState,
  type LogLine,
  type SavedStateRead,
} from "./reads.js";
import { RetentionRoom } from "./retention.js";
import { ScheduleRoom } from "./schedules.js";
import { refusedId, send, type Refusal, type SignalItem } from "./signals.js";
import { StoreTx } from "./store-tx.js";
import { completeStandalone, failAttempt } from "./tasks.js";
import { fastStep, type FastStepResult, type FastStepWrite } from "./fast-step.js";
import { fireTimers, nextDue, type NextDue } from "./timers.js";
import type { Claimed, Completion, EnqueueItem, InboxItem, ListFilter } from "./types.js";
import { newestVersion, program, upsertVersions, workflowNames, type StoredFlow } from "./versions.js";
import { liveWorkers, workerBeat, workerGone, type Beat, type LiveWorker } from "./workers.js";
import type { ExecutionStatus } from "../shared/statuses.js";

/** Transactions lost to a deadlock or a serialization conflict are run again up to this many times. */
const CONFLICT_ATTEMPTS = 5;

export class Store {
  /** The NOTIFY channel of this schema. */
  readonly channel: string;
  private readonly sql: Statements;
  private readonly pool: Db;

  constructor(
    private readonly driver: Driver,
    schema: string,
  ) {
    this.sql = statementsFor(schema);
    this.channel = `${schema}_events`;
    this.pool = new Db(driver, this.sql, this.channel, null, driver);
  }

  /**
   * One transaction of named operations. It runs again when Postgres aborts it as one side of a
   * deadlock (40P01) or a serialization conflict (40001): lock order cannot be the same everywhere
   * — a task's completion locks the task, then its workflow; a cancellation the workflow, then its
   * tasks — and losing such a race must not surface as an error (or leave a finished attempt
   * unrecorded). So `fn` must be safe to run again: it may only read the database and compute.
   * Notifications its operations owe are sent together just before the commit.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.inTransaction((db) => fn(new StoreTx(db)));
  }

  private inTransaction<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.retryingConflicts(() =>
      this.driver.transaction(async (q) => {
        const db = new Db(q, this.sql, this.channel, []);
        const result = await fn(db);
        await db.flushNotes();
        return result;
      }),
    );
  }

  /**
   * One transaction of an operation on a paused run (fork, set, retry: store/operations.ts).
   * Like `transaction`, `fn` may run again after a deadlock: it may only read and compute.
   */
  operate<T>(fn: (tx: OperationsTx) => Promise<T>): Promise<T> {
    return this.inTransaction((db) => fn(new OperationsTx(db)));
  }

  /** Runs `write` (a transaction or one statement) again when it lost a deadlock or a serialization conflict. */
  private async retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (attempt >= CONFLICT_ATTEMPTS || !isConflict(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  /** Subscribes to this schema's notifications; resolves to the unsubscribe function. */
  listen(onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.driver.listen(this.channel, onNotify);
  }

  // ── versions ──────────────────────────────────────────────────────────────────────────────

  async upsertVersions(flows: StoredFlow[]): Promise<void> {
    if (flows.length > 0) await this.inTransaction((db) => upsertVersions(db, flows));
  }

  newestVersion(name: string): Promise<string | null> {
    return newestVersion(this.pool, name);
  }

  program(name: string, version: string): Promise<unknown | null> {
    return program(this.pool, name, version);
  }

  workflowNames(): Promise<string[]> {
    return workflowNames(this.pool);
  }

  // ── enqueue ───────────────────────────────────────────────────────────────────────────────

  /**
   * Inserts executions; returns their ids (the first execution's for a repeated idempotency key)
   * and whether each was inserted.
   */
  enqueue(items: EnqueueItem[], callersTransaction?: Queryable): Promise<Enqueued[]> {
    const callers = callersTransaction && new Db(callersTransaction, this.sql, this.channel, null);
    // debounced starts are one statement each (store/debounce.ts)
    const insert = items.some((i) => i.debounce) ? enqueueDebounced : enqueue;
    return insert(this.pool, items, (fn) => this.inTransaction(fn), callers);
  }

  // ── claims ────────────────────────────────────────────────────────────────────────────────

  /** Claims up to `limit` runnable executions of these queues (tasks only of these names); workflows come with their inbox. */
  claim(workerId: string, queues: string[], taskNames: string[], limit: number, leaseMs: number): Promise<Claimed[]> {
    return claim(this.pool, workerId, queues, taskNames, limit, leaseMs);
  }

  /** The settlements waiting for these workflows, in arrival order. */
  inbox(ids: string[]): Promise<InboxItem[]> {
    return inbox(this.pool, ids);
  }

  heartbeat(id: string, token: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    return heartbeat(this.pool, id, token, leaseMs);
  }

  release(id: string, token: string): Promise<void> {
    return release(this.pool, id, token);
  }

  /** A workflow's activation was lost: its claim given back, counted on its row with `reason`. */
  releaseLost(id: string, token: string, reason: string): Promise<void> {
    return releaseLost(this.pool, id, token, reason);
  }

  /** Which of these (id, claim token) pairs are still running under that claim. */
  heldClaims(claims: { id: string; token: string }[]): Promise<Set<string>> {
    return heldClaims(this.pool, claims);
  }

  // ── tasks ─────────────────────────────────────────────────────────────────────────────────

  /** Completions of tasks no workflow waits for, one statement committed on its own. */
  completeStandalone(items: Completion[]): Promise<boolean[]> {
    return this.retryingConflicts(() => completeStandalone(this.pool, items));
  }

  /**
   * A workflow step in one autocommitted statement: a task's completion, the activation it woke
   * and the next task (store/fast-step.ts). Writes nothing when the workflow or the claim changed.
   */
  fastStep(write: FastStepWrite, inDoubt: (tasks: Claimed[]) => void): Promise<FastStepResult> {
    return fastStep(this.pool, write, inDoubt);
  }

  /** Records a failed attempt (see StoreTx.failAttempt) in a transaction of its own. */
  failTask(id: string, token: string, error: unknown, retryInMs: number | null, parentError: unknown): Promise<boolean> {
    return this.inTransaction((db) => failAttempt(db, id, token, error, retryInMs, parentError));
  }

  /** A line a task handler wrote (ctx.log). */
  appendTaskLog(id: string, message: string): Promise<void> {
    return appendTaskLog(this.pool, id, message);
  }

  // ── timers ────────────────────────────────────────────────────────────────────────────────

  /** Fires up to `limit` due timers; returns how many fired. */
  fireTimers(limit: number): Promise<number> {
    return this.inTransaction((db) => fireTimers(db, limit));
  }

  /** Milliseconds until the next timer fires and until the next queued execution of `queues` comes due. */
  nextDue(queues: string[]): Promise<NextDue> {
    return nextDue(this.pool, queues);
  }

  // ── signals and cancellation ──────────────────────────────────────────────────────────────

  /**
   * Sends signals in one transaction: all or nothing. When a target is not a live workflow, nothing
   * is written and it is answered (its row, or null when there is no such execution).
   */
  async signal(items: SignalItem[]): Promise<Refusal | null> {
    const refused = refusedId(items);
    if (refused || items.length === 0) return refused;
    return this.inTransaction((db) => send(db, items));
  }

  /** Cancels an execution and everything it started that is still going; returns the ids (null: no such execution). */
  async cancel(id: string): Promise<string[] | null> {
    if (!isExecutionId(id)) return null;
    return this.inTransaction((db) => cancel(db, id));
  }

  // ── reads and workers ─────────────────────────────────────────────────────────────────────

  /** One execution; `explain` also says what blocks it (Execution.blocked). */
  async get(id: string, explain = true): Promise<Execution | null> {
    return isExecutionId(id) ? get(this.pool, id, explain) : null;
  }

  list(filter: ListFilter): Promise<Execution[]> {
    return list(this.pool, filter, filter.after && isExecutionId(filter.after) ? filter.after : null);
  }

  logs(id: string): Promise<LogLine[]> {
    return logs(this.pool, id);
  }

  /** A workflow's saved state with its version's source and program (rhythm inspect); null: no such execution. */
  async savedState(id: string): Promise<SavedStateRead | null> {
    return isExecutionId(id) ? savedState(this.pool, id) : null;
  }

  /** The execution each of these handles of `id` started, and when each of its timers fires. */
  handleInfo(id: string, handles: number[]): Promise<Map<number, { id?: string; until?: string }>> {
    return handleInfo(this.pool, id, handles);
  }

  workerBeat(id: string, queues: string[], tasks: string[]): Promise<Beat> {
    return workerBeat(this.pool, id, queues, tasks);
  }

  workerGone(id: string): Promise<void> {
    return workerGone(this.pool, id);
  }

  liveWorkers(): Promise<LiveWorker[]> {
    return liveWorkers(this.pool);
  }

  // ── for people: the dashboard and the HTTP API ───────────────────────────────────────────

  listByIdPrefix(prefix: string, limit: number): Promise<Execution[]> {
    return listByIdPrefix(this.pool, prefix, limit);
  }

  async timeline(id: string): Promise<Timeline | null> {
    return isExecutionId(id) ? timeline(this.pool, id) : null;
  }

  queueDepths(): Promise<QueueDepth[]> {
    return queueDepths(this.pool);
  }

  statusCounts(statuses: ExecutionStatus[], cap: number): Promise<Map<ExecutionStatus, number>> {
    return statusCounts(this.pool, statuses, cap);
  }

  finishedByQueue(ids: string[]): Promise<{ queue: string; status: ExecutionStatus; count: number }[]> {
    return finishedByQueue(this.pool, ids);
  }

  versionList(): Promise<VersionSummary[]> {
    return versionList(this.pool);
  }

  versionSource(
    name: string,
    version: string,
  ): Promise<{ name: string; version: string; source: string; deployedAt: string } | null> {
    return versionSource(this.pool, name, version);
  }

  /** Queues a failed task no workflow waits for again, for one more attempt; false when `id` is not one. */
  async requeueTask(id: string): Promise<boolean> {
    return isExecutionId(id) && this.inTransaction((db) => requeueTask(db, id));
  }

  // ── schedules and retention (schedules.ts, retention.ts) ──────────────────────────────────

  /** Schedules: set, list, pause, trigger, and the due ticks a worker fires. */
  schedules(): ScheduleRoom {
    return new ScheduleRoom(this.pool, (fn) => this.inTransaction(fn));
  }

  /** Deletion of old finished executions in small batches. */
  retention(): RetentionRoom {
    return new RetentionRoom(this.pool);
  }
}

export type { Enqueued, StoreTx };
