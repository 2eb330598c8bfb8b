// S2 latency: an idle worker; the client enqueues one task at a time and waits for it to finish
// (the library's own wait where it has one, else polling the job's row every 1 ms). Measures
// enqueue→handler start and enqueue→completion seen by the client, and, before the samples, how
// many statements the idle worker sends per second.

import { now, sleep } from "../lib/clock.mjs";
import { percentile } from "../lib/stats.mjs";
import { withSession } from "../lib/session.mjs";
import { verifyCalls } from "./done-counters.mjs";

const WARM_UP = 10;

export default {
  id: "s2",
  title: "S2 latency",
  async run(adapter, size) {
    const n = size.s2Samples;
    return withSession(adapter, async ({ db, child, client }) => {
      await child.call("start", { url: db.url, record: n });
      await sleep(1000); // start-up work (migration checks, first polls) is not idling
      await child.call("queries");
      await sleep(size.idleMs);
      const idle = await child.call("queries");

      for (let w = 0; w < WARM_UP; w++) await client.awaitTask(await client.enqueueTask(-1));
      const sent = [];
      const completion = [];
      for (let i = 0; i < n; i++) {
        const t0 = now();
        const id = await client.enqueueTask(i);
        await client.awaitTask(id);
        sent.push(t0);
        completion.push(now() - t0);
        await sleep(size.s2GapMs);
      }
      const report = await child.call("report");
      verifyCalls(report, n + WARM_UP, "S2");
      const start = report.starts.map((t, i) => {
        if (t === null) throw new Error(`S2: sample ${i} never reached its handler`);
        return t - sent[i];
      });
      return {
        units: n + WARM_UP,
        idleQps: idle.total / (size.idleMs / 1000),
        idleTop: idle.top,
        startP50: percentile(start, 50),
        startP95: percentile(start, 95),
        startP99: percentile(start, 99),
        doneP50: percentile(completion, 50),
        doneP95: percentile(completion, 95),
        doneP99: percentile(completion, 99),
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
