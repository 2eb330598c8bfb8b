// Set-based fills of the executions table for the scale scenarios: N queued tasks (a backlog) or N
// finished ones (history), each one INSERT … SELECT from generate_series in the shape enqueue_v1 and
// a completed task leave. For the history, the indexes other than the primary key are dropped
// first and built again after (a sorted build beats 10M random index inserts), so the table ends
// with exactly the product's schema; then VACUUM ANALYZE, as a long-lived table would be.

import pg from "pg";

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `n` queued no-op tasks, as queueTasks("bench-task", [{ i }…]) would insert them. */
export function fillQueued(url, n) {
  return withClient(url, async (c) => {
    await c.query(
      `insert into rhythm.executions (id, kind, name, status, queue, priority, run_at, inputs)
       select gen_random_uuid(), 'task', 'bench-task', 'queued', 'default', 0, now(), json_build_object('i', g)
       from generate_series(1, $1::int) g`,
      [n],
    );
    await c.query("vacuum analyze rhythm.executions");
  });
}

/**
 * `n` completed tasks that finished over the last `days` days, oldest first (a finished bench-task
 * row: inputs, output null, one attempt, started and finished a few ms after it was created).
 */
export function fillFinished(url, n, days = 30) {
  return withClient(url, async (c) => {
    await c.query("set maintenance_work_mem = '1GB'");
    const { rows } = await c.query(
      "select indexname, indexdef from pg_indexes where schemaname = 'rhythm' and tablename = 'executions' and indexname <> 'executions_pkey'",
    );
    for (const r of rows) await c.query(`drop index rhythm."${r.indexname}"`);
    await c.query(
      `insert into rhythm.executions (id, kind, name, status, queue, run_at, inputs, output, attempt, created_at, started_at, finished_at)
       select gen_random_uuid(), 'task', 'bench-task', 'completed', 'default', t, json_build_object('i', g), 'null'::json, 1,
              t, t + interval '2 ms', t + interval '3 ms'
       from generate_series(1, $1::int) g, lateral (select now() - ($2::float8 * 86400 * (1 - g::float8 / $1)) * interval '1 second' as t) x`,
      [n, days],
    );
    for (const r of rows) await c.query(r.indexdef);
    await c.query("vacuum analyze rhythm.executions");
  });
}
