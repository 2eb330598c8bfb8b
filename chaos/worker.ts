// One chaos worker process, started (and SIGKILLed, and started again) by chaos/main.ts. It uses
// only the public API: connect, register the tasks, start a worker. Every handler writes the
// ledger at start and finish; results are the pure functions of chaos/plan.ts.

import pg from "pg";
import { NonRetryableError, Rhythm, type TaskContext } from "../src/index.js";
import { record } from "./ledger.js";
import { fatalMessage, flaky, slow, standalone, step } from "./plan.js";

const url = process.env.CHAOS_DATABASE_URL;
const workflows = process.env.CHAOS_WORKFLOWS;
if (!url || !workflows) throw new Error("chaos worker: CHAOS_DATABASE_URL and CHAOS_WORKFLOWS must be set");
const concurrency = Number(process.env.CHAOS_CONCURRENCY ?? 8);

const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} [worker ${process.pid}] ${msg}\n`);
process.on("uncaughtException", (e, origin) => {
  log(`uncaught exception (${origin}): ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(70);
});
process.on("unhandledRejection", (e) => {
  log(`unhandled rejection: ${e instanceof Error ? e.stack : String(e)}`);
  process.exit(71);
});

// the driver is gone (it crashed, or was interrupted): nobody will stop or verify this worker
process.on("disconnect", () => process.exit(0));

const ledger = new pg.Pool({ connectionString: url, max: 2 });
ledger.on("error", () => {}); // an idle connection lost in the Postgres restart is simply dropped

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

type Handler = (inputs: { x: number; i: number; n: number; ms: number }, ctx: TaskContext) => Promise<unknown>;

/** Wraps a handler with its ledger rows: "start" before any work, "finish" once it has a result. */
function ledgered(fn: Handler): Handler {
  return async (inputs, ctx) => {
    await record(ledger, ctx.executionId, ctx.attempt, "start", ctx.signal);
    const out = await fn(inputs, ctx);
    await record(ledger, ctx.executionId, ctx.attempt, "finish", ctx.signal);
    return out;
  };
}

const rhythm = await Rhythm.connect({ databaseUrl: url, workflows });
// Many retries with a short backoff: a task may lose several workers in a row. The timeout is the
// lease of an attempt, so a killed worker's tasks come back within seconds.
const options = { retries: { limit: 25, initial: "100ms", max: "2s" }, timeout: "8s" };
rhythm.task(
  "step",
  ledgered(async ({ x, i }) => {
    await sleep(between(5, 40));
    return step(x, i);
  }),
  options,
);
rhythm.task(
  "slow",
  ledgered(async ({ x, i }) => {
    await sleep(between(200, 1200));
    return slow(x, i);
  }),
  options,
);
rhythm.task(
  "flaky",
  ledgered(async ({ x }, ctx) => {
    if (ctx.attempt === 1) {
      await record(ledger, ctx.executionId, ctx.attempt, "threw", ctx.signal);
      throw new Error(`flaky ${x}: the first attempt fails on purpose`);
    }
    return flaky(x);
  }),
  options,
);
rhythm.task(
  "fatal",
  ledgered(async ({ x }, ctx) => {
    await record(ledger, ctx.executionId, ctx.attempt, "threw", ctx.signal);
    throw new NonRetryableError(fatalMessage(x));
  }),
  options,
);
rhythm.task(
  "standalone",
  ledgered(async ({ n, ms }) => {
    await sleep(ms);
    return standalone(n);
  }),
  options,
);

const worker = rhythm.worker({ concurrency, onError: (e) => log(`survived: ${e instanceof Error ? e.message : String(e)}`) });
await worker.start();
process.send?.({ type: "ready" });
log("ready");

process.on("SIGTERM", () => {
  void (async () => {
    await rhythm.close();
    await ledger.end();
    log("stopped");
    process.exit(0);
  })();
});
