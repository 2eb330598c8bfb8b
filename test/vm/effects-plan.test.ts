// The effects plan both hosts apply (src/vm/effects-plan.ts): what an activation asks for, with
// the options of its calls resolved; waits and timers it let go of at once never made; what the
// parent is told; and the signal rule, per name the k-th oldest wait with the k-th oldest signal.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFlow } from "../../src/compiler/index.js";
import { pairSignals, planEffects } from "../../src/vm/effects-plan.js";
import { Machine, type MachineHost } from "../../src/vm/machine.js";

const host: MachineHost = { now: () => 1_000, random: () => 0.5, hasWorkflow: () => true };
const self = { id: "exec-1", name: "plan", queue: "home" };

function activate(source: string) {
  const { program } = compileFlow(source, "plan.flow");
  const context = { executionId: self.id, workflowName: self.name, version: "v", attempt: 1, parentId: null, startedAt: "" };
  return Machine.start(program, { inputs: {}, context, host }).activate();
}

test("calls become starts with their options resolved: the call's, then the registration's, then the defaults", () => {
  const result = activate(`
Task.run("plain", { a: 1 });
Task.run("tuned", {}, { queue: "fast", priority: 5, retries: { limit: 2, initial: "2s" }, timeout: "3s", delay: "1s", idempotencyKey: "k" });
Task.run("registered", {}, { retries: { factor: 3 } });
Workflow.run("child", { b: 2 });
await Timer.delay("10s");
`);
  const registered = { maxAttempts: 7, backoff: { initialMs: 50, maxMs: 500, factor: 2 } };
  const plan = planEffects(result, self, (name) =>
    name === "registered" ? { queue: "reg-queue", retries: registered } : { retries: registered },
  );
  assert.deepEqual(
    plan.start.map((s) => ({ ...s, handle: 0, inputs: null })),
    [
      {
        kind: "task",
        handle: 0,
        name: "plain",
        inputs: null,
        queue: "default",
        priority: 0,
        runAt: null,
        maxAttempts: null,
        backoff: null,
        timeoutMs: null,
        idempotencyKey: null,
        debounce: null,
        concurrency: null,
        rateLimit: null,
      },
      {
        kind: "task",
        handle: 0,
        name: "tuned",
        inputs: null,
        queue: "fast",
        priority: 5,
        runAt: 2_000,
        maxAttempts: 3,
        backoff: { initialMs: 2_000, maxMs: 500, factor: 2 },
        timeoutMs: 3_000,
        idempotencyKey: "k",
        debounce: null,
        concurrency: null,
        rateLimit: null,
      },
      {
        kind: "task",
        handle: 0,
        name: "registered",
        inputs: null,
        queue: "reg-queue",
        priority: 0,
        runAt: null,
        maxAttempts: 7,
        backoff: { initialMs: 50, maxMs: 500, factor: 3 },
        timeoutMs: null,
        idempotencyKey: null,
        debounce: null,
        concurrency: null,
        rateLimit: null,
      },
      {
        kind: "workflow",
        handle: 0,
        name: "child",
        inputs: null,
        queue: "home",
        priority: 0,
        runAt: null,
        idempotencyKey: null,
        debounce: null,
        timeoutMs: null,
        concurrency: null,
        rateLimit: null,
      },
    ],
  );
  assert.deepEqual(
    plan.timers.map((t) => [t.at, t.kind]),
    [[11_000, "timer"]],
  );
  assert.equal(plan.outcome.status, "suspended");
  assert.equal(plan.toParent, null);
});

test("a wait or timer lost to a race in the activation that made it is never made; a stored loser keeps its wait", () => {
  const plan = planEffects(
    activate(`
const stored = Signal.next("kept");
await Promise.race([stored, "now"]);
await Promise.race([Signal.next("lost"), Timer.delay("1h"), "now"]);
await Signal.when("last", { timeout: "5s" });
`),
    self,
  );
  assert.deepEqual(
    plan.signalWaits.map((w) => w.name),
    ["kept", "last"],
  );
  assert.deepEqual(
    plan.timers.map((t) => t.kind),
    ["signal-timeout"],
  );
  assert.equal(plan.dropped.length, 2, "the host still learns which handles went");
});

test("an ended workflow tells its parent: its output, or a WorkflowError wrapping its error", () => {
  assert.deepEqual(planEffects(activate(`return { ok: 1 };`), self).toParent, { ok: true, value: { ok: 1 } });
  const failed = planEffects(activate(`throw TypeError("bad");`), self);
  assert.equal(failed.outcome.status, "failed");
  assert.equal(failed.toParent?.ok, false);
  const error = (failed.toParent as { error: Record<string, unknown> }).error;
  assert.equal(error.type, "WorkflowError");
  assert.equal(error.executionId, self.id);
  assert.equal((error.cause as { message: string }).message, "bad");
});

test("pairSignals: per name, the k-th oldest wait takes the k-th oldest signal; the rest wait", () => {
  const waits = [
    { seq: 1, name: "a" },
    { seq: 2, name: "b" },
    { seq: 3, name: "a" },
    { seq: 4, name: "a" },
  ];
  const signals = [
    { seq: 10, name: "a" },
    { seq: 11, name: "c" },
    { seq: 12, name: "a" },
    { seq: 13, name: "b" },
    { seq: 14, name: "b" },
  ];
  assert.deepEqual(
    pairSignals(waits, signals).map(([w, s]) => [w.seq, s.seq]),
    [
      [1, 10],
      [2, 13],
      [3, 12],
    ],
  );
  assert.deepEqual(pairSignals([], signals), []);
  assert.deepEqual(pairSignals(waits, []), []);
});
