// Debounced starts (SPEC §9, migration 015): each is one statement (DebounceEnqueue), in the order
// given, since two rows with one key cannot both be decided by one INSERT … ON CONFLICT DO UPDATE.
// Concurrent starts with a key serialize on its entry in executions_debounce; a start that
// finds the holder claimed meanwhile (it left the index) inserts the next execution.

import type { Db } from "./db.js";
import { enqueueJson, enqueueRows, insertedIds, type Enqueued, type EnqueueRow } from "./enqueue.js";
import type { EnqueueItem } from "./types.js";

/** One debounced row: its id (the holder's when one held the key) and whether it was inserted. */
async function debounceOne(db: Db, row: EnqueueRow): Promise<Enqueued> {
  const r = await db.run<{ id: string; created: boolean }>("DebounceEnqueue", [JSON.stringify([row]), db.channel]);
  return { id: r.rows[0].id, created: r.rows[0].created };
}

/** Enqueues items of which some are debounced, in order: one statement alone on `pool`, else a transaction (or the caller's). */
export async function enqueueDebounced(
  pool: Db,
  items: EnqueueItem[],
  inTransaction: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  callers?: Db,
): Promise<Enqueued[]> {
  const run = async (db: Db) => {
    const out: Enqueued[] = [];
    for (const row of await enqueueRows(db, items)) {
      if (row.debounce_key !== null) out.push(await debounceOne(db, row));
      else {
        const r = await db.run<{ id: string }>("Enqueue", [enqueueJson([row])]);
        const [id] = await insertedIds(db, [row], new Set(r.rows.map((x) => x.id)));
        if (id === row.id)
          await db.notifyDue(row.queue, row.run_at !== null ? Date.parse(row.run_at) - Date.now() : row.delay_ms);
        out.push({ id, created: id === row.id });
      }
    }
    return out;
  };
  if (!callers && items.length === 1) return run(pool);
  return callers ? run(callers) : inTransaction(run);
}

/**
 * The ids of what one activation started (`own`, inserted by ActivationsSettle but for the
 * debounced ones, which are upserted here in order): a debounced call whose key was held gets
 * the holder's id, and awaits it as a call whose idempotency key was taken does.
 */
export async function startedIds(db: Db, own: EnqueueRow[], inserted: Set<string>): Promise<string[]> {
  if (own.every((r) => r.debounce_key === null)) return insertedIds(db, own, inserted);
  const ids: string[] = [];
  for (const row of own)
    ids.push(row.debounce_key !== null ? (await debounceOne(db, row)).id : (await insertedIds(db, [row], inserted))[0]);
  return ids;
}
