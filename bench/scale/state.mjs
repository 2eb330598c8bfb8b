// Scale 4 — per-step cost against saved-state size: workflows of bench/flows/scale_state.flow carry a
// random (incompressible) string of 1 KB to 1 MB in their inputs (part of the saved state) through `stateSteps` no-op steps,
// so every save writes it. Two figures per size: one workflow alone (ms per step, the latency a
// step adds) and several at once (steps/s through one worker); with the WAL Postgres wrote per
// step (server-wide: other activity on a shared machine counts in it) and the saved state's size.

import { randomBytes } from "node:crypto";
import { until } from "../lib/clock.mjs";
import { SQL, now, startWorkers, waitForCount, withDatabase } from "./common.mjs";

const STATE_BYTES =
  "select coalesce(max(octet_length(state::text)), 0) from rhythm.executions where kind = 'workflow' and state is not null";
const WAL_LSN = "select pg_current_wal_lsn() - '0/0'::pg_lsn";

/** A random string of `bytes` characters (base64: JSON keeps it as is, TOAST cannot compress it). */
const pad = (bytes) =>
  randomBytes(Math.ceil((bytes * 3) / 4))
    .toString("base64")
    .slice(0, bytes);

/** The saved state's size with a pad of `bytes`: one workflow held on a signal, read, then let go. */
async function stateSize(rhythm, monitor, bytes, done0) {
  const [id] = await rhythm.startWorkflows("scale_state", [{ steps: 0, pad: pad(bytes), hold: true }]);
  await until(async () => (await monitor.value(SQL.suspended)) >= 1, { everyMs: 5, what: "the held workflow" });
  const size = await monitor.value(STATE_BYTES);
  await rhythm.signalMany([{ id, name: "go", payload: null }]);
  await waitForCount(monitor, SQL.doneWorkflows, done0 + 1, { everyMs: 5 });
  return size;
}

/** `workflows` of `steps` steps with a pad of `bytes` each, started in one call: time and WAL per step. */
async function run(rhythm, monitor, workflows, steps, bytes, done0) {
  const inputs = Array.from({ length: workflows }, () => ({ steps, pad: pad(bytes) }));
  const wal0 = await monitor.value(WAL_LSN);
  const t0 = now();
  await rhythm.startWorkflows("scale_state", inputs);
  const end = await waitForCount(monitor, SQL.doneWorkflows, done0 + workflows, { everyMs: 5 });
  const wal = (await monitor.value(WAL_LSN)) - wal0;
  const total = workflows * steps;
  return { msPerStep: (end - t0) / total, stepsPerSec: (total / (end - t0)) * 1000, walPerStep: wal / total };
}

export default {
  id: "state",
  title: "Per-step cost against saved-state size",
  async run(size, log) {
    return withDatabase(async ({ db, rhythm, monitor }) => {
      const workers = await startWorkers(1, db.url);
      const rows = [];
      let done = 0;
      try {
        await run(rhythm, monitor, 10, size.stateSteps, 1000, done); // warm-up, not recorded
        done += 10;
        for (const bytes of size.stateSizes) {
          const stateBytes = await stateSize(rhythm, monitor, bytes, done);
          done += 1;
          const alone = await run(rhythm, monitor, 1, size.stateSteps, bytes, done);
          done += 1;
          const parallel = Math.min(100, Math.max(2, Math.round(size.stateBudget / bytes / size.stateSteps)));
          const many = await run(rhythm, monitor, parallel, size.stateSteps, bytes, done);
          done += parallel;
          rows.push({ bytes, stateBytes, alone, many, parallel });
          log(
            `  ${bytes} B: state ${stateBytes} B, alone ${alone.msPerStep.toFixed(2)} ms/step, ${parallel} at once ${Math.round(many.stepsPerSec)} steps/s, WAL ${Math.round(many.walPerStep)} B/step`,
          );
        }
      } finally {
        await workers.stop();
      }
      return rows;
    });
  },
};
