// The engine's data operations over one schema: versions, enqueueing, claiming, finishing tasks,
// committing workflow activations, timers, signals, leases, cancellation and reads. Programs and
// saved states are opaque JSON here. Each operation is one transaction.

import { randomUUID } from "node:crypto";
import type { Driver, Queryable } from "./driver.js";
import { toExecution, type Execution, type ExecutionRow, type ExecutionStatus } from "./execution.js";
import { Q, type QueryName } from "./queries.js";
import { withSchema } from "./schema-name.js";

export interface EnqueueItem {
  kind: "workflow" | "task";
  name: string;
  version?: string | null;
  inputs: unknown;
  queue?: string;
  priority?: number;
  /** Epoch ms; or `delayMs` from the database's now. */
  runAt?: number | null;
  delayMs?: number | null;
  /** null or absent: the registration of the worker that runs the task decides. */
  maxAttempts?: number | null;
  backoff?: Backoff | null;
  timeoutMs?: number | null;
  parentId?: string | null;
  parentHandle?: number | null;
  idempotencyKey?: string | null;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000, factor: 2 };

export interface Claimed {
  id: string;
  kind: "workflow" | "task";
  name: string;
  version: string | null;
  queue: string;
  inputs: unknown;
  attempt: number;
  max_attempts: number | null;
  backoff: Backoff | null;
  timeout_ms: number | null;
  parent_id: string | null;
  claim_token: string;
  state: unknown;
  wakeups: number;
  started_at: Date;
  db_now: number;
}

export interface InboxItem {
  seq: string;
  execution_id: string;
  handle: number;
  ok: boolean;
  value: unknown;
}

/** What a workflow activation asks the store to write, all in one transaction. */
export interface ActivationWrite {
  id: string;
  claimToken: string;
  /** `wakeups` as read at claim: a higher value at commit means news arrived meanwhile. */
  wakeups: number;
  /** The inbox seqs this activation was given (and so consumes). */
  consumed: string[];
  outcome:
    | { status: "suspended"; state: unknown; waits: unknown }
    | { status: "completed"; output: unknown }
    | { status: "failed"; error: unknown };
  enqueue: EnqueueItem[];
  timers: { handle: number; at: number; kind: "timer" | "signal-timeout" }[];
  signalWaits: { handle: number; name: string }[];
  dropped: number[];
  /** Inbox handles the machine could no longer observe (delivered signals go back to the buffer). */
  ignored: number[];
  logs: { level: string; message: string; line: number }[];
  /** Error a finished child hands its parent (WorkflowError data), computed by the caller. */
  parentError?: unknown;
}

export class StaleClaimError extends Error {
  constructor(id: string) {
    super(`the claim on execution ${id} is no longer held (its lease expired or it was cancelled)`);
  }
}

export class Store {
  readonly sql: Record<QueryName, string>;
  readonly channel: string;

  constructor(
    readonly driver: Driver,
    readonly schema: string,
  ) {
    this.sql = Object.fromEntries(Object.entries(Q).map(([k, v]) => [k, withSchema(v, schema)])) as Record<QueryName, string>;
    this.channel = `${schema}_events`;
  }

  /**
   * One transaction, run again when Postgres aborts it as one side of a deadlock (40P01) or a
   * serialization conflict (40001). Lock order cannot be the same everywhere — a task's completion
   * locks the task, then its workflow; a cancellation the workflow, then its tasks — and losing
   * such a race must not surface as an error (or leave a finished attempt unrecorded).
   * Every function given here only touches the database, so running it again is safe.
   */
  private async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.driver.transaction(fn);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (attempt >= 5 || (code !== "40P01" && code !== "40001")) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  // ── versions ──────────────────────────────────────────────────────────────────────────────

  async upsertVersions(flows: { name: string; version: string; source: string; program: unknown }[]): Promise<void> {
    if (flows.length === 0) return;
    await this.transaction(async (tx) => {
      for (const f of flows) await tx.query(this.sql.VersionUpsert, [f.name, f.version, f.source, JSON.stringify(f.program)]);
    });
  }

  async newestVersion(name: string, q: Queryable = this.driver): Promise<string | null> {
    const r = await q.query<{ version: string }>(this.sql.VersionNewest, [name]);
    return r.rows[0]?.version ?? null;
  }

  async program(name: string, version: string): Promise<unknown | null> {
    const r = await this.driver.query<{ program: unknown }>(this.sql.VersionProgram, [name, version]);
    return r.rows[0]?.program ?? null;
  }

  async workflowNames(): Promise<string[]> {
    return (await this.driver.query<{ name: string }>(this.sql.VersionNames)).rows.map((r) => r.name);
  }

  // ── enqueue ───────────────────────────────────────────────────────────────────────────────

  /** Inserts executions in one statement; returns their ids (the existing id for a repeated key). */
  async enqueue(items: EnqueueItem[], q?: Queryable): Promise<string[]> {
    if (items.length === 0) return [];
    const run = async (tx: Queryable) => {
      const ids = await this.insert(tx, items);
      await this.notifyQueues(
        tx,
        items.map((i) => i.queue ?? "default"),
      );
      return ids;
    };
    return q ? run(q) : this.transaction(run);
  }

  private async insert(tx: Queryable, items: EnqueueItem[]): Promise<string[]> {
    // Child workflows run the newest stored version of their name.
    const versions = new Map<string, string | null>();
    for (const i of items) {
      if (i.kind === "workflow" && !i.version && !versions.has(i.name))
        versions.set(i.name, await this.newestVersion(i.name, tx));
    }
    const rows = items.map((i) => ({
      id: randomUUID(),
      kind: i.kind,
      name: i.name,
      version: i.version ?? versions.get(i.name) ?? null,
      queue: i.queue ?? "default",
      priority: i.priority ?? 0,
      run_at: i.runAt != null ? new Date(i.runAt).toISOString() : null,
      delay_ms: i.delayMs ?? 0,
      inputs: i.inputs ?? null,
      // null: the worker that runs the task applies its registration's retries (default 3)
      max_attempts: i.maxAttempts ?? null,
      backoff: i.backoff ?? null,
      timeout_ms: i.timeoutMs ?? null,
      parent_id: i.parentId ?? null,
      parent_handle: i.parentHandle ?? null,
      idempotency_key: i.idempotencyKey ?? null,
    }));
    const inserted = new Set((await tx.query<{ id: string }>(this.sql.Enqueue, [JSON.stringify(rows)])).rows.map((r) => r.id));
    const ids: string[] = [];
    for (const row of rows) {
      if (inserted.has(row.id)) ids.push(row.id);
      else {
        // the idempotency key was taken: the first execution's id is the answer
        const r = await tx.query<{ id: string }>(this.sql.ByIdempotencyKey, [row.kind, row.name, row.idempotency_key]);
        ids.push(r.rows[0].id);
      }
    }
    return ids;
  }

  /** One NOTIFY per distinct queue: Postgres also folds identical notifications of a transaction. */
  private async notifyQueues(tx: Queryable, queues: string[]): Promise<void> {
    for (const queue of new Set(queues)) await tx.query(this.sql.Notify, [this.channel, `q:${queue}`]);
  }

  // ── claiming ──────────────────────────────────────────────────────────────────────────────

  async claim(workerId: string, queues: string[], taskNames: string[], limit: number, leaseMs: number): Promise<Claimed[]> {
    const r = await this.driver.query<Claimed>(this.sql.Claim, [queues, taskNames, limit, workerId, leaseMs]);
    return r.rows.map((c) => ({ ...c, db_now: Number(c.db_now) }));
  }

  async inbox(ids: string[]): Promise<InboxItem[]> {
    if (ids.length === 0) return [];
    return (await this.driver.query<InboxItem>(this.sql.InboxFor, [ids])).rows;
  }

  /** Extends a lease; returns false when the claim is gone, true/“cancel” flags otherwise. */
  async heartbeat(id: string, token: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const r = await this.driver.query<{ cancel_requested: boolean }>(this.sql.Heartbeat, [id, token, leaseMs]);
    return { held: r.rows.length > 0, cancelRequested: r.rows[0]?.cancel_requested ?? true };
  }

  async release(id: string, token: string): Promise<void> {
    await this.driver.query(this.sql.Release, [id, token]);
  }

  // ── finishing tasks ───────────────────────────────────────────────────────────────────────

  async completeTask(id: string, token: string, output: unknown): Promise<boolean> {
    return this.transaction(async (tx) => {
      const r = await tx.query<{ parent_id: string | null; parent_handle: number | null }>(this.sql.TaskComplete, [
        id,
        token,
        JSON.stringify(output ?? null),
      ]);
      if (r.rows.length === 0) return false;
      const { parent_id, parent_handle } = r.rows[0];
      if (parent_id && parent_handle !== null) await this.deliver(tx, parent_id, parent_handle, true, output ?? null);
      await tx.query(this.sql.Notify, [this.channel, `d:${id}`]);
      return true;
    });
  }

  /** Records a failed attempt: queued again after `retryInMs`, or failed for good when null. */
  async failTask(
    id: string,
    token: string,
    error: unknown,
    retryInMs: number | null,
    parentError: (attempts: number) => unknown,
  ): Promise<boolean> {
    return this.transaction(async (tx) => {
      if (retryInMs !== null) {
        const r = await tx.query(this.sql.TaskRetry, [id, token, JSON.stringify(error), retryInMs]);
        return r.rowCount > 0;
      }
      const r = await tx.query<{ parent_id: string | null; parent_handle: number | null; attempt: number }>(this.sql.TaskFail, [
        id,
        token,
        JSON.stringify(error),
      ]);
      if (r.rows.length === 0) return false;
      const { parent_id, parent_handle, attempt } = r.rows[0];
      if (parent_id && parent_handle !== null) await this.deliver(tx, parent_id, parent_handle, false, parentError(attempt));
      await tx.query(this.sql.Notify, [this.channel, `d:${id}`]);
      return true;
    });
  }

  // ── workflow activations ──────────────────────────────────────────────────────────────────

  /**
   * Writes one activation: the new state or outcome, every task, child, timer and signal wait it
   * produced, its logs, and — for a finished child — its parent's settlement. Throws
   * StaleClaimError (rolling everything back) when the claim is no longer held.
   */
  async commitActivation(w: ActivationWrite): Promise<void> {
    await this.transaction(async (tx) => {
      let parent: { parent_id: string | null; parent_handle: number | null } | null = null;
      if (w.outcome.status === "suspended") {
        const r = await tx.query(this.sql.ActivationSuspend, [
          w.id,
          w.claimToken,
          w.wakeups,
          JSON.stringify(w.outcome.state),
          JSON.stringify(w.outcome.waits),
        ]);
        if (r.rowCount === 0) throw new StaleClaimError(w.id);
      } else {
        const output = w.outcome.status === "completed" ? JSON.stringify(w.outcome.output ?? null) : null;
        const error = w.outcome.status === "failed" ? JSON.stringify(w.outcome.error) : null;
        const r = await tx.query<{ parent_id: string | null; parent_handle: number | null }>(this.sql.ActivationFinish, [
          w.id,
          w.claimToken,
          w.outcome.status,
          output,
          error,
        ]);
        if (r.rows.length === 0) throw new StaleClaimError(w.id);
        parent = r.rows[0];
      }
      let rebuffered = false;
      if (w.consumed.length > 0) {
        if (w.ignored.length > 0)
          rebuffered = (await tx.query(this.sql.SignalRebuffer, [w.id, w.ignored, w.consumed])).rowCount > 0;
        await tx.query(this.sql.InboxConsume, [w.id, w.consumed]);
      }
      if (w.enqueue.length > 0) await this.enqueue(w.enqueue, tx);
      if (w.timers.length > 0) {
        await tx.query(this.sql.TimerInsert, [w.id, JSON.stringify(w.timers)]);
        await tx.query(this.sql.Notify, [this.channel, "t"]);
      }
      if (w.signalWaits.length > 0) await tx.query(this.sql.WaitInsert, [w.id, JSON.stringify(w.signalWaits)]);
      if (w.dropped.length > 0) await tx.query(this.sql.DropHandles, [w.id, w.dropped]);
      if (w.logs.length > 0) await tx.query(this.sql.LogInsert, [w.id, JSON.stringify(w.logs)]);
      if (w.outcome.status === "suspended") {
        if (w.signalWaits.length > 0 || rebuffered) await this.matchSignals(tx, w.id);
      } else {
        await tx.query(this.sql.DropAllWaits, [w.id]);
        await tx.query(this.sql.Notify, [this.channel, `d:${w.id}`]);
        if (parent?.parent_id && parent.parent_handle !== null) {
          const ok = w.outcome.status === "completed";
          await this.deliver(
            tx,
            parent.parent_id,
            parent.parent_handle,
            ok,
            ok ? ((w.outcome as { output: unknown }).output ?? null) : w.parentError,
          );
        }
      }
    });
  }

  /** Puts a settlement in a workflow's inbox and makes it runnable. */
  private async deliver(
    tx: Queryable,
    executionId: string,
    handle: number,
    ok: boolean,
    value: unknown,
    signal: { name: string; seq: string } | null = null,
  ): Promise<void> {
    const r = await tx.query<{ queue: string; status: string }>(this.sql.Wake, [executionId]);
    // A workflow that has finished (a fire-and-forget task outliving it) will never read its
    // inbox again: nothing is written for it.
    if (r.rows.length === 0) return;
    await tx.query(this.sql.InboxInsert, [
      executionId,
      handle,
      ok,
      JSON.stringify(value ?? null),
      signal?.name ?? null,
      signal?.seq ?? null,
    ]);
    if (r.rows[0].status === "queued") await this.notifyQueues(tx, [r.rows[0].queue]);
  }

  /** Gives buffered signals to waits, oldest wait first (FIFO on both sides). */
  private async matchSignals(tx: Queryable, executionId: string): Promise<void> {
    for (;;) {
      const m = await tx.query<{ wait_seq: string; handle: number; name: string; signal_seq: string; payload: unknown }>(
        this.sql.SignalMatch,
        [executionId],
      );
      if (m.rows.length === 0) return;
      const { wait_seq, handle, name, signal_seq, payload } = m.rows[0];
      await tx.query(this.sql.SignalConsume, [wait_seq, signal_seq, executionId, handle]);
      await this.deliver(tx, executionId, handle, true, payload, { name, seq: signal_seq });
    }
  }

  // ── timers ────────────────────────────────────────────────────────────────────────────────

  /** Fires up to `limit` due timers; returns how many fired. */
  async fireTimers(limit: number): Promise<number> {
    return this.transaction(async (tx) => {
      const due = await tx.query<{ execution_id: string; handle: number; kind: string }>(this.sql.TimersDue, [limit]);
      for (const t of due.rows) {
        if (t.kind === "timer") await this.deliver(tx, t.execution_id, t.handle, true, null);
        else {
          const w = await tx.query<{ name: string }>(this.sql.WaitDelete, [t.execution_id, t.handle]);
          if (w.rows.length === 0) continue; // the signal won the race
          const name = w.rows[0].name;
          await this.deliver(tx, t.execution_id, t.handle, false, {
            name: "Timeout",
            type: "Timeout",
            message: `no "${name}" signal arrived in time`,
            signal: name,
          });
        }
      }
      return due.rows.length;
    });
  }

  /** Milliseconds until the next timer (negative when one is due), or null when there is none. */
  async nextTimerMs(): Promise<number | null> {
    const r = await this.driver.query<{ ms: string | number | null }>(this.sql.NextTimer);
    const ms = r.rows[0]?.ms;
    return ms === null || ms === undefined ? null : Number(ms);
  }

  // ── signals ───────────────────────────────────────────────────────────────────────────────

  /** Buffers a signal for a workflow and hands it to the oldest wait for it, if any. */
  async signal(id: string, name: string, payload: unknown): Promise<{ kind: string; status: string } | null> {
    if (!isExecutionId(id)) return null;
    return this.transaction(async (tx) => {
      const r = await tx.query<{ kind: string; status: string }>(this.sql.LockExecution, [id]);
      const row = r.rows[0];
      if (!row || row.kind !== "workflow" || ["completed", "failed", "cancelled"].includes(row.status)) return row ?? null;
      await tx.query(this.sql.SignalInsert, [id, name, JSON.stringify(payload ?? null)]);
      await this.matchSignals(tx, id);
      return row;
    });
  }

  // ── leases ────────────────────────────────────────────────────────────────────────────────

  /** Claims whose lease ran out (dead worker, timeout), locked for the caller to resolve. */
  async expireLeases(limit: number, resolve: (tx: Queryable, row: ExpiredRow) => Promise<void>): Promise<number> {
    return this.transaction(async (tx) => {
      const rows = (await tx.query<ExpiredRow>(this.sql.Expired, [limit])).rows;
      for (const row of rows) await resolve(tx, row);
      return rows.length;
    });
  }

  /** For lease expiry: a task attempt failed because its worker vanished or overran its timeout. */
  async failExpired(
    tx: Queryable,
    row: ExpiredRow,
    error: unknown,
    retryInMs: number | null,
    parentError: unknown,
  ): Promise<void> {
    if (retryInMs !== null) {
      await tx.query(this.sql.TaskRetry, [row.id, row.claim_token, JSON.stringify(error), retryInMs]);
      await this.notifyQueues(tx, ["*"]);
      return;
    }
    await tx.query(this.sql.TaskFail, [row.id, row.claim_token, JSON.stringify(error)]);
    await tx.query(this.sql.Notify, [this.channel, `d:${row.id}`]);
    if (row.parent_id && row.parent_handle !== null) await this.deliver(tx, row.parent_id, row.parent_handle, false, parentError);
  }

  async requeueExpired(tx: Queryable, row: ExpiredRow): Promise<void> {
    await tx.query(this.sql.Release, [row.id, row.claim_token]);
    await this.notifyQueues(tx, ["*"]);
  }

  // ── cancellation ──────────────────────────────────────────────────────────────────────────

  /** Cancels an execution and everything it started that is still going; returns the ids. */
  async cancel(id: string, cancelledError: (kind: string, name: string) => unknown): Promise<string[] | null> {
    if (!isExecutionId(id)) return null;
    return this.transaction(async (tx) => {
      const exists = await tx.query(this.sql.LockExecution, [id]);
      if (exists.rows.length === 0) return null;
      const cancelled: string[] = [];
      const visit = async (execId: string, root: boolean) => {
        const r = await tx.query<{ kind: string; parent_id: string | null; parent_handle: number | null; name: string }>(
          this.sql.Cancel,
          [execId, JSON.stringify({ name: "Cancelled", type: "Cancelled", message: `execution ${execId} was cancelled` })],
        );
        if (r.rows.length === 0) return;
        cancelled.push(execId);
        await tx.query(this.sql.DropAllWaits, [execId]);
        await tx.query(this.sql.Notify, [this.channel, `c:${execId}`]);
        await tx.query(this.sql.Notify, [this.channel, `d:${execId}`]);
        const { kind, parent_id, parent_handle, name } = r.rows[0];
        // The workflow that started the cancelled root learns of it; children cancelled along
        // with their parent have nobody left to tell.
        if (root && parent_id && parent_handle !== null)
          await this.deliver(tx, parent_id, parent_handle, false, cancelledError(kind, name));
        const children = await tx.query<{ id: string }>(this.sql.Children, [execId]);
        for (const c of children.rows) await visit(c.id, false);
      };
      await visit(id, true);
      return cancelled;
    });
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  async get(id: string): Promise<Execution | null> {
    if (!isExecutionId(id)) return null;
    const r = await this.driver.query<ExecutionRow>(this.sql.Get, [id]);
    return r.rows[0] ? toExecution(r.rows[0]) : null;
  }

  async logs(id: string): Promise<{ level: string; message: string; line: number | null; createdAt: string }[]> {
    const r = await this.driver.query<{ level: string; message: string; line: number | null; created_at: Date }>(this.sql.Logs, [
      id,
    ]);
    return r.rows.map((l) => ({
      level: l.level,
      message: l.message,
      line: l.line,
      createdAt: new Date(l.created_at).toISOString(),
    }));
  }

  async list(filter: ListFilter): Promise<Execution[]> {
    const after = filter.after && isExecutionId(filter.after) ? filter.after : null;
    const r = await this.driver.query<ExecutionRow>(this.sql.List, [
      filter.status ?? null,
      filter.name ?? null,
      filter.queue ?? null,
      filter.kind ?? null,
      after,
      filter.limit ?? 100,
    ]);
    return r.rows.map(toExecution);
  }
}

/** Ids are uuids: anything else names no execution (and must not reach a uuid parameter). */
function isExecutionId(id: unknown): id is string {
  return typeof id === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}

export interface ListFilter {
  status?: ExecutionStatus;
  name?: string;
  queue?: string;
  kind?: "workflow" | "task";
  limit?: number;
  /** Cursor: the id of the last execution of the previous page. */
  after?: string;
}

export interface ExpiredRow {
  id: string;
  kind: "workflow" | "task";
  name: string;
  attempt: number;
  max_attempts: number | null;
  backoff: Backoff | null;
  parent_id: string | null;
  parent_handle: number | null;
  claim_token: string;
}
