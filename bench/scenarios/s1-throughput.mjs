// S1 queue throughput: enqueue N no-op tasks in one batch call, then start one worker process and
// time from its first handler start to the last completion committed. Also gives S5's peak RSS.

import { now } from "../lib/clock.mjs";
import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneTasks, verifyCalls } from "./done-counters.mjs";

export default {
  id: "s1",
  title: "S1 queue throughput",
  async run(adapter, size) {
    const n = size.s1Tasks;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      const t0 = now();
      await client.enqueueTasks(n);
      const enqueueMs = now() - t0;
      await child.call("start", { url: db.url, record: 0 });
      const count = doneTasks(adapter, monitor, n);
      const end = await waitUntilDone({ child, monitor, adapter, target: n, handlerCalls: n, count });
      const report = await child.call("report");
      verifyCalls(report, n, "S1");
      const done = await count();
      if (done !== n) throw new Error(`S1: ${done} of ${n} tasks completed`);
      return {
        units: n,
        enqueueRate: (n / enqueueMs) * 1000,
        drainRate: (n / (end - report.first)) * 1000,
        peakRss: report.memory.hwm,
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
