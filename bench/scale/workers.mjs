// Scale 1 — worker processes on one Postgres: S1 (no-op tasks) and S3 (10-step workflows) drained by
// 1, 2, 4 and 8 worker processes at once, beside pgbench's simple-update with as many clients.
// The tasks or workflows are queued first, the workers started together; the rate is taken over
// the window from the moment every worker has run a handler to the last completion committed (so
// the start-up of 8 processes on 2 cores does not count), with the machine's CPU share in it.

import { pgbenchTps } from "../lib/pgbench.mjs";
import { sleep, until } from "../lib/clock.mjs";
import { SQL, busyShare, machineCpu, now, startWorkers, waitForCount, withDatabase } from "./common.mjs";

async function drain(k, size, kind) {
  return withDatabase(async ({ db, rhythm, monitor }) => {
    const steps = kind === "s3" ? 10 : 1;
    const n = kind === "s3" ? size.workersS3Workflows : size.workersS1Tasks;
    if (kind === "s3")
      await rhythm.startWorkflows(
        "bench_steps",
        Array.from({ length: n }, () => ({ steps })),
      );
    else
      await rhythm.queueTasks(
        "bench-task",
        Array.from({ length: n }, (_, i) => ({ i })),
      );
    const sql = kind === "s3" ? SQL.doneWorkflows : SQL.doneTasks;
    const workers = await startWorkers(k, db.url);
    try {
      // the window opens when every worker runs handlers (or a tenth of the work is done: a worker
      // that got none by then is part of the result, not a reason to wait)
      await until(
        async () => {
          const p = await workers.progress();
          return p.each.every((w) => w.calls > 0) || p.calls >= (n * steps) / 10;
        },
        { everyMs: 5, timeoutMs: 60_000, what: "all workers busy" },
      );
      const [t0, cpu0, done0, calls0] = [now(), machineCpu(), await monitor.value(sql), (await workers.progress()).calls];
      const end = await waitForCount(monitor, sql, n);
      const cpu1 = machineCpu();
      const reports = await workers.reports();
      const calls = reports.reduce((s, r) => s + r.calls, 0);
      if (calls !== n * steps) throw new Error(`${kind} × ${k}: ${calls} handler calls for ${n * steps}`);
      const seconds = (end - t0) / 1000;
      const workerCpuMs = reports.reduce((s, r) => s + r.cpuMs, 0);
      return {
        workers: k,
        kind,
        units: n * steps,
        rate: ((n - done0) * steps) / seconds, // tasks/s or steps/s in the window
        windowShare: (n - done0) / n,
        handlerCallsBefore: calls0,
        idleWorkers: reports.filter((r) => r.calls === 0).length,
        machineBusy: busyShare(cpu0, cpu1),
        workerCpuMsPerUnit: workerCpuMs / (n * steps),
      };
    } finally {
      await workers.stop();
    }
  });
}

export default {
  id: "workers",
  title: "Worker processes on one Postgres",
  async run(size, log) {
    const rows = [];
    for (const k of size.workerCounts) {
      const pgbench = await pgbenchTps(size.pgbenchSeconds, k);
      log(`  ${k} client(s): pgbench ${Math.round(pgbench)} TPS`);
      const s1 = await drain(k, size, "s1");
      log(`  ${k} worker(s): S1 ${Math.round(s1.rate)} tasks/s (CPU ${Math.round(s1.machineBusy * 100)} %)`);
      await sleep(500);
      const s3 = await drain(k, size, "s3");
      log(`  ${k} worker(s): S3 ${Math.round(s3.rate)} steps/s (CPU ${Math.round(s3.machineBusy * 100)} %)`);
      rows.push({ k, pgbench, s1, s3 });
    }
    return rows;
  },
};
