// A worker process for the schedule test: serves the task "tick" on the database given as its
// argument, says "ready" once started, and runs until killed.

import { Rhythm } from "../../../src/index.js";

// The test runner also loads every file under dist/test: without its arguments this is not a run.
if (process.argv.length < 3) {
  process.stdout.write("a worker process of the schedule tests, started by it with a database URL\n");
  process.exit(0);
}

const rhythm = await Rhythm.connect({ databaseUrl: process.argv[2], workflows: false });
rhythm.task("tick", async () => "ok");
const worker = rhythm.worker({ concurrency: 5, onError: (e) => process.stderr.write(`worker error: ${String(e)}\n`) });
await worker.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker.stop().then(() => rhythm.close().then(() => process.exit(0)));
});
