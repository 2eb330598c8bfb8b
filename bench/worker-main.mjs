// The worker child process: one contender's worker, driven by the harness over IPC. It records when
// each handler starts (on the machine-wide monotonic clock), counts the statements it sends, and
// reports its memory: RSS now, after a forced GC, and the peak (VmHWM).

import { appendFileSync } from "node:fs";
import { memory, serve, settledMemory } from "./lib/child-side.mjs";
import { now } from "./lib/clock.mjs";
import { countQueries, takeQueryCounts } from "./lib/query-counter.mjs";
import { loadContender } from "./contenders/index.mjs";

// Rhythm's pg (repository root) and the peers' pg (bench/node_modules)
countQueries([new URL("../dist/src/index.js", import.meta.url).href, import.meta.url]);

let worker = null;
let adapter = null;
const state = { calls: 0, first: null, last: null, starts: null, errors: [] };

const hooks = {
  started(i) {
    const t = now();
    state.calls++;
    state.first ??= t;
    state.last = t;
    if (state.starts && Number.isInteger(i) && i >= 0 && i < state.starts.length) state.starts[i] = t;
  },
  error(e) {
    if (state.errors.length < 5) state.errors.push(String(e?.stack ?? e));
  },
};

const handlers = {
  async load({ contender }) {
    adapter = await loadContender(contender);
    return memory();
  },
  async start({ url, record }) {
    state.starts = record > 0 ? new Array(record).fill(null) : null;
    worker = await adapter.worker(url, hooks);
    takeQueryCounts(); // start-up statements are not the scenario's
    state.cpuAtStart = process.cpuUsage();
    return memory();
  },
  progress() {
    return { calls: state.calls, first: state.first, last: state.last, errors: state.errors };
  },
  report() {
    // RHYTHM_BENCH_CPU_LOG: a JSON line per report with the worker's CPU time since its start and
    // its handler calls (docs/telemetry.md reads worker CPU per task or step from it)
    if (process.env.RHYTHM_BENCH_CPU_LOG && state.cpuAtStart) {
      const cpu = process.cpuUsage(state.cpuAtStart);
      const line = {
        contender: adapter?.name,
        calls: state.calls,
        cpuMicros: cpu.user + cpu.system,
        env: process.env.RHYTHM_BENCH_LABEL ?? null,
      };
      appendFileSync(process.env.RHYTHM_BENCH_CPU_LOG, `${JSON.stringify(line)}\n`);
    }
    return { ...state, memory: memory(), queries: takeQueryCounts() };
  },
  queries() {
    return takeQueryCounts();
  },
  settledMemory,
  async stop() {
    await worker?.stop();
    worker = null;
    return memory();
  },
};

serve(handlers);
