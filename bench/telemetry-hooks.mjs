// The telemetry hooks a task attempt passes through in a worker (claim, attempt start, the
// handler's call, its end), timed in a loop: without an SDK (`node bench/telemetry-hooks.mjs`) and
// with one (`… sdk`: bench/lib/telemetry-sdk.mjs). docs/telemetry.md quotes it. Run after
// `npm run build`.

import { WorkerTelemetry } from "../dist/src/worker/telemetry.js";

const mode = process.argv[2] ?? "api";
if (mode === "sdk") (await import("./lib/telemetry-sdk.mjs")).registerTelemetrySdk();
const telemetry = new WorkerTelemetry(async () => []);
const claimed = {
  id: "0b8e4c1e-3f7a-4c38-9d0e-2f6f1b1d7a11",
  kind: "task",
  name: "bench-task",
  queue: "default",
  attempt: 1,
  parent_id: null,
  trace: null,
  waited_ms: 3,
};
const N = 300_000;
for (let round = 0; round < 3; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    telemetry.claimed(claimed);
    const attempt = telemetry.attemptStarted(claimed);
    WorkerTelemetry.within(attempt, () => null);
    telemetry.attemptEnded(attempt, claimed, telemetry.handlerEnded(attempt), "completed", null);
  }
  console.log(`${mode}: ${(Number(process.hrtime.bigint() - t0) / N).toFixed(0)} ns per task attempt`);
}
telemetry.close();
process.exit(0);
