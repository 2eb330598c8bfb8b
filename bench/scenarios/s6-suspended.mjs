// S6 N workflows suspended on a signal: worker RSS idle and while they all wait (both after a
// forced GC), database bytes per waiting workflow, then every one signalled; time from the first
// signal sent to the last workflow completed.

import { now, sleep, until } from "../lib/clock.mjs";
import { databaseSize } from "../lib/databases.mjs";
import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneWorkflows } from "./done-counters.mjs";

export default {
  id: "s6",
  title: "S6 suspended workflows",
  async run(adapter, size) {
    const n = size.s6Workflows;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      await child.call("start", { url: db.url, record: 0 });
      await sleep(1000);
      const idle = await child.call("settledMemory");
      const sizeBefore = await databaseSize(db.name);

      const t0 = now();
      const ids = await client.startWorkflows(
        "signal",
        Array.from({ length: n }, () => ({})),
      );
      await until(
        async () => {
          if ((await monitor.value(adapter.sql.failed)) > 0) throw new Error("S6: workflows failed before their signal");
          return (await monitor.value(adapter.sql.waiting)) >= n;
        },
        { everyMs: 100, timeoutMs: 300_000, what: `${n} waiting workflows` },
      );
      const suspendMs = now() - t0;
      await sleep(1000); // let the last waits settle in before measuring what they hold
      const held = await child.call("settledMemory");
      const sizeAfter = await databaseSize(db.name);

      const t1 = now();
      await client.signalAll(ids);
      const sendMs = now() - t1;
      const count = doneWorkflows(adapter, monitor);
      const end = await waitUntilDone({ child, monitor, adapter, target: n, handlerCalls: null, count });
      const done = await count();
      if (done !== n) throw new Error(`S6: ${done} of ${n} workflows completed`);
      const report = await child.call("report");
      return {
        units: n,
        idleRss: idle.rss,
        heldRss: held.rss,
        rssGrowth: held.rss - idle.rss,
        heapGrowth: held.heap - idle.heap,
        bytesPerWorkflow: (sizeAfter - sizeBefore) / n,
        suspendRate: (n / suspendMs) * 1000,
        signalRate: (n / sendMs) * 1000,
        resumeRate: (n / (end - t1)) * 1000,
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
