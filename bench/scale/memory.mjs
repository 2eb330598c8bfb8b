// Scale 5 — worker memory with 100k suspended workflows: workflows of bench/flows/bench_signal.flow
// (each waits on a "go" signal that never comes) started in four equal batches through one worker;
// after each batch, once all are suspended and the worker has been quiet for `quietMs` (V8 gives a
// burst's young generation back only after a few idle seconds, see s6-suspended.mjs), its RSS and
// JS heap after two forced GCs. Bytes per workflow: the growth over idle divided by the count.

import { databaseSize } from "../lib/databases.mjs";
import { sleep, until } from "../lib/clock.mjs";
import { SQL, now, startWorkers, withDatabase } from "./common.mjs";

export default {
  id: "memory",
  title: "Worker memory with suspended workflows",
  async run(size, log) {
    return withDatabase(async ({ db, rhythm, monitor }) => {
      const workers = await startWorkers(1, db.url);
      const [child] = workers.children;
      try {
        await sleep(size.quietMs);
        const idle = await child.call("settledMemory");
        const size0 = await databaseSize(db.name);
        const points = [{ suspended: 0, rss: idle.rss, heap: idle.heap }];
        const batch = size.suspendedWorkflows / 4;
        let started = 0;
        let suspendMs = 0;
        for (let b = 0; b < 4; b++) {
          const t = now();
          for (let i = 0; i < batch; i += 10_000)
            await rhythm.startWorkflows(
              "bench_signal",
              Array.from({ length: Math.min(10_000, batch - i) }, () => ({})),
            );
          started += batch;
          await until(async () => (await monitor.value(SQL.suspended)) >= started, {
            everyMs: 200,
            timeoutMs: 600_000,
            what: `${started} suspended workflows`,
          });
          suspendMs += now() - t;
          await sleep(size.quietMs);
          const m = await child.call("settledMemory");
          points.push({ suspended: started, rss: m.rss, heap: m.heap });
          log(`  ${started} suspended: RSS ${(m.rss / 2 ** 20).toFixed(1)} MB, heap ${(m.heap / 2 ** 20).toFixed(1)} MB`);
        }
        if ((await monitor.value(SQL.failed)) > 0) throw new Error("workflows failed before their signal");
        const last = points[points.length - 1];
        const [report] = await workers.reports();
        return {
          points,
          suspended: started,
          rssPerWorkflow: (last.rss - idle.rss) / started,
          heapPerWorkflow: (last.heap - idle.heap) / started,
          peakRss: report.memory.hwm,
          dbBytesPerWorkflow: ((await databaseSize(db.name)) - size0) / started,
          suspendRate: (started / suspendMs) * 1000,
        };
      } finally {
        await workers.stop();
      }
    });
  },
};
