// S4 one workflow of many sequential steps: the time per step early (gaps between the starts of
// steps 1–101) against late (the last 100 gaps). Flat means a step costs the same at step 2,000
// as at step 10: nothing is replayed.

import { waitUntilDone, withSession } from "../lib/session.mjs";
import { doneWorkflows, verifyCalls } from "./done-counters.mjs";

const WINDOW = 100;

export default {
  id: "s4",
  title: "S4 one long workflow",
  async run(adapter, size) {
    const steps = size.s4Steps;
    return withSession(adapter, async ({ db, child, client, monitor }) => {
      await child.call("start", { url: db.url, record: steps });
      await client.startWorkflows("steps", [{ steps }]);
      const end = await waitUntilDone({
        child,
        monitor,
        adapter,
        target: 1,
        handlerCalls: steps,
        count: doneWorkflows(adapter, monitor),
      });
      const report = await child.call("report");
      verifyCalls(report, steps, "S4");
      const t = report.starts;
      if (t.some((x) => x === null)) throw new Error("S4: a step never started");
      const meanGap = (from, to) => (t[to] - t[from]) / (to - from);
      const first = meanGap(0, WINDOW);
      const last = meanGap(steps - 1 - WINDOW, steps - 1);
      return {
        units: steps,
        firstMsPerStep: first,
        lastMsPerStep: last,
        lastOverFirst: last / first,
        msPerStep: (end - t[0]) / steps,
        workerQueries: report.queries.total,
        topQueries: report.queries.top,
      };
    });
  },
};
