// The saved interpreter state (src/vm/snapshot.ts) driven through the Machine directly: whatever
// a workflow holds at an `await` must come back the same after JSON.stringify/JSON.parse into a
// fresh machine — aliasing, cycles, shared closure variables, special numbers, built-in identity —
// and the state must be plain data, versioned, size-limited, and honest about dropped waits.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFlow } from "../../src/compiler/index.js";
import type { Program } from "../../src/compiler/index.js";
import {
  Machine,
  type ActivationResult,
  type Effect,
  type Limits,
  type MachineHost,
  type Settlement,
} from "../../src/vm/machine.js";
import { STATE_FORMAT, restoreState, saveState, type SavedState } from "../../src/vm/snapshot.js";

const host: MachineHost = { now: () => 0, random: () => 0.5, hasWorkflow: () => true };

const context = {
  executionId: "exec-1",
  workflowName: "snap",
  version: "test",
  attempt: 1,
  parentId: null,
  startedAt: "1970-01-01T00:00:00.000Z",
};

function start(source: string, limits?: Partial<Limits>): { program: Program; machine: Machine } {
  const { program } = compileFlow(source, "snap.flow");
  return { program, machine: Machine.start(program, { inputs: { n: 1 }, context, host, limits }) };
}

/** A fresh machine continuing from `state` after it went through JSON text. */
function throughJson(program: Program, state: SavedState | undefined, limits?: Partial<Limits>): Machine {
  assert.ok(state, "a suspended activation carries its state");
  return Machine.restore(program, JSON.parse(JSON.stringify(state)) as SavedState, { host, limits });
}

/** Fires every timer the activation created (resolving to null). */
function fireTimers(effects: Effect[]): Settlement[] {
  return effects.flatMap((e) => (e.type === "timer" ? [{ handle: e.handle, ok: true as const, value: null }] : []));
}

/**
 * Runs a timer-only workflow to its end, moving its state through JSON into a new machine at
 * every suspension. Returns the final result and how many suspensions it went through.
 */
function runThroughJson(source: string): { result: ActivationResult; suspensions: number } {
  const { program, machine } = start(source);
  let result = machine.activate();
  let suspensions = 0;
  while (result.status === "suspended") {
    assert.ok(++suspensions < 100, "the workflow keeps suspending");
    const settlements = fireTimers(result.effects);
    assert.ok(settlements.length > 0, "suspended without a timer to fire");
    result = throughJson(program, result.state).activate(settlements);
  }
  return { result, suspensions };
}

/** The output of a completed activation (fails the test otherwise). */
function outputOf(r: ActivationResult): unknown {
  if (r.status !== "completed")
    assert.fail(`expected completed, got ${r.status}: ${JSON.stringify(r.status === "failed" ? r.error : r.waits)}`);
  return r.output;
}

/** The saved state of a suspended activation (fails the test otherwise). */
function stateOf(r: ActivationResult): SavedState {
  if (r.status !== "suspended") assert.fail(`expected suspended, got ${r.status}`);
  return r.state;
}

function completedOutput(source: string): unknown {
  const { result, suspensions } = runThroughJson(source);
  assert.ok(suspensions > 0, "the program must suspend at least once for the test to mean anything");
  return outputOf(result);
}

test("aliasing survives a JSON round trip: a mutation through one variable is seen through the other", () => {
  const output = completedOutput(
    [
      "const a = { count: 1, list: [1] }",
      "const b = a",
      "const holder = { inner: a, again: a }",
      "const arr = [1, 2]",
      "const alsoArr = arr",
      "await Timer.delay(1)",
      "b.count = 2",
      "b.list.push(2)",
      "alsoArr.push(3)",
      "holder.again.extra = true",
      "return [a === b, holder.inner === a, a.count, a.list, holder.inner.extra, arr, arr === alsoArr]",
    ].join("\n"),
  );
  assert.deepEqual(output, [true, true, 2, [1, 2], true, [1, 2, 3], true]);
});

test("cycles survive: an object containing itself, an array containing itself, a two-object loop", () => {
  const output = completedOutput(
    [
      'const o = { name: "o" }',
      "o.self = o",
      "const arr = [1]",
      "arr.push(arr)",
      'const x = { name: "x" }, y = { name: "y", x }',
      "x.y = y",
      "await Timer.delay(1)",
      "return [o.self === o, o.self.self.self.name, arr[1] === arr, arr[1][1][0], x.y.x === x, y.x.y.name]",
    ].join("\n"),
  );
  assert.deepEqual(output, [true, "o", true, 1, true, "y"]);
});

test("closures sharing one captured variable keep sharing it after restore", () => {
  const output = completedOutput(
    [
      "function make() {",
      "  let n = 0",
      "  return { inc: () => ++n, add: (k) => { n += k; return n }, get: () => n }",
      "}",
      "const c = make()",
      "const other = make()",
      "c.inc()",
      "await Timer.delay(1)",
      "c.inc()",
      "await Timer.delay(1)",
      "c.add(10)",
      "other.inc()",
      "return [c.get(), other.get()]",
    ].join("\n"),
  );
  // One variable shared by three closures (and a separate one for the second counter).
  assert.deepEqual(output, [12, 1]);
});

test("-0, NaN, Infinity and undefined inside arrays and objects survive", () => {
  const output = completedOutput(
    [
      "const arr = [-0, NaN, Infinity, -Infinity, undefined, 0]",
      "const obj = { z: -0, n: NaN, i: Infinity, m: -Infinity, u: undefined }",
      "let loose = undefined",
      "await Timer.delay(1)",
      "return {",
      "  arr: [1 / arr[0], Number.isNaN(arr[1]), arr[2], arr[3], arr[4] === undefined, arr.length, 1 / arr[5]],",
      "  obj: [1 / obj.z, Number.isNaN(obj.n), obj.i, obj.m, Object.keys(obj), obj.u === undefined],",
      "  loose: loose === undefined,",
      "}",
    ].join("\n"),
  );
  // Infinity leaves as null through the JSON output, so it is compared via 1 / x and arithmetic.
  assert.deepEqual(output, {
    arr: [null, true, null, null, true, 6, null],
    obj: [null, true, null, null, ["z", "n", "i", "m", "u"], true],
    loose: true,
  });
  const signs = completedOutput(
    [
      "const arr = [-0, Infinity, -Infinity, 0]",
      "const obj = { z: -0 }",
      "await Timer.delay(1)",
      "return [1 / arr[0] < 0, arr[1] > 1e308, arr[2] < -1e308, 1 / arr[3] > 0, 1 / obj.z < 0, Object.is(obj.z, -0)]",
    ].join("\n"),
  );
  assert.deepEqual(signs, [true, true, true, true, true, true]);
});

test("built-in identity survives: f === Math.max after restore, and it still works", () => {
  const output = completedOutput(
    [
      "const f = Math.max",
      "const M = Math",
      "const fns = { parse: JSON.parse, keys: Object.keys }",
      "await Timer.delay(1)",
      "return [f === Math.max, f(1, 7, 3), M === Math, M.min(4, 2), fns.parse === JSON.parse, fns.keys === Object.keys, fns.keys({ a: 1 })]",
    ].join("\n"),
  );
  assert.deepEqual(output, [true, 7, true, 2, true, true, ["a"]]);
});

test("a state with the wrong format is refused with a clear error", () => {
  const { program, machine } = start("await Timer.delay(1)\nreturn 1\n");
  const result = machine.activate();
  assert.equal(result.status, "suspended");
  const state = stateOf(result);
  assert.equal(state.format, STATE_FORMAT);
  const wrong = { ...state, format: STATE_FORMAT + 1 } as unknown as SavedState;
  const message = `saved state has format ${STATE_FORMAT + 1}; this version reads format ${STATE_FORMAT}`;
  assert.throws(() => restoreState(wrong), { message });
  assert.throws(() => Machine.restore(program, wrong, { host }), { message });
  const missing = { ...state } as Partial<SavedState>;
  delete missing.format;
  assert.throws(() => restoreState(missing as SavedState), {
    message: `saved state has format undefined; this version reads format ${STATE_FORMAT}`,
  });
  // The right format still restores.
  assert.equal(outputOf(Machine.restore(program, state, { host }).activate(fireTimers(result.effects))), 1);
});

test("save ∘ restore is the identity on the saved state", () => {
  const { program, machine } = start(
    "const o = { a: [1, { b: 2 }] }\no.a.push(o)\nlet n = 0\nconst inc = () => ++n\ninc()\nawait Timer.delay(1)\nreturn [inc(), o.a.length]\n",
  );
  const result = machine.activate();
  const state = stateOf(result);
  const restored = restoreState(JSON.parse(JSON.stringify(state)) as SavedState);
  assert.equal(restored.nextId, state.nextId);
  assert.equal(restored.fibers.length, state.fibers.length);
  assert.deepEqual(
    restored.pendingHost.map((h) => h.id),
    result.pending,
  );
  assert.deepEqual(saveState(throughJson(program, state)).state, state);
});

test("unreachable pending signal waits are reported in dropped; reachable ones stay pending", () => {
  const { program, machine } = start(
    [
      'const kept = Signal.next("kept")',
      'const winner = await Promise.race([Signal.next("lost"), Timer.delay(1)])',
      "const got = await kept",
      "return [winner, got]",
    ].join("\n"),
  );
  const first = machine.activate();
  assert.equal(first.status, "suspended");
  const handleOf = (type: string, name?: string) => {
    const e = first.effects.find((x) => x.type === type && (name === undefined || ("name" in x && x.name === name)));
    assert.ok(e && "handle" in e, `no ${type} effect ${name ?? ""}`);
    return e.handle;
  };
  const kept = handleOf("signal", "kept");
  const lost = handleOf("signal", "lost");
  const timer = handleOf("timer");
  assert.deepEqual([...first.pending].sort(), [kept, lost, timer].sort());
  assert.deepEqual(first.dropped, []);

  // The timer wins the race: nothing can observe the "lost" wait any more.
  const second = throughJson(program, first.state).activate([{ handle: timer, ok: true, value: null }]);
  assert.equal(second.status, "suspended");
  assert.deepEqual(second.dropped, [lost]);
  assert.deepEqual(second.pending, [kept]);
  assert.deepEqual(
    second.waits.map((w) => [w.description, w.handles, w.line]),
    [['signal "kept"', [kept], 3]],
  );
  // A settlement for the dropped wait is ignored; the kept one finishes the workflow.
  const third = throughJson(program, second.state).activate([
    { handle: lost, ok: true, value: "too late" },
    { handle: kept, ok: true, value: "hello" },
  ]);
  assert.equal(third.status, "completed");
  assert.deepEqual(third.output, [null, "hello"]);
  assert.deepEqual(third.dropped, []);
});

test("a stored race loser stays pending (it can still be awaited)", () => {
  const { program, machine } = start(
    ['const lost = Signal.next("lost")', "await Promise.race([lost, Timer.delay(1)])", "return await lost"].join("\n"),
  );
  const first = machine.activate();
  const timer = first.effects.find((e) => e.type === "timer")!;
  const lost = first.effects.find((e) => e.type === "signal")!;
  assert.ok("handle" in timer && "handle" in lost);
  const second = throughJson(program, stateOf(first)).activate([{ handle: timer.handle, ok: true, value: null }]);
  assert.equal(second.status, "suspended");
  assert.deepEqual(second.dropped, []);
  assert.deepEqual(second.pending, [lost.handle]);
});

test("the state-size limit fails the execution with a RangeError naming the limit, past any catch", () => {
  const source = [
    "const big = []",
    'for (let i = 0; i < 100; i++) big.push("item number " + i)',
    'try { await Timer.delay(1) } catch (e) { return "caught" }',
    "return big.length",
  ].join("\n");
  const { machine } = start(source, { maxStateBytes: 1000 });
  const result = machine.activate();
  assert.equal(result.status, "failed");
  assert.equal("state" in result, false);
  const error = result.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error), ["name", "type", "message"]);
  assert.equal(error.name, "RangeError");
  assert.equal(error.type, "RangeError");
  assert.match(
    String(error.message),
    /^state size limit exceeded: the saved state would be at least \d+ bytes, more than the limit of 1000 \(raise it with the maxStateBytes limit\)$/,
  );
  // counted while encoding, and stopped there: a lower bound of the real size
  const bytes = Number(/would be at least (\d+) bytes/.exec(String(error.message))![1]);
  assert.ok(bytes > 1000);
  // The activation failed part-way: the timer it started is not created at all.
  assert.deepEqual(result.effects, []);
  assert.deepEqual(result.dropped, []);
  // With the default limit the same program suspends and completes.
  const ok = start(source).machine.activate();
  assert.equal(ok.status, "suspended");
  assert.ok(Buffer.byteLength(JSON.stringify(ok.state)) >= bytes);
});

test("the saved state is plain JSON data: no host object, no undefined, no special number", () => {
  const { program, machine } = start(
    [
      "const arr = [-0, NaN, Infinity, undefined, null, 'text', true]",
      "arr.label = 'named property on an array'",
      "const obj = { nested: { deep: [1, [2, [3]]] }, u: undefined, self: null }",
      "obj.self = obj",
      "const push = arr.push",
      "const M = Math",
      "const max = Math.max",
      "let shared = 0",
      "const bump = () => ++shared",
      "async function worker(i) {",
      "  try {",
      "    await Timer.delay(i)",
      "    bump()",
      "    return i",
      "  } finally {",
      "    bump()",
      "  }",
      "}",
      "const running = [worker(1), worker(2)]",
      "const stored = Timer.delay(5)",
      "const all = await Promise.all(running)",
      "await stored",
      "return [all, shared, max(1, 2), M.min(1, 2), arr.length, typeof push]",
    ].join("\n"),
  );
  let result = machine.activate();
  let states = 0;
  while (result.status === "suspended") {
    const state = result.state!;
    states++;
    // deepStrictEqual compares prototypes: any class instance, undefined or -0 would differ.
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
    assert.deepEqual(Object.keys(state).sort(), ["context", "fibers", "format", "heap", "inputs", "main", "nextId"]);
    // One timer at a time, oldest first, so the workflow suspends several times.
    const next = Math.min(...result.pending);
    result = throughJson(program, state).activate([{ handle: next, ok: true, value: null }]);
  }
  assert.equal(states, 3);
  assert.deepEqual(outputOf(result), [[1, 2], 4, 2, 1, 7, "function"]);
});
