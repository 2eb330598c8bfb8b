// A scale scenario's worker process: one Rhythm worker (public API only) with the options the
// scenario asks for, driven over IPC like bench/worker-main.mjs. It counts handler calls, keeps the
// first and last start time on the machine-wide clock, counts the statements it sends, its CPU
// time, and reports its memory (RSS and JS heap, after forced GCs when asked).

import { fileURLToPath, pathToFileURL } from "node:url";
import { memory, serve, settledMemory } from "../lib/child-side.mjs";
import { now } from "../lib/clock.mjs";
import { countQueries, takeQueryCounts } from "../lib/query-counter.mjs";

countQueries([new URL("../../dist/src/index.js", import.meta.url).href, import.meta.url]);

const { Rhythm } = await import(
  process.env.RHYTHM_BENCH_DIST ? pathToFileURL(process.env.RHYTHM_BENCH_DIST).href : "../../dist/src/index.js"
);
const FLOWS = fileURLToPath(new URL("../flows", import.meta.url));

let rhythm = null;
const state = { calls: 0, first: null, last: null, errors: [] };
let cpuAtStart = null;

function started() {
  const t = now();
  state.calls++;
  state.first ??= t;
  state.last = t;
}

const handlers = {
  load() {
    return memory(); // lib/child.mjs asks every child to load its contender first: here it is Rhythm, loaded above
  },
  async start({ url, concurrency = 200, retention }) {
    rhythm = await Rhythm.connect({ databaseUrl: url, workflows: FLOWS });
    rhythm.task("bench-task", async () => (started(), null));
    rhythm.task("bench-step", async () => (started(), null));
    const worker = rhythm.worker({
      concurrency,
      pollIntervalMs: 1000,
      ...(retention ? { retention } : {}),
      onError: (e) => state.errors.length < 5 && state.errors.push(String(e?.stack ?? e)),
    });
    await worker.start();
    takeQueryCounts(); // start-up statements are not the scenario's
    cpuAtStart = process.cpuUsage();
    return memory();
  },
  progress() {
    return { calls: state.calls, first: state.first, last: state.last, errors: state.errors };
  },
  report() {
    const cpu = process.cpuUsage(cpuAtStart ?? undefined);
    return { ...state, cpuMs: (cpu.user + cpu.system) / 1000, memory: memory(), queries: takeQueryCounts(40) };
  },
  settledMemory,
  async stop() {
    await rhythm?.close();
    rhythm = null;
    return memory();
  },
};

serve(handlers);
