// A worker process of flow-control-processes.test.ts: connects to the database given, registers
// tasks that write their start and end to a shared log (appends: one line at a time, in the order
// the kernel took them), says "ready", and stops on SIGTERM. A task asked to crash kills its own
// process on its first attempt, while it holds its key.

import { appendFileSync } from "node:fs";
import { Rhythm } from "../../../src/index.js";

// The test runner also loads every file under dist/test: without its arguments this is not a run.
if (process.argv.length < 4) {
  process.stdout.write("a worker process of flow-control-processes.test.ts, started by it with a database URL\n");
  process.exit(0);
}

const [url, logFile] = process.argv.slice(2);
const rhythm = await Rhythm.connect({ databaseUrl: url, workflows: "/nonexistent-rhythm-workflows" });
const note = (line: string) => appendFileSync(logFile, `${line} ${process.pid}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

rhythm.task("logged", async (inputs: { key: string; ms: number; crash?: boolean }, ctx) => {
  note(`start ${inputs.key}`);
  if (inputs.crash && ctx.attempt === 1) {
    note(`crash ${inputs.key}`);
    process.kill(process.pid, "SIGKILL");
  }
  await sleep(inputs.ms);
  note(`end ${inputs.key}`);
  return ctx.attempt;
});
rhythm.task("rated", async () => Date.now());

// the default poll (1 s), whose rounds also take back expired leases every 5 s (the in-process
// tests, flow-control.test.ts, poll once a minute: there waiting work must be woken by notifications)
const worker = rhythm.worker({ concurrency: 10 });
await worker.start();
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop();
    await rhythm.close();
    process.exit(0);
  })();
});
