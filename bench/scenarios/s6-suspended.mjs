// S6 N workflows suspended on a signal: worker RSS idle and while they all wait (both after 10 s
// of quiet and a forced GC), database bytes per waiting workflow, then every one signalled; time
// from the first signal sent to the last workflow completed.

import { now, sleep, until } from "../lib/clock.mjs";
import { databaseSize } from "../lib/databases.mjs";
import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneWorkflows } from "./done-counters.mjs";

/**
 * The worker's memory once it has been quiet for 10 s, after forced GCs. A burst of work grows
 * V8's young generation (to some 34 MB in Rhythm's worker after starting 10,000 workflows), and V8
 * gives it back to the system only after a few idle seconds (4 s here). Read 1 s after the burst,
 * as this scenario first did, RSS measured that transient rather than what the waiting workflows
 * hold: Rhythm +32 MB at 1 s, +4–7 MB from 4 s on. Every contender is measured the same way.
 */
async function steadyMemory(child) {
  await sleep(QUIET_MS);
  return child.call("settledMemory");
}

const QUIET_MS = 10_000;

export default {
  id: "s6",
  title: "S6 suspended workflows",
  async run(adapter, size) {
    const n = size.s6Workflows;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      await child.call("start", { url: db.url, record: 0 });
      const idle = await steadyMemory(child);
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
      const held = await steadyMemory(child);
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
