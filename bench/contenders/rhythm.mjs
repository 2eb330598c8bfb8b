// Rhythm through its built package (dist/, from `npm run build`): tasks with rhythm.task and a
// worker, workflows as .flow files from bench/flows, client calls through the public API only.

import { fileURLToPath, pathToFileURL } from "node:url";
import { registerTelemetrySdk } from "../lib/telemetry-sdk.mjs";

// RHYTHM_BENCH_DIST: another build of Rhythm (its dist/src/index.js), to compare two builds
// interleaved; RHYTHM_BENCH_TELEMETRY=sdk: with the OpenTelemetry SDK registered (docs/telemetry.md)
const { Rhythm } = await import(
  process.env.RHYTHM_BENCH_DIST ? pathToFileURL(process.env.RHYTHM_BENCH_DIST).href : "../../dist/src/index.js"
);
const withSdk = () => {
  if (process.env.RHYTHM_BENCH_TELEMETRY === "sdk") registerTelemetrySdk();
};

const FLOWS = fileURLToPath(new URL("../flows", import.meta.url));
const FLOW = { steps: "bench_steps", signal: "bench_signal" };

// Concurrency 200: a worker's claims and group commits grow with it, so fewer transactions per
// task (S1: 20 → 0.151 transactions per task, 300 → 0.011). RHYTHM_BENCH_CONCURRENCY overrides it
// for tuning runs. The poll interval stays at its default: NOTIFY wakes the worker, polling is the
// fallback.
// pollIntervalMs left at its default (the 10 s beat), as graphile-worker runs with its default pollInterval
const WORKER = { concurrency: Number(process.env.RHYTHM_BENCH_CONCURRENCY ?? 200) };

export default {
  name: "rhythm",
  label: "Rhythm",
  scenarios: ["s1", "s1k", "s2", "s2k", "s3", "s4", "s6"],
  settings: `worker({ concurrency: ${WORKER.concurrency} }) (pollIntervalMs: its default, 10 s); queueTasks/startWorkflows/signalMany in one call; wait() for completion`,

  async install(url) {
    const rhythm = await Rhythm.connect({ databaseUrl: url, workflows: FLOWS });
    await rhythm.deploy();
    await rhythm.close();
  },

  sql: {
    doneTasks: "select count(*) from rhythm.executions where kind = 'task' and status = 'completed'",
    doneWorkflows: "select count(*) from rhythm.executions where kind = 'workflow' and status = 'completed'",
    failed: "select count(*) from rhythm.executions where status in ('failed', 'cancelled')",
    waiting: "select count(*) from rhythm.executions where kind = 'workflow' and status = 'suspended'",
    parked: "select count(*) from rhythm.executions where parked",
  },

  async client(url) {
    withSdk();
    const rhythm = await Rhythm.connect({ databaseUrl: url, workflows: FLOWS });
    return {
      enqueueTasks: (n) =>
        rhythm.queueTasks(
          "bench-task",
          Array.from({ length: n }, (_, i) => ({ i })),
        ),
      enqueueTask: (i) => rhythm.queueTask("bench-task", { i }),
      // S1k: task i takes key i mod `keys` (limit 1), queued in order of i (queueTask per task,
      // eight calls at a time: the options, and so the key, are per call)
      enqueueKeyedTasks: async (n, keys) => {
        let next = 0;
        const one = async () => {
          for (let i = next++; i < n; i = next++)
            await rhythm.queueTask("bench-task", { i }, { concurrency: { key: `k${i % keys}` } });
        };
        await Promise.all(Array.from({ length: 8 }, one));
      },
      // S2k: a holder of key "hot" that runs until the worker stops, the line behind it, samples with keys of their own
      enqueueHolder: () => rhythm.queueTask("bench-hold", null, { concurrency: { key: "hot" } }),
      enqueueSaturated: (n) =>
        rhythm.queueTasks(
          "bench-task",
          Array.from({ length: n }, () => ({ i: -1 })),
          { concurrency: { key: "hot" } },
        ),
      enqueueKeyedTask: (i, key) => rhythm.queueTask("bench-task", { i }, { concurrency: { key } }),
      awaitTask: (id) => rhythm.wait(id),
      startWorkflows: (flow, inputsList) => rhythm.startWorkflows(FLOW[flow], inputsList),
      // the batch API, as S1 enqueues with queueTasks: one transaction for all the signals
      signalAll: (ids) => rhythm.signalMany(ids.map((id, i) => ({ id, name: "go", payload: { n: i } }))),
      close: () => rhythm.close(),
    };
  },

  async worker(url, hooks) {
    withSdk();
    const rhythm = await Rhythm.connect({ databaseUrl: url, workflows: FLOWS });
    rhythm.task("bench-task", async (inputs) => {
      hooks.started(inputs.i);
      return null;
    });
    rhythm.task("bench-hold", async (inputs, ctx) => {
      hooks.started(-1);
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      return null;
    });
    rhythm.task("bench-step", async (inputs) => {
      hooks.started(inputs.i);
      return null;
    });
    const worker = rhythm.worker({ ...WORKER, onError: (e) => hooks.error(e) });
    await worker.start();
    return { stop: () => rhythm.close() };
  },
};
