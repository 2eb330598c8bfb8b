// graphile-worker: a job queue (no workflows). Settings are the ones its performance page gives
// for its own benchmark (worker.graphile.org/docs/performance): 24 concurrent jobs, a pool of 25,
// a local queue of 500 fetched in one batch, and batched completions (completeJobBatchDelay 0).

import pg from "pg";
import { Logger, makeWorkerUtils, run, runMigrations } from "graphile-worker";

const quiet = new Logger(() => (level, message) => {
  if (level === "error") console.error(`graphile-worker: ${message}`);
});

const SETTINGS = {
  concurrency: 24,
  maxPoolSize: 25,
  pollInterval: 2000,
  preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
};

export default {
  name: "graphile-worker",
  label: "graphile-worker",
  scenarios: ["s1", "s2"],
  settings:
    "concurrency 24, maxPoolSize 25, localQueue.size 500, completeJobBatchDelay 0, failJobBatchDelay 0 (its performance page); addJobs for batches",

  async install(url) {
    await runMigrations({ connectionString: url, logger: quiet });
  },

  // Finished jobs are deleted: a task is done when its row is gone (and the handler ran, which
  // the harness checks separately). Failed attempts keep the row with last_error set.
  sql: {
    pendingTasks: "select count(*) from graphile_worker.jobs",
    failed: "select count(*) from graphile_worker.jobs where last_error is not null",
  },

  async client(url) {
    const utils = await makeWorkerUtils({ connectionString: url, logger: quiet });
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    return {
      enqueueTasks: (n) => utils.addJobs(Array.from({ length: n }, (_, i) => ({ identifier: "bench_task", payload: { i } }))),
      enqueueTask: async (i) => (await utils.addJob("bench_task", { i })).id,
      // graphile-worker has no "wait for a job" call: poll for the row to disappear, every 1 ms
      awaitTask: async (id) => {
        for (;;) {
          const r = await pool.query("select 1 from graphile_worker.jobs where id = $1", [id]);
          if (r.rowCount === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
      close: async () => {
        await utils.release();
        await pool.end();
      },
    };
  },

  async worker(url, hooks) {
    const runner = await run({
      connectionString: url,
      noHandleSignals: true,
      logger: quiet,
      ...SETTINGS,
      taskList: {
        bench_task: async (payload) => {
          hooks.started(payload.i);
        },
      },
    });
    return { stop: () => runner.stop() };
  },
};
