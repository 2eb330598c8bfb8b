// pg-boss: a job queue (no workflows). Tuned from its docs (pgboss.io, api/workers and the
// constructor's options): LISTEN/NOTIFY on (useListenNotify, queue notify: true) so an idle
// worker wakes at once; batch fetch and completion (batchSize 100) with burstWhenBatchFull so a
// backlog is fetched without pauses; the shortest allowed poll (0.5 s) as the fallback.

import pg from "pg";
import { PgBoss } from "pg-boss";

const QUEUE = "bench-task";
const WORK = {
  batchSize: 100,
  burstWhenBatchFull: true,
  pollingIntervalSeconds: 0.5,
  notifyPollingIntervalSeconds: 30,
  localConcurrency: 2,
};

function boss(url, extra = {}) {
  const b = new PgBoss({ connectionString: url, ...extra });
  b.on("error", (e) => console.error(`pg-boss: ${e.message}`));
  return b;
}

export default {
  name: "pg-boss",
  label: "pg-boss",
  scenarios: ["s1", "s2"],
  settings:
    "useListenNotify, queue notify: true; work({ batchSize 100, burstWhenBatchFull, pollingIntervalSeconds 0.5, localConcurrency 2 }); insert() for batches",

  async install(url) {
    const b = boss(url, { supervise: false, schedule: false });
    await b.start();
    await b.createQueue(QUEUE, { notify: true });
    await b.stop({ graceful: false });
  },

  sql: {
    doneTasks: `select count(*) from pgboss.job where name = '${QUEUE}' and state = 'completed'`,
    failed: `select count(*) from pgboss.job where name = '${QUEUE}' and state = 'failed'`,
  },

  async client(url) {
    const b = boss(url, { supervise: false, schedule: false, migrate: false });
    await b.start();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    return {
      enqueueTasks: (n) =>
        b.insert(
          QUEUE,
          Array.from({ length: n }, (_, i) => ({ data: { i } })),
        ),
      enqueueTask: (i) => b.send(QUEUE, { i }),
      // pg-boss has no "wait for a job" call: poll the job's state, every 1 ms
      awaitTask: async (id) => {
        for (;;) {
          const r = await pool.query("select state from pgboss.job where name = $1 and id = $2", [QUEUE, id]);
          if (r.rows[0]?.state === "completed") return;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      },
      close: async () => {
        await b.stop({ graceful: false });
        await pool.end();
      },
    };
  },

  async worker(url, hooks) {
    const b = boss(url, { useListenNotify: true });
    await b.start();
    await b.work(QUEUE, WORK, async (jobs) => {
      for (const job of jobs) hooks.started(job.data.i);
    });
    return { stop: () => b.stop({ graceful: true, timeout: 5000 }) };
  },
};
