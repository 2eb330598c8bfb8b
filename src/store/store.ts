// The engine's data operations over one schema: versions, enqueueing, claiming, finishing tasks,
// committing workflow activations, timers, signals, leases, cancellation and reads. Programs and
// saved states are opaque JSON here. Each operation is one transaction.

import { randomUUID } from "node:crypto";
import { cancelledError, signalTimeoutError } from "../shared/flow-errors.js";
import { isExecutionId } from "../shared/ids.js";
import { isConflict, isConnectionError, isTransientError } from "../shared/postgres-errors.js";
import { explainBlocked, type LiveWorker, WORKER_LIVE_MS } from "./workers.js";
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
  /** Workflows: when the execution started (null for a task claimed by Claim). */
  started_at: Date | null;
  /** Workflows: the database's clock at claim, epoch ms (null for a task claimed by Claim). */
  db_now: number | null;
  /** Workflows: the settlements waiting for this activation, in arrival order. */
  inbox: InboxItem[];
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

export type BatchItem = CompleteItem | { type: "activation"; write: ActivationWrite };

export interface CompleteItem {
  type: "complete";
  id: string;
  token: string;
  output: unknown;
  /** The task has no parent workflow (see completeStandalone). */
  standalone?: boolean;
}

interface Delivery {
  executionId: string;
  handle: number;
  ok: boolean;
  value: unknown;
  signal?: { name: string; seq: string };
}

interface ParentRow {
  parent_id: string | null;
  parent_handle: number | null;
}

/** What a worker takes in the transaction of its own group commit (see commitAndDispatch). */
export interface Dispatch {
  workerId: string;
  /** Free slots: at most this many tasks are handed back claimed. */
  slots: number;
  /** The lease of what is claimed here (tasks renew theirs while they run). */
  activationLeaseMs: number;
  takesTask(name: string, queue: string): boolean;
  /** Only what it can run without reading the database (the transaction holds the session). */
  takesWorkflow(queue: string, name: string, version: string | null): boolean;
  /** Runs activations of workflows claimed in the transaction; a workflow left out is released. */
  activate?(claimed: Claimed[]): Promise<ActivationWrite[]>;
  /**
   * Told of the tasks taken for the worker when the connection was lost at the commit: the
   * transaction may have gone through, so those tasks may exist, claimed by this worker, which
   * must then run them (see heldClaims) — else they would wait for their lease to expire.
   */
  inDoubt?(tasks: Claimed[]): void;
}

interface Woken {
  id: string;
  queue: string;
  status: string;
  name: string;
  version: string | null;
}

/** One row of Enqueue's input. */
interface EnqueueRow {
  id: string;
  kind: "workflow" | "task";
  name: string;
  version: string | null;
  queue: string;
  priority: number;
  run_at: string | null;
  delay_ms: number;
  inputs: unknown;
  max_attempts: number | null;
  backoff: Backoff | null;
  timeout_ms: number | null;
  parent_id: string | null;
  parent_handle: number | null;
  idempotency_key: string | null;
  claim_token: string | null;
  worker_id: string | null;
  lease_ms: number | null;
}

/** A row WakeLock locked, read for an activation inside the transaction: a claim's columns but
 * the token (the row lock holds it), and what the lock saw. */
interface LockedRow extends Omit<Claimed, "claim_token" | "started_at" | "db_now" | "inbox"> {
  status: string;
  due: boolean;
  started_at: Date;
  db_now: string | number;
  stale: boolean;
  /** Only for queued or suspended rows. */
  inbox: InboxItem[] | null;
}

interface DispatchBudget {
  tasks: number;
  dispatched: Claimed[];
}

/** Enqueues up to this size go out as one statement with their NOTIFY (see enqueue). */
const SINGLE_STATEMENT_ENQUEUE = 100;

/** Workflows activated inside one group commit at most (the rest are claimed as usual). */
const INLINE_ACTIVATIONS = 200;

function dispatchedTask(i: EnqueueItem, id: string, token: string): Claimed {
  return {
    id,
    kind: "task",
    name: i.name,
    version: null,
    queue: i.queue ?? "default",
    inputs: i.inputs ?? null,
    attempt: 1,
    max_attempts: i.maxAttempts ?? null,
    backoff: i.backoff ?? null,
    timeout_ms: i.timeoutMs ?? null,
    parent_id: i.parentId ?? null,
    claim_token: token,
    state: null,
    wakeups: 0,
    started_at: new Date(),
    db_now: Date.now(),
    inbox: [],
  };
}

/**
 * A claimed row as an object of fixed shape. pg's rows are hash-table ("dictionary mode")
 * objects: copied with `{ ...row }`, or given one more property, each cost ~0.8 KB of garbage, and
 * every read of a field a hash lookup. (S1, 20,000 no-op tasks, one worker, medians of 4
 * interleaved A/B runs, with the lazy PGlite import of client/connection.ts: worker CPU 28.9 →
 * 24.5 µs per task, allocations 117 → 104 MB, peak RSS 120 → 110 MB, of which ~1 MB is PGlite's.)
 */
function claimedOf(r: Claimed): Claimed {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    version: r.version,
    queue: r.queue,
    inputs: r.inputs,
    attempt: r.attempt,
    max_attempts: r.max_attempts,
    backoff: r.backoff,
    timeout_ms: r.timeout_ms,
    parent_id: r.parent_id,
    claim_token: r.claim_token,
    state: r.state,
    wakeups: r.wakeups,
    started_at: r.started_at,
    db_now: r.db_now === null ? null : Math.floor(Number(r.db_now)),
    inbox: [],
  };
}

/** 36-character ids and a separator: 200 of them stay well under NOTIFY's 8,000-byte payload. */
const FINISHED_PER_NOTIFY = 200;

export class StaleClaimError extends Error {
  constructor(id: string) {
    super(`the claim on execution ${id} is no longer held (its lease expired or it was cancelled)`);
  }
}

export class Store {
  readonly sql: Record<QueryName, string>;
  readonly channel: string;
  /** Notifications waiting for the commit of each open transaction of this store. */
  private readonly pendingNotes = new WeakMap<Queryable, string[]>();

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
    return this.retryingConflicts(() =>
      this.driver.transaction(async (tx) => {
        const notes: string[] = [];
        this.pendingNotes.set(tx, notes);
        const result = await fn(tx);
        if (notes.length > 0) await tx.query(this.sql.NotifyMany, [this.channel, [...new Set(notes)]]);
        return result;
      }),
    );
  }

  /** Runs `write` (a transaction or one statement) again when it lost a deadlock or a serialization conflict. */
  private async retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (attempt >= 5 || !isConflict(e)) throw e;
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
    // a few executions (versions known, no transaction of the caller's): one statement. Not for
    // big batches: there the CTE that carries the NOTIFY cost 40% more than a plain insert
    // (20,000 tasks: 1.2 s against 0.86 s), while four round trips are nothing.
    if (!q && items.length <= SINGLE_STATEMENT_ENQUEUE && items.every((i) => i.kind === "task" || i.version))
      return this.insert(this.driver, items, new Map(), null, true);
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

  private async insert(
    tx: Queryable,
    items: EnqueueItem[],
    claims: Map<EnqueueItem, string> = new Map(),
    dispatch: Dispatch | null = null,
    /** Also sends the queues' notifications, in the same statement. */
    notifying = false,
  ): Promise<string[]> {
    const rows = await this.enqueueRows(tx, items, claims, dispatch);
    const r = notifying
      ? await tx.query<{ id: string }>(this.sql.EnqueueAndNotify, [JSON.stringify(rows), this.channel])
      : await tx.query<{ id: string }>(this.sql.Enqueue, [JSON.stringify(rows)]);
    return this.insertedIds(tx, rows, new Set(r.rows.map((row) => row.id)));
  }

  /** Enqueue's rows for these items (ids made here). */
  private async enqueueRows(
    tx: Queryable,
    items: EnqueueItem[],
    claims: Map<EnqueueItem, string>,
    dispatch: Dispatch | null,
  ): Promise<EnqueueRow[]> {
    // Child workflows run the newest stored version of their name.
    const versions = new Map<string, string | null>();
    for (const i of items) {
      if (i.kind === "workflow" && !i.version && !versions.has(i.name))
        versions.set(i.name, await this.newestVersion(i.name, tx));
    }
    return items.map((i) => ({
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
      claim_token: claims.get(i) ?? null,
      worker_id: claims.has(i) ? dispatch!.workerId : null,
      lease_ms: claims.has(i) ? dispatch!.activationLeaseMs : null,
    }));
  }

  /** The id of each row: its own when inserted, the first execution's when its idempotency key was taken. */
  private async insertedIds(tx: Queryable, rows: EnqueueRow[], inserted: Set<string>): Promise<string[]> {
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

  /**
   * Notifications of a transaction of this store are sent together by one statement just before
   * its commit (one round trip instead of one per notification); in a caller's transaction
   * (`tx` of the client API) each is sent at once.
   */
  private async notify(tx: Queryable, payload: string): Promise<void> {
    const notes = this.pendingNotes.get(tx);
    if (notes) notes.push(payload);
    else await tx.query(this.sql.Notify, [this.channel, payload]);
  }

  /**
   * The notifications of this store transaction not sent yet, for a statement that sends them
   * along with its own work (one round trip less than NotifyMany before COMMIT).
   */
  private takeNotes(tx: Queryable): string[] {
    return [...new Set(this.pendingNotes.get(tx)?.splice(0) ?? [])];
  }

  /** One NOTIFY per distinct queue: Postgres also folds identical notifications of a transaction. */
  private async notifyQueues(tx: Queryable, queues: string[]): Promise<void> {
    for (const queue of new Set(queues)) await this.notify(tx, `q:${queue}`);
  }

  // ── claiming ──────────────────────────────────────────────────────────────────────────────

  /** Claims up to `limit` runnable executions; claimed workflows come with their inbox. */
  async claim(workerId: string, queues: string[], taskNames: string[], limit: number, leaseMs: number): Promise<Claimed[]> {
    const r = await this.driver.relaxedQuery<Claimed>(this.sql.Claim, [queues, taskNames, limit, workerId, leaseMs]);
    const claimed = r.rows.map(claimedOf);
    const workflows = new Map<string, Claimed>();
    for (const c of claimed) if (c.kind === "workflow") workflows.set(c.id, c);
    // One read for every claimed workflow, after the claim committed: a settlement committed
    // before the claim is seen here (a read inside the claim statement could miss one whose
    // wakeup the claim already counted, and the workflow would suspend with it unread).
    // The claim is committed: if its inbox read failed for good, what it took would wait for its
    // lease to run out. A read is safe to repeat; after that the claims are given back.
    for (let attempt = 1; ; attempt++) {
      try {
        const inbox = await this.inbox([...workflows.keys()]);
        for (const item of inbox) workflows.get(item.execution_id)!.inbox.push(item);
        return claimed;
      } catch (e) {
        if (attempt < 4 && isTransientError(e)) {
          await new Promise((r) => setTimeout(r, 50 * 4 ** attempt));
          continue;
        }
        for (const c of claimed) await this.release(c.id, c.claim_token).catch(() => {});
        throw e;
      }
    }
  }

  async inbox(ids: string[]): Promise<InboxItem[]> {
    if (ids.length === 0) return [];
    return (await this.driver.query<InboxItem>(this.sql.InboxFor, [ids])).rows;
  }

  /** Extends a lease; returns false when the claim is gone, true/“cancel” flags otherwise. */
  async heartbeat(id: string, token: string, leaseMs: number): Promise<{ held: boolean; cancelRequested: boolean }> {
    const r = await this.driver.relaxedQuery<{ cancel_requested: boolean }>(this.sql.Heartbeat, [id, token, leaseMs]);
    return { held: r.rows.length > 0, cancelRequested: r.rows[0]?.cancel_requested ?? true };
  }

  async release(id: string, token: string): Promise<void> {
    await this.driver.query(this.sql.Release, [id, token]);
  }

  // ── finishing tasks ───────────────────────────────────────────────────────────────────────

  async completeTask(id: string, token: string, output: unknown): Promise<boolean> {
    const [r] = await this.commitBatch([{ type: "complete", id, token, output }]);
    return r === true;
  }

  /**
   * Completions of tasks without a parent workflow, in one statement that commits on its own:
   * nothing else is written when such a task completes (no parent to tell, no workflow woken).
   * Each item's answer, in order: true when written, false when its claim was no longer held.
   * One round trip instead of four (BEGIN, TasksComplete, NotifyMany, COMMIT): S1, 20,000 no-op
   * tasks, one worker process, medians of 4 interleaved A/B runs on 2 cores: 11,600 → 17,400
   * tasks/s, worker CPU 29.6 → 24.9 µs per task.
   */
  async completeStandalone(items: CompleteItem[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    const rows = items.map((c) => ({ id: c.id, token: c.token, output: c.output ?? null }));
    const r = await this.retryingConflicts(() =>
      this.driver.query<{ id: string }>(this.sql.TasksCompleteStandalone, [
        JSON.stringify(rows),
        this.channel,
        FINISHED_PER_NOTIFY,
      ]),
    );
    const written = new Set(r.rows.map((row) => row.id));
    return items.map((i) => written.has(i.id));
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
        // a short backoff must not wait for the next poll
        if (r.rowCount > 0) await this.notifyQueues(tx, ["*"]);
        return r.rowCount > 0;
      }
      const r = await tx.query<{ parent_id: string | null; parent_handle: number | null; attempt: number }>(this.sql.TaskFail, [
        id,
        token,
        JSON.stringify(error),
      ]);
      if (r.rows.length === 0) return false;
      const { parent_id, parent_handle, attempt } = r.rows[0];
      if (parent_id && parent_handle !== null)
        await this.deliver(tx, [{ executionId: parent_id, handle: parent_handle, ok: false, value: parentError(attempt) }]);
      await this.notifyFinished(tx, [id]);
      return true;
    });
  }

  // ── workflow activations ──────────────────────────────────────────────────────────────────

  /** Writes one activation (see commitBatch); throws StaleClaimError when the claim is gone. */
  async commitActivation(w: ActivationWrite): Promise<void> {
    const [r] = await this.commitBatch([{ type: "activation", write: w }]);
    if (r !== true) throw new StaleClaimError(w.id);
  }

  /**
   * Writes task completions and workflow activations, any number of each, in one transaction
   * with a fixed number of statements (group commit: a worker hands in everything that finished
   * while the previous batch was being written). Each item's answer, in order: true when it was
   * written, false when its claim was no longer held (a stale item writes nothing at all).
   *
   * For an activation: the new state or outcome, every task, child, timer and signal wait it
   * produced, its logs, and — for a finished child — its parent's settlement.
   * Completions are written first, so an activation in the same batch whose workflow they wake
   * sees `wakeups` move and is queued again rather than suspended.
   */
  async commitBatch(items: BatchItem[]): Promise<boolean[]> {
    return (await this.commitAndDispatch(items, null)).written;
  }

  /**
   * commitBatch, and — with `dispatch` — the worker's next work taken in the same transaction:
   * workflows the batch woke are claimed and activated there (`dispatch.activate`), and tasks
   * the activations start are inserted already claimed by the worker, returned in `tasks` to run
   * once committed. A step of a workflow then costs one transaction instead of four (completion,
   * claim of the workflow, its activation, claim of the next task): docs/benchmarks.md, S4.
   */
  async commitAndDispatch(items: BatchItem[], dispatch: Dispatch | null): Promise<{ written: boolean[]; tasks: Claimed[] }> {
    if (items.length === 0) return { written: [], tasks: [] };
    let taken: Claimed[] = [];
    try {
      return await this.transaction(async (tx) => {
        const result = await this.writeAndDispatch(tx, items, dispatch);
        taken = result.tasks;
        return result;
      });
    } catch (e) {
      if (taken.length > 0 && isConnectionError(e)) dispatch?.inDoubt?.(taken);
      throw e;
    }
  }

  /** commitAndDispatch's work inside its transaction (which may be run again on a deadlock). */
  private async writeAndDispatch(
    tx: Queryable,
    items: BatchItem[],
    dispatch: Dispatch | null,
  ): Promise<{ written: boolean[]; tasks: Claimed[] }> {
    const written = new Set<string>();
    const budget = { tasks: dispatch?.slots ?? 0, dispatched: [] as Claimed[] };
    const deliveries: Delivery[] = [];

    const completions = items.filter((i): i is CompleteItem => i.type === "complete");
    if (completions.length > 0) {
      const rows = completions.map((c) => ({ id: c.id, token: c.token, output: c.output ?? null }));
      const r = await tx.query<ParentRow & { id: string }>(this.sql.TasksComplete, [JSON.stringify(rows)]);
      const outputs = new Map(completions.map((c) => [c.id, c.output ?? null]));
      for (const row of r.rows) {
        written.add(row.id);
        if (row.parent_id && row.parent_handle !== null)
          deliveries.push({ executionId: row.parent_id, handle: row.parent_handle, ok: true, value: outputs.get(row.id) });
      }
      // pending until a statement carries it (see takeNotes)
      await this.notifyFinished(
        tx,
        r.rows.map((row) => row.id),
      );
    }
    const activations = items.flatMap((i) => (i.type === "activation" ? [i.write] : []));
    for (const id of await this.writeActivations(tx, activations, deliveries, dispatch, budget)) written.add(id);
    // the workflows woken here are activated by this worker while their rows are locked
    // (nobody else needs to hear of those)
    if (dispatch?.activate) await this.activateWoken(tx, deliveries, dispatch, budget);
    else await this.deliver(tx, deliveries);
    return { written: items.map((i) => written.has(i.type === "complete" ? i.id : i.write.id)), tasks: budget.dispatched };
  }

  /** Which of these (id, claim token) pairs are still running under that claim. */
  async heldClaims(claims: { id: string; token: string }[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const r = await this.driver.query<{ id: string }>(this.sql.HeldClaims, [claims.map((c) => c.id), claims.map((c) => c.token)]);
    return new Set(r.rows.map((row) => row.id));
  }

  /**
   * Delivers settlements, activating here the workflows they wake that this worker can run:
   * their rows are locked and read with their inbox in one statement (WakeLock), the
   * settlements are handed to the activation directly (never written to the inbox and deleted
   * again), and the row is written once, with the outcome (ActivationsSettleInline) — instead of
   * Wake, InboxInsert, ClaimIds, InboxFor, ActivationsSettle and InboxConsume. The rest (running
   * elsewhere, finished, not loaded here, over INLINE_ACTIVATIONS, or whose activation failed)
   * are delivered as usual, and workers hear of them.
   *
   * With settleInline, a step of S4 (one workflow of 2,000 sequential no-op tasks) is 5 worker
   * statements instead of 11: BEGIN, TasksComplete, WakeLock, ActivationsSettleInline, COMMIT.
   * Measured on the shared 2-core machine (busy with other work: absolute figures are high),
   * 4 interleaved runs each of `node bench/run.mjs --rounds 1 --only rhythm --scenarios s4
   * --no-write`, medians: ms per step over the whole run 6.28 → 4.58, last 100 steps 5.63 → 3.95,
   * first 100 steps 8.31 → 5.08; S3 10-step (3 interleaved runs each) 3,313 → 4,139 steps/s.
   * Tried and dropped (no measurable gain in the same A/B, 4.58 against 4.60 ms per step):
   * TasksComplete and WakeLock in one statement (4 statements per step); leaving run_at alone on
   * a suspended row so its update could be HOT (4.95 against 4.86).
   */
  private async activateWoken(tx: Queryable, deliveries: Delivery[], dispatch: Dispatch, budget: DispatchBudget): Promise<void> {
    if (deliveries.length === 0) return;
    const targets = [...new Set(deliveries.map((d) => d.executionId))];
    let rows = (await tx.query<LockedRow>(this.sql.WakeLock, [targets])).rows;
    // read again once every row is held: a row that changed after the statement's snapshot had
    // its inbox read in that snapshot (the row lock waited for a delivery, or an activation)
    if (rows.some((r) => r.stale)) rows = (await tx.query<LockedRow>(this.sql.WakeLock, [targets])).rows;
    const taken = new Map<string, Claimed>();
    for (const r of rows) {
      if (taken.size >= INLINE_ACTIVATIONS) break;
      if (r.kind !== "workflow" || !(r.status === "suspended" || (r.status === "queued" && r.due))) continue;
      if (!dispatch.takesWorkflow(r.queue, r.name, r.version)) continue;
      taken.set(r.id, {
        id: r.id,
        kind: "workflow",
        name: r.name,
        version: r.version,
        queue: r.queue,
        inputs: r.inputs,
        attempt: Math.max(r.attempt, 1),
        max_attempts: r.max_attempts,
        backoff: r.backoff,
        timeout_ms: r.timeout_ms,
        parent_id: r.parent_id,
        // never written: the row lock is the claim (ActivationsSettleInline matches no token)
        claim_token: randomUUID(),
        state: r.state,
        wakeups: r.wakeups,
        started_at: r.started_at,
        db_now: Math.floor(Number(r.db_now)),
        inbox: r.inbox ?? [],
      });
    }
    const direct = new Map<string, Delivery[]>();
    const rest: Delivery[] = [];
    let seq = 0;
    for (const d of deliveries) {
      const c = taken.get(d.executionId);
      if (!c) {
        rest.push(d);
        continue;
      }
      // after what the inbox held (it arrived earlier), in delivery order; a negative seq is
      // no inbox row (InboxConsume leaves it out)
      c.inbox.push({ seq: String(--seq), execution_id: d.executionId, handle: d.handle, ok: d.ok, value: d.value ?? null });
      c.wakeups++;
      direct.set(d.executionId, [...(direct.get(d.executionId) ?? []), d]);
    }
    await this.deliver(tx, rest);
    if (taken.size === 0) return;
    const writes = await dispatch.activate!([...taken.values()]);
    const kept = new Set(writes.map((w) => w.id));
    // an activation that could not run here: its settlements go to its inbox after all
    await this.deliver(
      tx,
      [...taken.keys()].filter((id) => !kept.has(id)).flatMap((id) => direct.get(id)!),
    );
    const inline = new Map(writes.map((w) => [w.id, direct.get(w.id)!.length]));
    const more: Delivery[] = [];
    await this.writeActivations(tx, writes, more, dispatch, budget, inline);
    await this.deliver(tx, more);
  }

  /**
   * Settles activations whose claim is still held and writes their effects; collects what they
   * deliver to parents and which of them finished. Returns the ids written.
   */
  private async writeActivations(
    tx: Queryable,
    activations: ActivationWrite[],
    deliveries: Delivery[],
    dispatch: Dispatch | null,
    budget: DispatchBudget,
    /** Activations run in this transaction on rows it locked (see activateWoken): settlements handed over by id. */
    inline: Map<string, number> | null = null,
  ): Promise<string[]> {
    if (activations.length === 0) return [];
    const rows = activations.map((w) => ({
      id: w.id,
      token: w.claimToken,
      n: inline?.get(w.id) ?? 0,
      wakeups: w.wakeups,
      status: w.outcome.status,
      state: w.outcome.status === "suspended" ? w.outcome.state : null,
      waits: w.outcome.status === "suspended" ? w.outcome.waits : null,
      output: w.outcome.status === "completed" ? (w.outcome.output ?? null) : null,
      error: w.outcome.status === "failed" ? w.outcome.error : null,
    }));
    let settledRows: (ParentRow & { id: string })[];
    if (inline) settledRows = await this.settleInline(tx, activations, rows, dispatch!, budget);
    else settledRows = (await tx.query<ParentRow & { id: string }>(this.sql.ActivationsSettle, [JSON.stringify(rows)])).rows;
    const settled = new Map(settledRows.map((row) => [row.id, row]));
    const live = activations.filter((w) => settled.has(w.id));
    await this.writeEffects(tx, live, inline ? null : dispatch, budget, inline === null);
    const ended: string[] = [];
    for (const w of live) {
      if (w.outcome.status === "suspended") continue;
      ended.push(w.id);
      const parent = settled.get(w.id)!;
      if (parent.parent_id && parent.parent_handle !== null) {
        const ok = w.outcome.status === "completed";
        deliveries.push({
          executionId: parent.parent_id,
          handle: parent.parent_handle,
          ok,
          value: ok ? ((w.outcome as { output: unknown }).output ?? null) : w.parentError,
        });
      }
    }
    if (ended.length > 0) await tx.query(this.sql.DropAllWaits, [ended]);
    await this.notifyFinished(tx, ended);
    return live.map((w) => w.id);
  }

  /**
   * ActivationsSettleInline: the activations' rows written, the executions they start inserted
   * (tasks this worker can take already claimed by it), and the notifications so far sent, in
   * one statement. Every activation given holds its row (WakeLock), so each is settled.
   */
  private async settleInline(
    tx: Queryable,
    activations: ActivationWrite[],
    rows: unknown[],
    dispatch: Dispatch,
    budget: DispatchBudget,
  ): Promise<(ParentRow & { id: string })[]> {
    const enqueue = activations.flatMap((w) => w.enqueue);
    const claims = this.dispatchable(enqueue, dispatch, budget);
    const enqueueRows = await this.enqueueRows(tx, enqueue, claims, dispatch);
    await this.notifyQueues(
      tx,
      enqueue.filter((i) => !claims.has(i)).map((i) => i.queue ?? "default"),
    );
    const r = await tx.query<{ settled: (ParentRow & { id: string })[]; inserted: string[] }>(this.sql.ActivationsSettleInline, [
      JSON.stringify(rows),
      dispatch.workerId,
      JSON.stringify(enqueueRows),
      this.channel,
      this.takeNotes(tx),
    ]);
    const { settled, inserted } = r.rows[0];
    if (settled.length !== activations.length)
      throw new Error(`${activations.length - settled.length} activations lost the row lock of their own transaction`);
    const ids = await this.insertedIds(tx, enqueueRows, new Set(inserted));
    enqueue.forEach((item, n) => {
      const token = claims.get(item);
      if (token !== undefined) budget.dispatched.push(dispatchedTask(item, ids[n], token));
    });
    return settled;
  }

  /** What live activations produced, each kind of effect in one statement for the whole batch. */
  private async writeEffects(
    tx: Queryable,
    live: ActivationWrite[],
    dispatch: Dispatch | null,
    budget: DispatchBudget,
    /** false: the executions they start were inserted with their settlement (settleInline). */
    enqueuing = true,
  ): Promise<void> {
    const rebuffered: string[] = [];
    for (const w of live) {
      // signals delivered to waits that had given up their place go back to the buffer (rare)
      if (w.ignored.length > 0 && w.consumed.length > 0) {
        const r = await tx.query(this.sql.SignalRebuffer, [w.id, w.ignored, w.consumed]);
        if (r.rowCount > 0) rebuffered.push(w.id);
      }
      if (w.dropped.length > 0) await tx.query(this.sql.DropHandles, [w.id, w.dropped]);
    }
    // negative seqs were handed over directly, never in the inbox (activateWoken)
    const consumed = live.flatMap((w) => w.consumed).filter((seq) => Number(seq) > 0);
    if (consumed.length > 0) await tx.query(this.sql.InboxConsume, [consumed]);
    const enqueue = enqueuing ? live.flatMap((w) => w.enqueue) : [];
    if (enqueue.length > 0) {
      const claims = dispatch ? this.dispatchable(enqueue, dispatch, budget) : new Map<EnqueueItem, string>();
      const ids = await this.insert(tx, enqueue, claims, dispatch);
      await this.notifyQueues(
        tx,
        enqueue.filter((i) => !claims.has(i)).map((i) => i.queue ?? "default"),
      );
      enqueue.forEach((item, n) => {
        const token = claims.get(item);
        if (token !== undefined) budget.dispatched.push(dispatchedTask(item, ids[n], token));
      });
    }
    const timers = live.flatMap((w) => w.timers.map((t) => ({ execution_id: w.id, ...t })));
    if (timers.length > 0) {
      await tx.query(this.sql.TimerInsert, [JSON.stringify(timers)]);
      await this.notify(tx, "t");
    }
    const waits = live.flatMap((w) => w.signalWaits.map((x) => ({ execution_id: w.id, ...x })));
    if (waits.length > 0) await tx.query(this.sql.WaitInsert, [JSON.stringify(waits)]);
    const logs = live.flatMap((w) => w.logs.map((l) => ({ execution_id: w.id, ...l })));
    if (logs.length > 0) await tx.query(this.sql.LogInsert, [JSON.stringify(logs)]);
    const matching = live
      .filter((w) => w.outcome.status === "suspended" && (w.signalWaits.length > 0 || rebuffered.includes(w.id)))
      .map((w) => w.id);
    await this.matchSignals(tx, matching);
  }

  /** Tasks the dispatching worker takes at once (claim tokens by item), within its free slots. */
  private dispatchable(items: EnqueueItem[], dispatch: Dispatch, budget: DispatchBudget): Map<EnqueueItem, string> {
    const claims = new Map<EnqueueItem, string>();
    for (const i of items) {
      if (budget.tasks <= 0) break;
      // delayed, deduplicated or someone else's: queued as usual
      if (i.kind !== "task" || i.runAt != null || (i.delayMs ?? 0) > 0 || i.idempotencyKey) continue;
      if (!dispatch.takesTask(i.name, i.queue ?? "default")) continue;
      claims.set(i, randomUUID());
      budget.tasks--;
    }
    return claims;
  }

  /** Puts settlements in workflows' inboxes (in the order given) and makes them runnable. */
  private async deliver(tx: Queryable, items: Delivery[], notify = true): Promise<Woken[]> {
    if (items.length === 0) return [];
    const woken = await tx.query<Woken>(this.sql.Wake, [items.map((i) => i.executionId)]);
    // A workflow that has finished (a fire-and-forget task outliving it) will never read its
    // inbox again: nothing is written for it.
    const live = new Set(woken.rows.map((r) => r.id));
    const rows = items
      .filter((i) => live.has(i.executionId))
      .map((i) => ({
        execution_id: i.executionId,
        handle: i.handle,
        ok: i.ok,
        value: i.value ?? null,
        signal_name: i.signal?.name ?? null,
        signal_seq: i.signal?.seq ?? null,
      }));
    if (rows.length > 0) await tx.query(this.sql.InboxInsert, [JSON.stringify(rows)]);
    if (notify) await this.notifyWoken(tx, woken.rows);
    return woken.rows;
  }

  /** Workers serving their queues hear of workflows made runnable. */
  private async notifyWoken(tx: Queryable, woken: Woken[]): Promise<void> {
    await this.notifyQueues(
      tx,
      woken.filter((r) => r.status === "queued").map((r) => r.queue),
    );
  }

  /** Gives buffered signals to waits, oldest wait first (FIFO on both sides), for each workflow. */
  private async matchSignals(tx: Queryable, executionIds: string[]): Promise<void> {
    let ids = executionIds;
    while (ids.length > 0) {
      const m = await tx.query<{
        execution_id: string;
        wait_seq: string;
        handle: number;
        name: string;
        signal_seq: string;
        payload: unknown;
      }>(this.sql.SignalMatch, [ids]);
      for (const x of m.rows) await tx.query(this.sql.SignalConsume, [x.wait_seq, x.signal_seq, x.execution_id, x.handle]);
      await this.deliver(
        tx,
        m.rows.map((x) => ({
          executionId: x.execution_id,
          handle: x.handle,
          ok: true,
          value: x.payload,
          signal: { name: x.name, seq: x.signal_seq },
        })),
      );
      // a workflow that got a signal may have another wait with another buffered signal
      ids = m.rows.map((x) => x.execution_id);
    }
  }

  /**
   * Tells clients waiting on these executions that they finished. Ids are packed into as few
   * notifications as fit (a NOTIFY payload is under 8,000 bytes): each notification costs every
   * listening session a wake-up, and one per execution would cost one per task.
   */
  private async notifyFinished(tx: Queryable, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += FINISHED_PER_NOTIFY)
      await this.notify(tx, `d:${ids.slice(i, i + FINISHED_PER_NOTIFY).join(",")}`);
  }

  // ── timers ────────────────────────────────────────────────────────────────────────────────

  /** Fires up to `limit` due timers; returns how many fired. */
  async fireTimers(limit: number): Promise<number> {
    return this.transaction(async (tx) => {
      const due = await tx.query<{ execution_id: string; handle: number; kind: string }>(this.sql.TimersDue, [limit]);
      const deliveries: Delivery[] = [];
      for (const t of due.rows) {
        if (t.kind === "timer") deliveries.push({ executionId: t.execution_id, handle: t.handle, ok: true, value: null });
        else {
          const w = await tx.query<{ name: string }>(this.sql.WaitDelete, [t.execution_id, t.handle]);
          if (w.rows.length === 0) continue; // the signal won the race
          const name = w.rows[0].name;
          deliveries.push({
            executionId: t.execution_id,
            handle: t.handle,
            ok: false,
            value: signalTimeoutError(name),
          });
        }
      }
      await this.deliver(tx, deliveries);
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
      await tx.query(this.sql.SignalSend, [id, name, JSON.stringify(payload ?? null), this.channel]);
      return row;
    });
  }

  /**
   * Many signals in one transaction: every target is locked and checked first, and when one is
   * not a live workflow nothing is written and its row (or null when it does not exist) is
   * returned as `refused`. Signals to one workflow keep their order.
   */
  async signalMany(
    items: { id: string; name: string; payload: unknown }[],
  ): Promise<{ refused: { id: string; row: { kind: string; status: string } | null } | null }> {
    const bad = items.find((i) => !isExecutionId(i.id));
    if (bad) return { refused: { id: bad.id, row: null } };
    if (items.length === 0) return { refused: null };
    return this.transaction(async (tx) => {
      const ids = [...new Set(items.map((i) => i.id))];
      const rows = new Map(
        (await tx.query<{ id: string; kind: string; status: string }>(this.sql.LockExecutions, [ids])).rows.map((r) => [r.id, r]),
      );
      for (const i of items) {
        const row = rows.get(i.id);
        if (!row || row.kind !== "workflow" || ["completed", "failed", "cancelled"].includes(row.status))
          return { refused: { id: i.id, row: row ?? null } };
      }
      // rounds in which each workflow appears once, in the order its signals were given
      let rest = items;
      while (rest.length > 0) {
        const seen = new Set<string>();
        const round = [];
        const later = [];
        for (const i of rest) {
          if (seen.has(i.id)) later.push(i);
          else {
            seen.add(i.id);
            round.push({ execution_id: i.id, name: i.name, payload: i.payload ?? null });
          }
        }
        const woken = await tx.query<{ queue: string }>(this.sql.SignalSendMany, [JSON.stringify(round)]);
        await this.notifyQueues(
          tx,
          woken.rows.map((r) => r.queue),
        );
        rest = later;
      }
      return { refused: null };
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
    await this.notifyFinished(tx, [row.id]);
    if (row.parent_id && row.parent_handle !== null)
      await this.deliver(tx, [{ executionId: row.parent_id, handle: row.parent_handle, ok: false, value: parentError }]);
  }

  async requeueExpired(tx: Queryable, row: ExpiredRow): Promise<void> {
    await tx.query(this.sql.Release, [row.id, row.claim_token]);
    await this.notifyQueues(tx, ["*"]);
  }

  // ── cancellation ──────────────────────────────────────────────────────────────────────────

  /** Cancels an execution and everything it started that is still going; returns the ids. */
  async cancel(id: string): Promise<string[] | null> {
    if (!isExecutionId(id)) return null;
    return this.transaction(async (tx) => {
      const exists = await tx.query(this.sql.LockExecution, [id]);
      if (exists.rows.length === 0) return null;
      const cancelled: string[] = [];
      const visit = async (execId: string, root: boolean) => {
        const r = await tx.query<{ kind: string; parent_id: string | null; parent_handle: number | null; name: string }>(
          this.sql.Cancel,
          [execId, JSON.stringify(cancelledError(`execution ${execId} was cancelled`))],
        );
        if (r.rows.length === 0) return;
        cancelled.push(execId);
        await tx.query(this.sql.DropAllWaits, [[execId]]);
        await this.notify(tx, `c:${execId}`);
        await this.notifyFinished(tx, [execId]);
        const { kind, parent_id, parent_handle, name } = r.rows[0];
        // The workflow that started the cancelled root learns of it; children cancelled along
        // with their parent have nobody left to tell.
        if (root && parent_id && parent_handle !== null)
          await this.deliver(tx, [
            {
              executionId: parent_id,
              handle: parent_handle,
              ok: false,
              value: cancelledError(`${kind} "${name}" was cancelled`),
            },
          ]);
        const children = await tx.query<{ id: string }>(this.sql.Children, [execId]);
        for (const c of children.rows) await visit(c.id, false);
      };
      await visit(id, true);
      return cancelled;
    });
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  /** One execution; `explain` also says what blocks it (Execution.blocked: two more reads). */
  async get(id: string, explain = true): Promise<Execution | null> {
    if (!isExecutionId(id)) return null;
    const r = await this.driver.query<ExecutionRow>(this.sql.Get, [id]);
    if (!r.rows[0]) return null;
    const e = toExecution(r.rows[0]);
    if (explain) await this.explainBlocked([e]);
    return e;
  }

  // ── workers (see workers.ts) ──────────────────────────────────────────────────────────────

  /** Writes a worker's row (at start, then every WORKER_BEAT_MS); losing one write is harmless. */
  async workerBeat(id: string, queues: string[], tasks: string[]): Promise<void> {
    await this.driver.relaxedQuery(this.sql.WorkerBeat, [id, queues, tasks]);
  }

  async workerGone(id: string): Promise<void> {
    await this.driver.query(this.sql.WorkerGone, [id]);
  }

  /** The workers that have written their row within WORKER_LIVE_MS, oldest first. */
  async liveWorkers(): Promise<LiveWorker[]> {
    const r = await this.driver.query<{ id: string; queues: string[]; tasks: string[]; started_at: Date; seen_at: Date }>(
      this.sql.LiveWorkers,
      [WORKER_LIVE_MS],
    );
    return r.rows.map((w) => ({
      id: w.id,
      queues: w.queues,
      tasks: w.tasks,
      startedAt: new Date(w.started_at).toISOString(),
      seenAt: new Date(w.seen_at).toISOString(),
    }));
  }

  /** Says, on the executions given, which ones no running worker will move (Execution.blocked). */
  private async explainBlocked(list: Execution[]): Promise<void> {
    const suspended = list.filter((e) => e.status === "suspended").map((e) => e.id);
    if (suspended.length === 0 && !list.some((e) => e.status === "queued")) return;
    const children =
      suspended.length === 0
        ? []
        : (
            await this.driver.query<{ id: string; kind: "workflow" | "task"; name: string; queue: string; parent_id: string }>(
              this.sql.QueuedChildren,
              [suspended],
            )
          ).rows.map((c) => ({ id: c.id, kind: c.kind, name: c.name, queue: c.queue, parentId: c.parent_id }));
    explainBlocked(list, await this.liveWorkers(), children);
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
    const list = r.rows.map(toExecution);
    await this.explainBlocked(list);
    return list;
  }
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
