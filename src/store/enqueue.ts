// Enqueueing executions: the rows of the insert (ids made here, child workflows given the newest
// version of their name), and the ids answered (the first execution's for a repeated key).

import { randomUUID } from "node:crypto";
import type { Backoff } from "../shared/retries.js";
import type { ExecutionKind } from "../shared/statuses.js";
import type { Db } from "./db.js";
import type { EnqueueItem } from "./types.js";
import { newestVersion } from "./versions.js";

/** Enqueues up to this size go out as one statement with their NOTIFY (see enqueue). */
const SINGLE_STATEMENT_ENQUEUE = 100;

/** One row of Enqueue's input (see queries/enqueue.ts). */
export interface EnqueueRow {
  id: string;
  kind: ExecutionKind;
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
  /** Workflows: their `timeout` (migration 014). */
  run_timeout_ms: number | null;
  /** A debounced start (migration 015): `delay_ms` is its delay. */
  debounce_key: string | null;
  debounce_max_wait_ms: number | null;
  trace: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  rate_key: string | null;
  rate_limit: number | null;
  rate_per_ms: number | null;
  /** The run's root (docs/scale.md): a workflow's for its tasks and children; null for a client's start (its own id). */
  root_id: string | null;
}

/** An enqueued execution's id, and whether this enqueue inserted it (false: its idempotency key was taken). */
export interface Enqueued {
  id: string;
  created: boolean;
}

/**
 * Inserts executions; returns their ids (the existing id for a repeated key) and whether each
 * was inserted — the insert's own answer (`returning id`), no read more. A few with known
 * versions, outside a transaction of the caller's, are one statement with their NOTIFY (`pool`);
 * otherwise a transaction (`inTransaction`) or the caller's `db`. Not one statement for big
 * batches: there the CTE that carries the NOTIFY cost 40% more than a plain insert (20,000 tasks:
 * 1.2 s against 0.86 s), while four round trips are nothing.
 */
export async function enqueue(
  pool: Db,
  items: EnqueueItem[],
  inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  callers?: Db,
): Promise<Enqueued[]> {
  if (items.length === 0) return [];
  if (!callers && items.length <= SINGLE_STATEMENT_ENQUEUE && items.every((i) => i.kind === "task" || i.version)) {
    const rows = await enqueueRows(pool, items);
    const r = await pool.run<{ id: string }>("EnqueueAndNotify", [enqueueJson(rows), pool.channel]);
    return enqueued(pool, rows, new Set(r.rows.map((row) => row.id)));
  }
  const run = async (db: Db) => {
    const rows = await enqueueRows(db, items);
    const r = await db.run<{ id: string }>("Enqueue", [enqueueJson(rows)]);
    const ids = await enqueued(db, rows, new Set(r.rows.map((row) => row.id)));
    await notifyQueued(db, rows);
    return ids;
  };
  return callers ? run(callers) : inTransaction(run);
}

/**
 * What Enqueue's notifications say (see queuedNotes): per queue, that work is runnable now, and
 * how long until the earliest of the rest comes due (runAt read on this machine's clock: a skewed
 * one makes a worker wake early, find nothing and read the time again, or wake at its poll).
 */
async function notifyQueued(db: Db, rows: EnqueueRow[]): Promise<void> {
  const now = Date.now();
  const ready = new Set<string>();
  const later = new Map<string, number>();
  for (const row of rows) {
    const inMs = row.run_at !== null ? Date.parse(row.run_at) - now : row.delay_ms;
    if (inMs <= 0) ready.add(row.queue);
    else later.set(row.queue, Math.min(later.get(row.queue) ?? Infinity, inMs));
  }
  await db.notifyQueues(ready);
  for (const [queue, inMs] of later) await db.notifyDue(queue, inMs);
}

/**
 * Enqueue's parameter: the rows as JSON without their null fields, which json_to_recordset reads
 * as null anyway. A task row is mostly nulls: 20,000 of S1's took 10.3 MB as they were, 2.8 MB
 * so, and the enqueue 527 ms instead of 793 (docs/benchmarks.md, "The fastest queue").
 */
export function enqueueJson(rows: EnqueueRow[]): string {
  return JSON.stringify(rows.map(compactRow));
}

function compactRow(row: EnqueueRow): Partial<EnqueueRow> {
  const out: Record<string, unknown> = {};
  for (const key in row) {
    const value = row[key as keyof EnqueueRow];
    // (a null inside inputs is part of the value: only the row's own fields are left out)
    if (value !== null) out[key] = value;
  }
  return out as Partial<EnqueueRow>;
}

/** Enqueue's rows for these items; child workflows run the newest stored version of their name. */
export async function enqueueRows(db: Db, items: EnqueueItem[]): Promise<EnqueueRow[]> {
  const versions = new Map<string, string | null>();
  for (const i of items) {
    if (i.kind === "workflow" && !i.version && !versions.has(i.name)) versions.set(i.name, await newestVersion(db, i.name));
  }
  return items.map((i) => ({
    id: randomUUID(),
    kind: i.kind,
    name: i.name,
    version: i.version ?? versions.get(i.name) ?? null,
    queue: i.queue ?? "default",
    priority: i.priority ?? 0,
    run_at: i.runAt != null && !i.debounce ? new Date(i.runAt).toISOString() : null,
    delay_ms: i.debounce ? i.debounce.delayMs : (i.delayMs ?? 0),
    inputs: i.inputs ?? null,
    // null: the worker that runs the task applies its registration's retries (default 3)
    max_attempts: i.maxAttempts ?? null,
    backoff: i.backoff ?? null,
    timeout_ms: i.timeoutMs ?? null,
    parent_id: i.parentId ?? null,
    parent_handle: i.parentHandle ?? null,
    idempotency_key: i.idempotencyKey ?? null,
    // a debounced start waits its delay: never inserted claimed
    claim_token: i.debounce ? null : (i.claim?.token ?? null),
    worker_id: i.debounce ? null : (i.claim?.workerId ?? null),
    lease_ms: i.claim?.leaseMs ?? null,
    run_timeout_ms: i.runTimeoutMs ?? null,
    debounce_key: i.debounce?.key ?? null,
    debounce_max_wait_ms: i.debounce?.maxWaitMs ?? null,
    trace: i.trace ?? null,
    concurrency_key: i.concurrency?.key ?? null,
    concurrency_limit: i.concurrency?.limit ?? null,
    rate_key: i.rateLimit?.key ?? null,
    rate_limit: i.rateLimit?.limit ?? null,
    rate_per_ms: i.rateLimit?.perMs ?? null,
    root_id: i.rootId ?? null,
  }));
}

/** The id of each row: its own when inserted, the first execution's when its idempotency key was taken. */
export async function insertedIds(db: Db, rows: EnqueueRow[], inserted: Set<string>): Promise<string[]> {
  return (await enqueued(db, rows, inserted)).map((e) => e.id);
}

/** Each row's id and whether it was inserted (`inserted`: the ids the insert returned). */
async function enqueued(db: Db, rows: EnqueueRow[], inserted: Set<string>): Promise<Enqueued[]> {
  const out: Enqueued[] = [];
  for (const row of rows) {
    if (inserted.has(row.id)) out.push({ id: row.id, created: true });
    else {
      // the idempotency key was taken: the first execution's id is the answer
      const r = await db.run<{ id: string }>("ByIdempotencyKey", [row.kind, row.name, row.idempotency_key]);
      out.push({ id: r.rows[0].id, created: false });
    }
  }
  return out;
}
