// S3 workflows of `steps` sequential no-op steps: N started in one go (one batch call where the
// library has one), then one worker process; time from the first step's start to the last
// workflow's completion committed. The 10-step run also gives S5's peak RSS.

import { now } from "../lib/clock.mjs";
import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneWorkflows, verifyCalls } from "./done-counters.mjs";

export function workflowsOfSteps(steps) {
  return {
    id: `s3-${steps}`,
    title: `S3 workflows of ${steps} step${steps === 1 ? "" : "s"}`,
    async run(adapter, size) {
      const n = size.s3Workflows;
      const total = n * steps;
      return withSession(adapter, async ({ db, child, client, monitor }) => {
        const t0 = now();
        await client.startWorkflows(
          "steps",
          Array.from({ length: n }, () => ({ steps })),
        );
        const enqueueMs = now() - t0;
        await child.call("start", { url: db.url, record: 0 });
        const count = doneWorkflows(adapter, monitor);
        const end = await waitUntilDone({ child, monitor, adapter, target: n, handlerCalls: total, count });
        const report = await child.call("report");
        verifyCalls(report, total, `S3 (${steps} steps)`);
        const done = await count();
        if (done !== n) throw new Error(`S3: ${done} of ${n} workflows completed`);
        const seconds = (end - report.first) / 1000;
        return {
          units: total,
          enqueueRate: (n / enqueueMs) * 1000,
          workflowsPerSec: n / seconds,
          stepsPerSec: total / seconds,
          peakRss: report.memory.hwm,
          workerQueries: report.queries.total,
          topQueries: report.queries.top,
        };
      });
    },
  };
}
