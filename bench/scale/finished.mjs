// Scale 3 — a table full of history: S1 (no-op tasks) and S3 (10-step workflows) with one worker on
// an empty table, then on one holding 10M completed tasks that finished over the last 30 days
// (fill.mjs; VACUUM ANALYZE after), without retention and then with the worker's retention
// (`retention: { completed: "7d" }`, docs/schedules.md) deleting the older 77 % while it runs.
// The worker is started first and the work queued in one call after, so a run is timed from its
// first handler start to its last completion committed, counted among rows created since it was
// queued (an index range, not a count over 10M rows).

import { databaseSize } from "../lib/databases.mjs";
import { sleep, until } from "../lib/clock.mjs";
import { claimStats, now, startWorkers, waitForCount, withDatabase } from "./common.mjs";
import { fillFinished } from "./fill.mjs";

const RETENTION = { completed: "7d" };
const DONE_SINCE = {
  s1: "select count(*) from rhythm.executions where status = 'completed' and created_at >= $1 and kind = 'task'",
  s3: "select count(*) from rhythm.executions where status = 'completed' and created_at >= $1 and kind = 'workflow'",
};
const DELETED = "select coalesce(n_tup_del, 0) from pg_stat_user_tables where relid = 'rhythm.executions'::regclass";
const OLD = "select count(*) from rhythm.executions where status = 'completed' and finished_at < now() - interval '7 days'";

/** One S1 and one S3 run against a worker that is already up; rows deleted meanwhile. */
async function runBoth(rhythm, monitor, workers, size) {
  const out = {};
  for (const kind of ["s1", "s3"]) {
    const since = (await monitor.pool.query("select now() as t")).rows[0].t;
    const before = await workers.progress();
    const deleted0 = await monitor.value(DELETED);
    const n = kind === "s1" ? size.finishedS1Tasks : size.finishedS3Workflows;
    const steps = kind === "s1" ? 1 : 10;
    if (kind === "s1")
      await rhythm.queueTasks(
        "bench-task",
        Array.from({ length: n }, (_, i) => ({ i })),
      );
    else
      await rhythm.startWorkflows(
        "bench_steps",
        Array.from({ length: n }, () => ({ steps })),
      );
    // the first handler start of this run: the worker's call count moves past what it was
    const first = await until(
      async () => {
        const p = await workers.progress();
        return p.calls > before.calls ? now() : null;
      },
      { everyMs: 2, what: "the first handler start" },
    );
    const end = await waitForCount(monitor, DONE_SINCE[kind], n, { params: [since], everyMs: 20 });
    await sleep(600); // the stats collector's delay, so deletions in the window are counted
    out[kind] = { rate: (n * steps) / ((end - first) / 1000), deletedDuring: (await monitor.value(DELETED)) - deleted0 };
    await sleep(300);
  }
  const [report] = await workers.reports();
  out.claimMs = claimStats([report]).meanMs;
  return out;
}

async function measure(db, rhythm, monitor, size, retention) {
  const workers = await startWorkers(1, db.url, retention ? { retention: RETENTION } : {});
  try {
    if (retention) {
      // retention's first run starts within 5 s of the worker: measure inside its burst of batches
      const d0 = await monitor.value(DELETED);
      await until(async () => (await monitor.value(DELETED)) > d0, {
        everyMs: 200,
        timeoutMs: 30_000,
        what: "retention to delete",
      });
    }
    await workers.reports(); // start-up statements are not the runs'
    return await runBoth(rhythm, monitor, workers, size);
  } finally {
    await workers.stop();
  }
}

export default {
  id: "finished",
  title: "S1 and S3 with 10M finished executions",
  async run(size, log) {
    // the empty table's database stays up beside the full one, so the three cases interleave
    return withDatabase((blank) =>
      withDatabase(async ({ db, rhythm, monitor }) => {
        const t = now();
        await fillFinished(db.url, size.finishedRows);
        const fillSeconds = (now() - t) / 1000;
        const databaseMB = (await databaseSize(db.name)) / 2 ** 20;
        log(`  ${size.finishedRows} finished rows in ${fillSeconds.toFixed(0)} s (${Math.round(databaseMB)} MB)`);
        const old0 = await monitor.value(OLD);
        const [empty, full, pruned] = [[], [], []];
        let pruneMs = 0;
        // interleaved: empty, full without retention, full with it (each worker's retention starts a burst of its own)
        for (let i = 0; i < size.finishedRounds; i++) {
          empty.push(await measure(blank.db, blank.rhythm, blank.monitor, size, false));
          full.push(await measure(db, rhythm, monitor, size, false));
          const t1 = now();
          pruned.push(await measure(db, rhythm, monitor, size, true));
          pruneMs += now() - t1;
        }
        const old1 = await monitor.value(OLD);
        log(`  empty table: S1 ${rates(empty, "s1")} tasks/s, S3 ${rates(empty, "s3")} steps/s`);
        log(`  without retention: S1 ${rates(full, "s1")} tasks/s, S3 ${rates(full, "s3")} steps/s`);
        log(
          `  with retention: S1 ${rates(pruned, "s1")} tasks/s, S3 ${rates(pruned, "s3")} steps/s (${old0 - old1} rows deleted)`,
        );
        return {
          rows: size.finishedRows,
          fillSeconds,
          databaseMB,
          empty: mean(empty),
          full: mean(full),
          pruned: { ...mean(pruned), deleted: old0 - old1, eligible: old0, deletedPerSecond: (old0 - old1) / (pruneMs / 1000) },
          rounds: size.finishedRounds,
        };
      }),
    );
  },
};

const rates = (runs, kind) => runs.map((r) => Math.round(r[kind].rate)).join(", ");
const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The mean of rounds (two, interleaved), each figure. */
function mean(runs) {
  const of = (kind) => ({ rate: avg(runs.map((r) => r[kind].rate)), deletedDuring: avg(runs.map((r) => r[kind].deletedDuring)) });
  return { s1: of("s1"), s3: of("s3"), claimMs: avg(runs.map((r) => r.claimMs)), each: runs };
}
