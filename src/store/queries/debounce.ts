// `debounce: { key, delay, maxWait? }` (migration 015): a start whose key an execution that has
// not started yet holds replaces that execution's inputs and moves its run_at instead.

import { enqueueFrom, queuedNotes } from "./enqueue.js";

/** The conflict on executions_debounce: the holder takes the new inputs and runs at now + delay, capped at its debounce_until. */
const DEBOUNCE_CONFLICT = `
    on conflict (kind, name, debounce_key) where debounce_key is not null and status = 'queued' and started_at is null
    do update set inputs = excluded.inputs,
                  run_at = least(excluded.run_at, coalesce(executions.debounce_until, 'infinity'::timestamptz))`;

export const DEBOUNCE_QUERIES = {
  // One debounced start ($1: one row, as Enqueue's) and, when it inserted, its due time's NOTIFY
  // on $2. A moved run_at is only ever later (now + delay, or the cap), so workers that knew the
  // earlier time wake, find nothing and read the next due time again. `created`: inserted here
  // (xmax 0), not the holder updated.
  DebounceEnqueue: `
    with up as (${enqueueFrom("$1", "", DEBOUNCE_CONFLICT)} returning id, queue, run_at, claim_token, xmax = 0 as created),
    note as (select pg_notify($2, p) from (${queuedNotes("(select * from up where created) as fresh")}) as x(p))
    select id::text, created from up where (select count(*) from note) >= 0`,
} as const;
