// S2 beside a saturated key: one task holds key "hot" (limit 1) for the whole run and W more wait
// behind it (parked); then S2's samples, each with its own key, one at a time. Their
// enqueue→start latency, set beside S2's, says whether the waiting line costs other keys'
// claims anything (it should not: parked executions are outside the claim index). Rhythm only.

import { now, sleep, until } from "../lib/clock.mjs";
import { percentile } from "../lib/stats.mjs";
import { withSession } from "../lib/session.mjs";

const WARM_UP = 10;

export default {
  id: "s2k",
  title: "S2 beside a saturated key",
  async run(adapter, size) {
    const n = size.s2Samples;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      await child.call("start", { url: db.url, record: n });
      await client.enqueueHolder();
      await until(async () => (await child.call("progress")).calls >= 1, { timeoutMs: 30_000, what: "the holder to start" });
      const t0 = now();
      await client.enqueueSaturated(size.s2kWaiting);
      const fillMs = now() - t0;
      // Measured in the steady state: with the statistics of the table current, as autovacuum
      // leaves them within a minute. Right after the 100,000-row insert and before that, the
      // samples' start p50 was ~60 ms against ~15 ms (both on a loaded 2-core machine).
      await monitor.value("analyze rhythm.executions");
      await sleep(1000);
      for (let w = 0; w < WARM_UP; w++) await client.awaitTask(await client.enqueueKeyedTask(-1, `warm-${w}`));
      const sent = [];
      for (let i = 0; i < n; i++) {
        const t = now();
        const id = await client.enqueueKeyedTask(i, `sample-${i}`);
        await client.awaitTask(id);
        sent.push(t);
        await sleep(size.s2GapMs);
      }
      const report = await child.call("report");
      const start = report.starts.map((t, i) => {
        if (t === null) throw new Error(`S2k: sample ${i} never reached its handler`);
        return t - sent[i];
      });
      const parked = await monitor.value(adapter.sql.parked);
      if (parked !== size.s2kWaiting) throw new Error(`S2k: ${parked} of ${size.s2kWaiting} waiting executions parked`);
      return {
        units: n + WARM_UP,
        waiting: parked,
        fillRate: (size.s2kWaiting / fillMs) * 1000,
        startP50: percentile(start, 50),
        startP95: percentile(start, 95),
        startP99: percentile(start, 99),
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
