// The public testing API ("rhythm-flow/testing": MemoryHost, runFlowFile, folderLoader) as a user's
// own tests would drive it: signals sent while suspended, a virtual clock moved by hand, task
// mocks written as async functions, child executions, resume mode and the runaway guard.

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_START_TIME,
  MemoryHost,
  RunawayError,
  folderLoader,
  runFlowFile,
  type MemoryHostOptions,
} from "../../src/testing/index.js";
import { FlowLoadError } from "../../src/lang/index.js";

const root = mkdtempSync(join(tmpdir(), "rhythm-memory-host-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Writes `files` (name → source) into a fresh folder; returns the path of the first one. */
function flows(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, "case-"));
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  return join(dir, Object.keys(files)[0]);
}

function hostFor(files: Record<string, string>, options: Omit<MemoryHostOptions, "loadWorkflow"> = {}): MemoryHost {
  return new MemoryHost({ loadWorkflow: folderLoader(flows(files)), ...options });
}

const HOUR = 3600_000;

test("signals sent with host.signal while the workflow is suspended are delivered by the next run()", async () => {
  const host = hostFor({
    "approve.flow":
      'const first = await Signal.next("approve")\nconst second = await Signal.next("approve")\nreturn [first, second]\n',
  });
  const id = host.start("approve");
  await host.run();
  let view = host.get(id);
  assert.equal(view.status, "suspended");
  assert.deepEqual(
    view.waits.map((w) => [w.description, w.line, w.function]),
    [['signal "approve"', 1, "main"]],
  );
  host.signal(id, "approve", { by: "ann" });
  host.signal(id, "other", "ignored: nobody waits for it");
  assert.equal(host.get(id).status, "suspended", "a signal alone runs nothing");
  await host.run();
  view = host.get(id);
  assert.equal(view.status, "suspended");
  assert.deepEqual(
    view.waits.map((w) => [w.description, w.line]),
    [['signal "approve"', 2]],
  );
  host.signal(id, "approve", 2);
  await host.run();
  view = host.get(id);
  assert.equal(view.status, "completed");
  assert.deepEqual(view.output, [{ by: "ann" }, 2]);
  assert.deepEqual(view.waits, []);
});

test("advance(ms) moves the virtual clock exactly that far and fires only the timers due by then", async () => {
  const host = hostFor({
    "clock.flow": [
      'console.log("start")',
      'await Timer.delay("1h")',
      'console.log("one hour")',
      'await Timer.delay("1h")',
      "return Date.now()",
    ].join("\n"),
  });
  const id = host.start("clock");
  const messages = () => host.logs.map((l) => l.message);
  await host.advance(HOUR / 2);
  assert.equal(host.clock, DEFAULT_START_TIME + HOUR / 2);
  assert.equal(host.get(id).status, "suspended");
  assert.deepEqual(messages(), ["start"], "the 1h timer must not fire after 30 minutes");
  await host.advance(HOUR / 2);
  assert.equal(host.clock, DEFAULT_START_TIME + HOUR);
  assert.deepEqual(messages(), ["start", "one hour"]);
  assert.equal(host.get(id).status, "suspended");
  assert.deepEqual(
    host.get(id).waits.map((w) => w.description),
    [`timer until ${new Date(DEFAULT_START_TIME + 2 * HOUR).toISOString()}`],
  );
  await host.advance(HOUR - 1);
  assert.equal(host.get(id).status, "suspended", "one millisecond early");
  await host.advance(1);
  assert.equal(host.clock, DEFAULT_START_TIME + 2 * HOUR);
  assert.equal(host.get(id).status, "completed");
  assert.equal(host.get(id).output, DEFAULT_START_TIME + 2 * HOUR);
});

test("run() (by default) jumps the clock to the next timer; run({ advanceClock: false }) does not", async () => {
  const host = hostFor({ "wait.flow": 'await Timer.delay("1h")\nreturn Date.now()\n' }, { startTime: 1_000 });
  const id = host.start("wait");
  await host.run({ advanceClock: false });
  assert.equal(host.get(id).status, "suspended");
  assert.equal(host.clock, 1_000);
  await host.run();
  assert.equal(host.get(id).status, "completed");
  assert.equal(host.get(id).output, 1_000 + HOUR);
  assert.equal(host.clock, 1_000 + HOUR);
});

test("task mocks may be async functions: they receive the inputs, and a throw becomes a TaskError with its message", async () => {
  const seen: unknown[] = [];
  const host = hostFor(
    {
      "pay.flow": [
        'const greeting = await Task.run("greet", { name: "ada" })',
        'try { await Task.run("charge", { cents: 5 }) } catch (e) { return [greeting, e] }',
        'return "charge did not fail"',
      ].join("\n"),
    },
    {
      tasks: {
        greet: async (inputs, ctx) => {
          seen.push(["greet", inputs, ctx]);
          await new Promise((resolve) => setTimeout(resolve, 5));
          return `hi ${(inputs as { name: string }).name}`;
        },
        charge: async (inputs) => {
          seen.push(["charge", inputs]);
          throw new Error("card declined");
        },
      },
    },
  );
  const id = host.start("pay");
  await host.run();
  const view = host.get(id);
  assert.equal(view.status, "completed");
  assert.deepEqual(view.output, [
    "hi ada",
    {
      name: "TaskError",
      type: "TaskError",
      message: "card declined",
      task: "charge",
      attempts: 1,
      cause: { name: "Error", message: "card declined" },
    },
  ]);
  assert.deepEqual(seen, [
    // each mocked task call gets its own execution id; its parent is the calling workflow
    ["greet", { name: "ada" }, { executionId: `${id}-task-1`, attempt: 1, parentId: id }],
    ["charge", { cents: 5 }],
  ]);
  assert.deepEqual(view.taskCalls, [
    { name: "greet", inputs: { name: "ada" } },
    { name: "charge", inputs: { cents: 5 } },
  ]);
  assert.deepEqual(
    [...host.taskCounts],
    [
      ["greet", 1],
      ["charge", 1],
    ],
  );
});

test("an uncaught throw from a function mock fails the workflow with the TaskError", async () => {
  const host = hostFor(
    { "fail.flow": 'return await Task.run("boom", { n: 1 })\n' },
    {
      tasks: {
        boom: async () => {
          throw new RangeError("too big");
        },
      },
    },
  );
  const id = host.start("fail");
  await host.run();
  assert.deepEqual(host.get(id), {
    id,
    name: "fail",
    status: "failed",
    output: null,
    error: {
      name: "TaskError",
      type: "TaskError",
      message: "too big",
      task: "boom",
      attempts: 1,
      cause: { name: "RangeError", message: "too big" },
    },
    parentId: null,
    taskCalls: [{ name: "boom", inputs: { n: 1 } }],
    waits: [],
    errorAt: host.get(id).errorAt,
  });
  assert.match(host.get(id).errorAt ?? "", /\/fail\.flow:1:8 \(main\)$/);
});

test("get() shows a child execution with its parentId, its own task calls and its waits", async () => {
  const host = hostFor(
    {
      "parent.flow": 'const r = await Workflow.run("child", { n: 2 })\nreturn { child: r, mine: Context.executionId }\n',
      "child.flow": [
        'await Task.run("inner", { n: Inputs.n })',
        'const go = await Signal.next("go")',
        "return { parent: Context.parentId, doubled: Inputs.n * 2, go }",
      ].join("\n"),
    },
    { tasks: { inner: { returns: null } } },
  );
  const parentId = host.start("parent");
  await host.run();
  const ids = [...host.executions.keys()];
  assert.equal(ids.length, 2);
  const childId = ids.find((x) => x !== parentId)!;
  const waiting = host.get(childId);
  assert.equal(waiting.status, "suspended");
  assert.equal(waiting.parentId, parentId);
  assert.deepEqual(
    waiting.waits.map((w) => w.description),
    ['signal "go"'],
  );
  assert.deepEqual(
    host.get(parentId).waits.map((w) => w.description),
    ['child workflow "child"'],
  );
  host.signal(childId, "go", true);
  await host.run();
  assert.deepEqual(host.get(childId), {
    id: childId,
    name: "child",
    status: "completed",
    output: { parent: parentId, doubled: 4, go: true },
    error: null,
    parentId,
    taskCalls: [{ name: "inner", inputs: { n: 2 } }],
    waits: [],
    errorAt: null,
  });
  assert.deepEqual(host.get(parentId), {
    id: parentId,
    name: "parent",
    status: "completed",
    output: { child: { parent: parentId, doubled: 4, go: true }, mine: parentId },
    error: null,
    parentId: null,
    taskCalls: [],
    waits: [],
    errorAt: null,
  });
  assert.throws(() => host.get("exec-999"), { message: 'unknown execution "exec-999"' });
});

// A workflow that touches everything a suspension must carry: closures, shared and cyclic data,
// tasks, timers, signals, a child and concurrent async functions.
const RICH = {
  "rich.flow": [
    "const log = []",
    "const shared = { hits: 0 }",
    "const a = { shared }, b = { shared }",
    "shared.self = shared",
    "function counter() { let n = 0; return { inc: () => ++n, get: () => n } }",
    "const c = counter()",
    "c.inc()",
    'const greet = await Task.run("greet", { who: "ada" })',
    "a.shared.hits++",
    "const results = await Promise.all([1, 2, 3].map(async (i) => {",
    "  await Timer.delay(i)",
    "  b.shared.hits += i",
    "  c.inc()",
    '  return await Task.run("square", { i })',
    "}))",
    'const child = await Workflow.run("kid", { base: 10 })',
    'const sig = await Signal.next("go")',
    "log.push(sig)",
    "return { greet, results, child, hits: shared.hits, cyclic: shared.self.self === shared, count: c.get(), log, now: Date.now() }",
  ].join("\n"),
  "kid.flow": 'await Timer.delay("1m")\nreturn Inputs.base + 1\n',
};

async function runRich(resumeMode: boolean) {
  const host = hostFor(RICH, {
    resumeMode,
    tasks: {
      greet: async (inputs) => `hello ${(inputs as { who: string }).who}`,
      square: async (inputs) => (inputs as { i: number }).i ** 2,
    },
  });
  const id = host.start("rich");
  const startedMachine = host.executions.get(id)!.machine;
  await host.run();
  const suspended = host.get(id);
  // In resume mode the suspended execution continues in a machine rebuilt from JSON.
  assert.equal(host.executions.get(id)!.machine !== startedMachine, resumeMode);
  host.signal(id, "go", { ok: 1 });
  await host.run();
  return {
    suspended,
    final: host.get(id),
    executions: [...host.executions.keys()].map((x) => host.get(x)),
    logs: host.logs,
    clock: host.clock,
  };
}

test("resumeMode: true (state through JSON at every suspension) gives identical results", async () => {
  const plain = await runRich(false);
  const resumed = await runRich(true);
  assert.equal(plain.final.status, "completed");
  assert.deepEqual(plain.final.output, {
    greet: "hello ada",
    results: [1, 4, 9],
    child: 11,
    hits: 7,
    cyclic: true,
    count: 4,
    log: [{ ok: 1 }],
    now: DEFAULT_START_TIME + 63_000,
  });
  assert.deepEqual(resumed, plain);
});

test("maxActivations: a workflow looping on await Timer.delay(1) forever makes runFlowFile fail with a RangeError", async () => {
  const file = flows({ "loop.flow": "while (true) await Timer.delay(1)\n" });
  const result = await runFlowFile(file, { maxActivations: 50 });
  assert.deepEqual(result, {
    status: "failed",
    output: null,
    error: {
      name: "RangeError",
      type: "RangeError",
      message:
        "stopped after 50 activations at virtual time 2026-01-01T00:00:50.000Z: the workflow seems to loop forever (raise maxActivations)",
    },
    taskCalls: [],
    logs: [],
    waits: [],
  });
});

test("maxActivations: MemoryHost.run throws RunawayError, and a finite timer loop under the limit completes", async () => {
  const host = hostFor({ "loop.flow": "while (true) await Timer.delay(1)\n" }, { maxActivations: 10 });
  host.start("loop");
  await assert.rejects(host.run(), (e: unknown) => {
    assert.ok(e instanceof RunawayError);
    assert.match(e.message, /^stopped after 10 activations at virtual time /);
    return true;
  });
  const finite = flows({ "thirty.flow": "let i = 0\nwhile (i < 30) { await Timer.delay(1); i++ }\nreturn i\n" });
  const result = await runFlowFile(finite, { maxActivations: 50 });
  assert.equal(result.status, "completed");
  assert.equal(result.output, 30);
});

test("signalling a finished execution throws; so does signalling an unknown one", async () => {
  const host = hostFor({ "done.flow": "return 1\n", "bad.flow": 'throw Error("no")\n' });
  const done = host.start("done");
  const bad = host.start("bad");
  await host.run();
  assert.equal(host.get(done).status, "completed");
  assert.equal(host.get(bad).status, "failed");
  assert.throws(() => host.signal(done, "late", 1), {
    message: `execution "${done}" has finished (completed); it takes no more signals`,
  });
  assert.throws(() => host.signal(bad, "late", 1), {
    message: `execution "${bad}" has finished (failed); it takes no more signals`,
  });
  assert.throws(() => host.signal("exec-404", "x", 1), { message: 'unknown execution "exec-404"' });
});

test("runFlowFile: inputs, task mocks, signals before start, logs and the waits of a suspended run", async () => {
  const file = flows({
    "main.flow": [
      'console.log("inputs", Inputs.x)',
      'const t = await Task.run("t", { x: Inputs.x })',
      'const s = await Signal.next("s")',
      'const never = await Signal.next("never")',
      "return [t, s, never]",
    ].join("\n"),
  });
  const result = await runFlowFile(file, { inputs: { x: 5 }, tasks: { t: { echo: true } }, signals: [["s", "payload"]] });
  assert.equal(result.status, "suspended");
  assert.equal(result.output, null);
  assert.equal(result.error, null);
  assert.deepEqual(result.taskCalls, [{ name: "t", inputs: { x: 5 } }]);
  assert.deepEqual(
    result.logs.map((l) => [l.workflow, l.line, l.level, l.message, l.source]),
    [["main", 1, "log", "inputs 5", "console"]],
  );
  assert.deepEqual(result.waits, [{ description: 'signal "never"', line: 4, column: 15, function: "main" }]);
});

test("folderLoader loads <name>.flow next to the root file, null for other names, and reports load errors", () => {
  const file = flows({ "root.flow": "return 1\n", "sibling.flow": "return 2\n", "broken.flow": "class A {}\n" });
  const load = folderLoader(file);
  const sibling = load("sibling");
  assert.ok(sibling);
  assert.equal(sibling.source, "return 2\n");
  assert.equal(load("sibling"), sibling, "loaded once, then cached");
  assert.equal(load("root")?.source, "return 1\n");
  assert.equal(load("missing"), null);
  assert.equal(load("../root"), null, "names cannot leave the folder");
  assert.throws(
    () => load("broken"),
    (e: unknown) =>
      e instanceof FlowLoadError && /broken\.flow:1:1 `class` is not supported/.test(e.errors.map((x) => x.format()).join("\n")),
  );
  const withSource = folderLoader(file, "return 3\n");
  assert.equal(withSource("root")?.source, "return 3\n", "the root's given source wins over the file");
});

test("Task.run options act as in the engine: a delay or runAt waits for the virtual clock, retries call the mock again after their backoff", async () => {
  const attempts: { at: number; attempt: number; executionId: string }[] = [];
  const start = DEFAULT_START_TIME;
  const host: MemoryHost = hostFor(
    {
      "options.flow": `
const later = await Task.run("stamp", { n: 1 }, { delay: "1h" });
const at = await Task.run("stamp", { n: 2 }, { runAt: Date.now() + 60000 });
const flaky = await Task.run("flaky", {}, { retries: { limit: 2, initial: "10s", factor: 3 } });
return [later, at, flaky];
`,
    },
    {
      tasks: {
        stamp: () => host.clock - start,
        flaky: (_inputs, ctx) => {
          attempts.push({ at: host.clock - start, attempt: ctx.attempt, executionId: ctx.executionId });
          if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} fails`);
          return "third time";
        },
      },
    },
  );
  const id = host.start("options");
  await host.run();
  const view = host.get(id);
  assert.equal(view.status, "completed", JSON.stringify(view.error));
  assert.deepEqual(view.output, [HOUR, HOUR + 60_000, "third time"]);
  // one task, three attempts; equal jitter puts each backoff between half and all of 10 s, then 30 s
  assert.deepEqual(
    attempts.map((a) => [a.attempt, a.executionId]),
    [
      [1, attempts[0].executionId],
      [2, attempts[0].executionId],
      [3, attempts[0].executionId],
    ],
  );
  const [first, second, third] = attempts.map((a) => a.at);
  assert.ok(second - first >= 5_000 && second - first <= 10_000, `first backoff ${second - first} ms`);
  assert.ok(third - second >= 15_000 && third - second <= 30_000, `second backoff ${third - second} ms`);
});

test("retries: the TaskError after the last attempt counts them; without retries a mock runs once; nonRetryable stops at once", async () => {
  const r = await runFlowFile(
    flows({
      "retries.flow": `
const out = [];
for (const options of [{ retries: 2 }, {}, { retries: { limit: 5, initial: 1 } }]) {
  try {
    await Task.run(options.retries === 2 ? "down" : options.retries ? "fatal" : "down", {}, options);
  } catch (e) {
    out.push([e.task, e.attempts]);
  }
}
return out;
`,
    }),
    {
      tasks: {
        down: { fails: { message: "down" } },
        fatal: { fails: { message: "fatal", nonRetryable: true } },
      },
    },
  );
  assert.deepEqual(r.output, [
    ["down", 3],
    ["down", 1],
    ["fatal", 1],
  ]);
});

test("a function mock slower than the call's timeout fails its attempt with the engine's Timeout error", async () => {
  const r = await runFlowFile(
    flows({
      "timeout.flow": `
try {
  return await Task.run("slow", {}, { timeout: "50ms" });
} catch (e) {
  return [e.type, e.cause];
}
`,
    }),
    { tasks: { slow: () => new Promise((resolve) => setTimeout(() => resolve("late"), 2000).unref()) } },
  );
  assert.deepEqual(r.output, [
    "TaskError",
    { name: "Timeout", message: "the attempt ran longer than its timeout of 50 ms", type: "Timeout", timeoutMs: 50 },
  ]);
});

test("idempotency keys: a call whose key is taken starts nothing and settles with the holder's outcome, now or when it ends", async () => {
  let calls = 0;
  const host = hostFor(
    {
      "keys.flow": `
const a = Task.run("once", { n: 1 }, { idempotencyKey: "k" });
const b = Task.run("once", { n: 2 }, { idempotencyKey: "k" });
const child = Workflow.run("child", { n: 3 }, { idempotencyKey: "c" });
const sameChild = Workflow.run("child", { n: 4 }, { idempotencyKey: "c" });
const first = await Promise.all([a, b, child, sameChild]);
const later = [await Task.run("once", { n: 5 }, { idempotencyKey: "k" }), await Workflow.run("child", { n: 6 }, { idempotencyKey: "c" })];
return { first, later };
`,
      "child.flow": "return Inputs.n * 10\n",
    },
    { tasks: { once: (inputs) => ({ calls: ++calls, n: (inputs as { n: number }).n }) } },
  );
  const id = host.start("keys");
  await host.run();
  const view = host.get(id);
  assert.deepEqual(view.output, {
    first: [{ calls: 1, n: 1 }, { calls: 1, n: 1 }, 30, 30],
    later: [{ calls: 1, n: 1 }, 30],
  });
  assert.deepEqual(view.taskCalls, [{ name: "once", inputs: { n: 1 } }]);
  assert.equal([...host.executions.values()].filter((e) => e.name === "child").length, 1);
});
