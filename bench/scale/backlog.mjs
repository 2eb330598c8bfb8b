// Scale 2 — a deep backlog: 10k, 100k and 1M queued no-op tasks (one set-based INSERT … SELECT, then
// VACUUM ANALYZE), then one worker. Claim latency is the mean time of the worker's claim statement
// as the worker saw it; the drain rate is handler calls over the time from the first to the last
// handler start, over the whole backlog or the first `backlogSeconds` seconds, whichever ends first.

import { databaseSize } from "../lib/databases.mjs";
import { sleep } from "../lib/clock.mjs";
import { claimStats, now, startWorkers, withDatabase } from "./common.mjs";
import { fillQueued } from "./fill.mjs";

export default {
  id: "backlog",
  title: "Claim latency and drain rate against the backlog",
  async run(size, log) {
    const rows = [];
    for (const n of size.backlogs) {
      const row = await withDatabase(async ({ db }) => {
        const t = now();
        await fillQueued(db.url, n);
        const fillSeconds = (now() - t) / 1000;
        const bytes = await databaseSize(db.name);
        const workers = await startWorkers(1, db.url);
        try {
          const deadline = now() + size.backlogSeconds * 1000;
          for (;;) {
            const p = await workers.progress();
            if (p.calls >= n || now() > deadline) break;
            await sleep(20);
          }
          const [report] = await workers.reports();
          const claim = claimStats([report]);
          return {
            backlog: n,
            fillSeconds,
            databaseMB: bytes / 2 ** 20,
            drainRate: (report.calls / (report.last - report.first)) * 1000,
            drained: report.calls,
            claimMs: claim.meanMs,
            claims: claim.calls,
            tasksPerClaim: report.calls / claim.calls,
          };
        } finally {
          await workers.stop();
        }
      });
      log(
        `  ${n} queued: claim ${row.claimMs.toFixed(2)} ms, drain ${Math.round(row.drainRate)} tasks/s (filled in ${row.fillSeconds.toFixed(1)} s)`,
      );
      rows.push(row);
    }
    return rows;
  },
};
