// Metrics (docs/telemetry.md) with the OpenTelemetry SDK and a reader collected on demand, on both
// backends: executions started and finished by status, task attempt durations by outcome, claim
// latency, and the queue depth gauge read from the database at collection.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { metrics } from "@opentelemetry/api";
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from "@opentelemetry/sdk-metrics";
import { NonRetryableError } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "./support/until.js";

class OnDemandReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const FLOWS = { twice: `const a = await Task.run("echo", { n: 1 }); return await Task.run("echo", { n: a.n + 1 });` };

type Point = DataPoint<number | Histogram>;

async function collect(reader: MetricReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const out = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const m of scope.metrics) out.set(m.descriptor.name, m.dataPoints as Point[]);
  return out;
}

const find = (points: Point[] | undefined, attrs: Record<string, string>) =>
  points?.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v));

for (const backend of await backends()) {
  describe(`metrics on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    const reader = new OnDemandReader();
    const provider = new MeterProvider({ readers: [reader] });
    before(async () => {
      // (one provider per backend: the worker makes its instruments when it is built)
      metrics.disable();
      metrics.setGlobalMeterProvider(provider);
      db = await backend.open();
      f = await engine(db, FLOWS);
      f.rhythm
        .task("echo", async (i: { n: number }) => i)
        .task("broken", async () => {
          throw new NonRetryableError("no");
        });
      await f.rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
      await provider.shutdown();
    });

    test("started and finished by status, attempt durations, claim latency, queue depth", async () => {
      const ok = await f.rhythm.startWorkflow("twice", {});
      const bad = await f.rhythm.queueTask("broken", {});
      await f.rhythm.wait(ok, { timeout: "10s" });
      await untilStatus(f.rhythm, bad, "failed");
      await f.rhythm.queueTasks("nobody", [{}, {}, {}], { queue: "idle" });

      const m = await collect(reader);
      const started = m.get("rhythm.executions.started");
      assert.equal(find(started, { "rhythm.execution.kind": "task", "rhythm.execution.name": "echo" })?.value, 2);
      assert.equal(find(started, { "rhythm.execution.kind": "workflow", "rhythm.execution.name": "twice" })?.value, 1);
      assert.equal(find(started, { "rhythm.execution.kind": "task", "rhythm.execution.name": "broken" })?.value, 1);
      const finished = m.get("rhythm.executions.finished");
      assert.equal(find(finished, { "rhythm.execution.name": "twice", "rhythm.status": "completed" })?.value, 1);
      assert.equal(find(finished, { "rhythm.execution.name": "echo", "rhythm.status": "completed" })?.value, 2);
      assert.equal(find(finished, { "rhythm.execution.name": "broken", "rhythm.status": "failed" })?.value, 1);

      const durations = m.get("rhythm.task.attempt.duration");
      const echo = find(durations, { "rhythm.execution.name": "echo", "rhythm.outcome": "completed" })?.value as Histogram;
      assert.equal(echo.count, 2);
      assert.ok((echo.sum ?? -1) >= 0);
      assert.equal(
        (find(durations, { "rhythm.execution.name": "broken", "rhythm.outcome": "failed" })?.value as Histogram).count,
        1,
      );

      // the workflow's first activation and the failing task were claimed by Claim (the tasks a
      // workflow starts are taken in its step, with 0 wait)
      const latency = m.get("rhythm.claim.latency") ?? [];
      const claims = latency.reduce((n, p) => n + (p.value as Histogram).count, 0);
      assert.ok(claims >= 2, `claims: ${claims}`);

      assert.equal(find(m.get("rhythm.queue.depth"), { "rhythm.queue": "idle" })?.value, 3);
    });
  });
}
