// Traces (docs/telemetry.md) with the OpenTelemetry SDK and an in-memory exporter, on both
// backends: a run with a child workflow and two tasks is one trace under the span of the code
// that started it, each span under the right parent; errors are recorded on spans; a run started
// by untraced code is still one trace, whose id is the execution's.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { NonRetryableError } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

const FLOWS = {
  parent: `
const a = await Task.run("step", { n: Inputs.n });
const c = await Workflow.run("child", { n: a });
return c;
`,
  child: `return await Task.run("step", { n: Inputs.n + 1 });`,
  fails: `await Task.run("broken", {});`,
};

const attr = (s: ReadableSpan, key: string) => s.attributes[key];
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

for (const backend of await backends()) {
  describe(`traces on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      f.rhythm
        .task("step", async (i: { n: number }) => {
          // the handler runs in its attempt's span: its own spans nest there
          trace.getTracer("app").startSpan("inside step").end();
          return i.n + 10;
        })
        .task("broken", async () => {
          throw new NonRetryableError("out of paper");
        });
      await f.rhythm.worker({ pollIntervalMs: 100 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("a run with a child and two tasks is one trace with the right parents", async () => {
      exporter.reset();
      const caller = trace.getTracer("app");
      const { id, traceId, callerId } = await caller.startActiveSpan("caller", async (span) => {
        const id = await f.rhythm.startWorkflow("parent", { n: 1 });
        span.end();
        return { id, traceId: span.spanContext().traceId, callerId: span.spanContext().spanId };
      });
      const done = await f.rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done.error));
      assert.equal(done.output, 22);
      const childId = (await f.rhythm.list({ parentId: id, kind: "workflow" }))[0].id;

      const spans = exporter.getFinishedSpans();
      assert.ok(
        spans.every((s) => s.spanContext().traceId === traceId),
        "every span joins the caller's trace",
      );
      const byName = (name: string) => spans.filter((s) => s.name === name);
      const [start] = byName("start parent");
      assert.equal(parentOf(start), callerId);
      assert.equal(attr(start, "rhythm.execution.id"), id);

      // the parent's activations: under the start span; the first starts the task, the second the child
      const parents = byName("activate parent");
      assert.equal(parents.length, 3);
      for (const a of parents) {
        assert.equal(parentOf(a), start.spanContext().spanId);
        assert.equal(attr(a, "rhythm.execution.id"), id);
        assert.equal(attr(a, "rhythm.execution.kind"), "workflow");
        assert.equal(attr(a, "rhythm.queue"), "default");
      }
      assert.deepEqual(
        parents.map((a) => attr(a, "rhythm.outcome")),
        ["suspended", "suspended", "completed"],
      );
      const steps = byName("task step");
      assert.equal(steps.length, 2);
      const parentStep = steps.find((s) => attr(s, "rhythm.parent.id") === id)!;
      assert.equal(parentOf(parentStep), parents[0].spanContext().spanId);
      assert.equal(attr(parentStep, "rhythm.attempt"), 1);
      assert.equal(attr(parentStep, "rhythm.outcome"), "completed");

      // the child's activations: under the parent's activation that started it
      const children = byName("activate child");
      assert.equal(children.length, 2);
      for (const c of children) {
        assert.equal(parentOf(c), parents[1].spanContext().spanId);
        assert.equal(attr(c, "rhythm.execution.id"), childId);
        assert.equal(attr(c, "rhythm.parent.id"), id);
      }
      const childStep = steps.find((s) => attr(s, "rhythm.parent.id") === childId)!;
      assert.equal(parentOf(childStep), children[0].spanContext().spanId);

      // the handler's own span is under its attempt
      const inside = byName("inside step");
      assert.equal(inside.length, 2);
      assert.deepEqual(inside.map(parentOf).sort(), [parentStep, childStep].map((s) => s.spanContext().spanId).sort());
    });

    test("failures are recorded on the task's and the workflow's spans", async () => {
      exporter.reset();
      const id = await f.rhythm.startWorkflow("fails", {});
      const done = await f.rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      const spans = exporter.getFinishedSpans();
      const task = spans.find((s) => s.name === "task broken")!;
      assert.equal(attr(task, "rhythm.outcome"), "failed");
      assert.equal(task.status.code, SpanStatusCode.ERROR);
      assert.match(task.status.message ?? "", /out of paper/);
      assert.ok(
        task.events.some((e) => e.name === "exception" && /out of paper/.test(String(e.attributes?.["exception.message"]))),
      );
      const last = spans.filter((s) => s.name === "activate fails").at(-1)!;
      assert.equal(attr(last, "rhythm.outcome"), "failed");
      assert.equal(last.status.code, SpanStatusCode.ERROR);
    });

    test("a run started by untraced code is one trace whose id is the execution's", async () => {
      exporter.reset();
      // an enqueue with no active span still gets its own start span (a root), so take the row's
      // trace away to act as a client without an SDK
      const id = await f.rhythm.startWorkflow("child", { n: 5 }, { delay: "1h" });
      await db.driver.query(`update rhythm.executions set trace = null, run_at = now() where id = $1`, [id]);
      await f.rhythm.wait(id, { timeout: "10s" });
      const spans = exporter.getFinishedSpans().filter((s) => s.name === "activate child" || s.name === "task step");
      assert.equal(spans.length, 3, spans.map((s) => s.name).join());
      const hex = id.replace(/-/g, "");
      assert.ok(spans.every((s) => s.spanContext().traceId === hex));
    });
  });
}

after(async () => {
  await provider.shutdown();
});
