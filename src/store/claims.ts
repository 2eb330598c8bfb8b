// Claiming runnable executions (FOR UPDATE SKIP LOCKED) with the inbox of claimed workflows, lease
// renewals, and claims given back. Every Claimed is built here, by claimedOf.

import { isTransientError } from "../shared/postgres-errors.js";
import type { Db } from "./db.js";
import type { Claimed, InboxItem } from "./types.js";

/** A row as Claim returns it (pg's numeric comes as a string). */
type ClaimedRow = Omit<Claimed, "db_now" | "inbox" | "waited_ms"> & {
  db_now: string | number | null;
  waited_ms: string | number | null;
};

/**
 * A claimed row as an object of one fixed shape, `inbox` empty. pg's rows are hash-table
 * ("dictionary mode") objects: copied or given one more property each cost ~0.8 KB of garbage, and
 * every read a hash lookup (S1 worker CPU 28.9 → 24.5 µs per task: docs/benchmarks.md).
 */
export function claimedOf(r: ClaimedRow): Claimed {
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
    root_id: r.root_id,
    claim_token: r.claim_token,
    state: r.state,
    wakeups: r.wakeups,
    started_at: r.started_at,
    db_now: r.db_now === null ? null : Math.floor(Number(r.db_now)),
    inbox: [],
    trace: r.trace,
    waited_ms: r.waited_ms === null ? 0 : Math.max(0, Number(r.waited_ms)),
    activation_failures: r.activation_failures ?? null,
    activation_error: r.activation_error ?? null,
  };
}

/** Claims up to `limit` runnable executions; claimed workflows come with their inbox. */
export async function claim(
  pool: Db,
  workerId: string,
  queues: string[],
  taskNames: string[],
  limit: number,
  leaseMs: number,
): Promise<Claimed[]> {
  const claimed: Claimed[] = [];
  // A row the database did not let this claim take (its concurrency key full: parked; its rate
  // limit spent: moved to the next window) comes back unclaimed, and it left the runnable set:
  // claim again for the room it took, so work behind it is not left waiting for the next poll.
  for (let room = limit; room > 0;) {
    const r = await pool.relaxed<ClaimedRow>("Claim", [queues, taskNames, room, workerId, leaseMs]);
    let undone = 0;
    for (const row of r.rows) {
      if (row.claim_token === null) undone++;
      else claimed.push(claimedOf(row));
    }
    if (undone === 0) break;
    room -= r.rows.length - undone;
  }
  const workflows = new Map<string, Claimed>();
  for (const c of claimed) if (c.kind === "workflow") workflows.set(c.id, c);
  // One read for every claimed workflow, after the claim committed: a settlement committed
  // before the claim is seen here (a read inside the claim statement could miss one whose
  // wakeup the claim already counted, and the workflow would suspend with it unread).
  // The claim is committed: if its inbox read failed for good, what it took would wait for its
  // lease to run out. A read is safe to repeat; after that the claims are given back.
  for (let attempt = 1; ; attempt++) {
    try {
      for (const item of await inbox(pool, [...workflows.keys()])) workflows.get(item.execution_id)!.inbox.push(item);
      return claimed;
    } catch (e) {
      if (attempt < 4 && isTransientError(e)) {
        await new Promise((r) => setTimeout(r, 50 * 4 ** attempt));
        continue;
      }
      for (const c of claimed) await release(pool, c.id, c.claim_token).catch(() => {});
      throw e;
    }
  }
}

/** The settlements waiting for these workflows, in arrival order. */
export async function inbox(db: Db, ids: string[]): Promise<InboxItem[]> {
  if (ids.length === 0) return [];
  return (await db.run<InboxItem>("InboxFor", [ids])).rows;
}

/** Extends a lease; `held` is false when the claim is gone, `cancelRequested` when cancelled. */
export async function heartbeat(
  pool: Db,
  id: string,
  token: string,
  leaseMs: number,
): Promise<{ held: boolean; cancelRequested: boolean }> {
  const r = await pool.relaxed<{ cancel_requested: boolean }>("Heartbeat", [id, token, leaseMs]);
  return { held: r.rows.length > 0, cancelRequested: r.rows[0]?.cancel_requested ?? true };
}

/** Gives a claim back without counting the attempt; does nothing when the claim is no longer held. */
export async function release(db: Db, id: string, token: string): Promise<void> {
  await db.run("Release", [id, token]);
}

/** A workflow's activation was lost (`reason`): its claim given back, counted on the row. */
export async function releaseLost(db: Db, id: string, token: string, reason: string): Promise<void> {
  const r = await db.run<{ queue: string }>("ReleaseLost", [id, token, reason]);
  if (r.rows.length > 0) await db.notifyQueues([r.rows[0].queue]);
}

/** Which of these (id, claim token) pairs are still running under that claim. */
export async function heldClaims(db: Db, claims: { id: string; token: string }[]): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const r = await db.run<{ id: string }>("HeldClaims", [claims.map((c) => c.id), claims.map((c) => c.token)]);
  return new Set(r.rows.map((row) => row.id));
}
