// S1 with concurrency keys: S1's N no-op tasks, task i with key i mod K (limit 1: two tasks per
// key at the full size, queued K apart), drained by one worker process. Set beside S1 (no keys):
// what the database's slot accounting costs. Rhythm only (the peers have no keys across workers
// of this shape).

import { now } from "../lib/clock.mjs";
import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneTasks, verifyCalls } from "./done-counters.mjs";

export default {
  id: "s1k",
  title: "S1 with concurrency keys",
  async run(adapter, size) {
    const n = size.s1Tasks;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      const t0 = now();
      await client.enqueueKeyedTasks(n, size.s1kKeys);
      const enqueueMs = now() - t0;
      await child.call("start", { url: db.url, record: 0 });
      const count = doneTasks(adapter, monitor, n);
      const end = await waitUntilDone({ child, monitor, adapter, target: n, handlerCalls: n, count });
      const report = await child.call("report");
      verifyCalls(report, n, "S1k");
      const done = await count();
      if (done !== n) throw new Error(`S1k: ${done} of ${n} tasks completed`);
      return {
        units: n,
        enqueueRate: (n / enqueueMs) * 1000,
        drainRate: (n / (end - report.first)) * 1000,
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
