// Reading saved states as named variables (src/vm/inspect-state.ts, src/vm/show-value.ts): real
// states of runs paused in the in-memory host, read back with the paused line, the variables in
// scope by name with their values (special values, functions, handles, cut values, cycles and
// shared references each shown as what they are), what the run awaits with the host's ids; the
// same after a JSON round trip; programs compiled before debug tables; the last state of a failed
// run. Over the whole corpus, the names shown at every pause agree with the front end's scoping.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFlow, type CompiledFlow, type Program } from "../../src/compiler/index.js";
import { MemoryHost, folderLoader } from "../../src/testing/index.js";
import type { TaskMock } from "../../src/testing/mocks.js";
import { inspectState, type Inspection } from "../../src/vm/inspect-state.js";
import { Machine, type Limits, type MachineHost, type Settlement } from "../../src/vm/machine.js";
import { showText, type HostHandleInfo, type Shown } from "../../src/vm/show-value.js";
import type { SavedState } from "../../src/vm/snapshot.js";
import { loadCorpus } from "../support/corpus.js";
import { ScopeOracle } from "../support/scope-oracle.js";

const START = Date.UTC(2026, 0, 1);
const machineHost: MachineHost = { now: () => START, random: () => 0.5, hasWorkflow: () => true };

interface Paused {
  flow: CompiledFlow;
  state: SavedState;
  /** What a store would know: an id for every task and child the run started. */
  handles: Map<number, HostHandleInfo>;
}

/**
 * Runs `source` on a machine until it waits on something not in `results` (task name → the
 * values its calls return, in order): a run paused exactly where a test wants it.
 */
function pause(source: string, results: Record<string, unknown[]> = {}, inputs: unknown = {}): Paused {
  const flow = compileFlow(source, "paused.flow");
  const context = { executionId: "e", workflowName: "paused", version: flow.version, attempt: 1, parentId: null, startedAt: "" };
  const machine = Machine.start(flow.program, { inputs, context, host: machineHost });
  const handles = new Map<number, HostHandleInfo>();
  const queued = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, [...v]]));
  let settlements: Settlement[] = [];
  for (;;) {
    const r = machine.activate(settlements);
    if (r.status !== "suspended")
      assert.fail(`the run ended ${r.status}: ${JSON.stringify(r.status === "failed" ? r.error : r.output)}`);
    settlements = [];
    for (const e of r.effects) {
      if (e.type === "task") {
        handles.set(e.handle, { id: `task-${e.handle}` });
        if (queued[e.name]?.length) settlements.push({ handle: e.handle, ok: true, value: queued[e.name].shift() });
      }
      if (e.type === "workflow") handles.set(e.handle, { id: `child-${e.handle}` });
    }
    if (settlements.length === 0) return { flow, state: r.state, handles };
  }
}

function inspect(source: string, results: Record<string, unknown[]> = {}, inputs: unknown = {}): Inspection {
  const p = pause(source, results, inputs);
  return inspectState({ program: p.flow.program, state: p.state, source: p.flow.source, handles: p.handles });
}

/** The variables of a frame as one line of text each. */
function texts(variables: Record<string, Shown>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, showText(v)]));
}

describe("inspect: where a run is paused", () => {
  it("gives the paused line, its text and the variables in scope by name", () => {
    const src = [
      "const order = { id: 7, items: ['a', 'b'] };",
      "let total = 0;",
      "for (const item of order.items) {",
      "  const price = await Task.run('price', { item });",
      "  total += price;",
      "}",
    ].join("\n");
    const r = inspect(src, { price: [5] });
    assert.equal(r.named, true);
    assert.equal(r.stack.length, 1);
    const [top] = r.stack;
    assert.deepEqual(
      { fn: top.function, line: top.line, column: top.column, source: top.source, awaits: top.awaits },
      { fn: "main", line: 4, column: 17, source: "  const price = await Task.run('price', { item });", awaits: 'task "price"' },
    );
    // the second iteration: item is "b", price not yet assigned (its dead zone), total 5
    assert.deepEqual(top.variables, {
      price: { $type: "uninitialized" },
      item: "b",
      order: { id: 7, items: ["a", "b"] },
      total: 5,
    });
  });

  it("shows every live stack, the main body first, and which stack each waits for", () => {
    const src = [
      "async function load(n) {",
      "  const got = await Task.run('load', { n });",
      "  return got;",
      "}",
      "const a = load(1);",
      "const b = load(2);",
      "const both = await Promise.all([a, b]);",
    ].join("\n");
    const r = inspect(src);
    assert.deepEqual(
      r.stack.map((f) => [f.fiber, f.function, f.line, f.awaits]),
      [
        [0, "main", 7, "Promise.all of 2"],
        [1, "load", 2, 'task "load"'],
        [2, "load", 2, 'task "load"'],
      ],
    );
    assert.deepEqual(r.stack[1].variables, { got: { $type: "uninitialized" }, n: 1 });
    assert.deepEqual(r.stack[2].variables, { got: { $type: "uninitialized" }, n: 2 });
    assert.deepEqual(texts(r.stack[0].variables), {
      load: "[function load]",
      a: "[promise pending]",
      b: "[promise pending]",
      both: "<uninitialized>",
    });
    const awaited = inspect("const p = (async () => await Task.run('x'))();\nawait p;");
    assert.equal(awaited.stack[0].awaits, "async function <anonymous> (stack 1)");
  });

  it("shows the innermost binding of a shadowed name", () => {
    const src = "let x = 'outer';\nconst keep = () => x;\n{\n  let x = 'inner';\n  await Task.run('x');\n}";
    assert.deepEqual(inspect(src).stack[0].variables, { x: "inner", keep: { $type: "function", name: "keep" } });
  });

  it("names a closure's captured variables, and not what an inner scope shadows", () => {
    const src = [
      "let shared = 'outer';",
      "let hidden = 'outer';",
      "function make(hidden) {",
      "  let count = 0;",
      "  return async (step) => {",
      "    count += step;",
      "    await Task.run('x', { shared, count });",
      "  };",
      "}",
      "const bump = make('param');",
      "await bump(2);",
    ].join("\n");
    const r = inspect(src);
    const inner = r.stack.find((f) => f.function === "<anonymous>")!;
    // `hidden` there means make's parameter, which no closure captured: not shown, and the outer
    // `hidden` is not shown in its place
    assert.deepEqual(inner.variables, { step: 2, count: 2, shared: "outer" });
  });
});

describe("inspect: values", () => {
  it("shows undefined, NaN, -0, infinities, the dead zone, functions and built-ins distinctly", () => {
    const src = [
      "const u = undefined;",
      "const values = [null, NaN, -0, 0, Infinity, -Infinity, '', 'NaN', 'undefined'];",
      "const fn = function named() {};",
      "const arrow = () => 1;",
      "const max = Math.max;",
      "const push = [].push;",
      "await Task.run('x');",
      "const later = 1;",
    ].join("\n");
    const r = inspect(src);
    assert.deepEqual(texts(r.stack[0].variables), {
      u: "undefined",
      values: '[null, NaN, -0, 0, Infinity, -Infinity, "", "NaN", "undefined"]',
      fn: "[function named]",
      arrow: "[function arrow]",
      max: "[function Math.max]",
      push: "[function Array.prototype.push]",
      later: "<uninitialized>",
    });
    assert.deepEqual(r.stack[0].variables.u, { $type: "undefined" });
    assert.deepEqual(r.stack[0].variables.later, { $type: "uninitialized" });
  });

  it("shows handles as what they are, with the host's ids and times", () => {
    const src = [
      "const task = Task.run('charge', { cents: 5 });",
      "const child = Workflow.run('paused', {});",
      "const timer = Timer.delay('10s');",
      "const signal = Signal.when('approve', { timeout: '1h' });",
      "const done = Task.run('quick');",
      "const settled = done;",
      "await done;",
      "await Promise.race([task, signal]);",
    ].join("\n");
    const p = pause(src, { quick: [1] });
    const r = inspectState({ program: p.flow.program, state: p.state, handles: p.handles });
    const v = texts(r.stack[0].variables);
    assert.equal(v.task, '[task "charge" pending]');
    assert.equal(v.child, '[child workflow "paused" pending]');
    assert.equal(v.timer, "[timer until 2026-01-01T00:00:10.000Z pending]");
    assert.equal(v.signal, '[signal "approve" until 2026-01-01T01:00:00.000Z pending]');
    assert.equal(v.settled, '[task "quick" fulfilled]');
    assert.deepEqual(r.stack[0].variables.task, {
      $type: "handle",
      kind: "task",
      handle: 2,
      state: "pending",
      name: "charge",
      id: "task-2",
    });
    assert.equal((r.stack[0].variables.child as Record<string, Shown>).id, "child-3");
    assert.deepEqual(r.awaiting, [
      { kind: "task", name: "charge", handle: 2, id: "task-2" },
      { kind: "signal", name: "approve", handle: 5, until: "2026-01-01T01:00:00.000Z" },
    ]);
  });

  it("keeps a string holding markup as text, exactly", () => {
    const note = '<script>alert("x")</script> & <b>';
    const r = inspect("const note = Inputs.note;\nawait Task.run('x');", {}, { note });
    assert.equal(r.stack[0].variables.note, note);
    assert.equal(showText(r.stack[0].variables.note), JSON.stringify(note));
  });

  it("cuts long strings, big arrays and objects, and deep nesting, saying how much is left out", () => {
    const src = [
      "const long = 'x'.repeat(10000);",
      "const many = Array.from({ length: 1000 }, (_, i) => i);",
      "const wide = Object.fromEntries(many.map((i) => ['k' + i, i]));",
      "const deep = { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } };",
      "await Task.run('x');",
    ].join("\n");
    const r = inspect(src);
    const v = r.stack[0].variables;
    assert.deepEqual(v.long, { $type: "string", text: "x".repeat(200), length: 10000 });
    const many = v.many as { items: Shown[]; length: number };
    assert.equal(many.items.length, 50);
    assert.equal(many.length, 1000);
    assert.match(showText(v.many), /^\[0, 1, 2, .*, 49, … 950 more\]$/);
    assert.match(showText(v.wide), /^\{ k0: 0, .*, k49: 49, … 950 more \}$/);
    assert.equal(showText(v.deep), "{ a: { b: { c: { d: { e: [Object: 1 key] } } } } }");
    assert.ok(JSON.stringify(r).length < 10000, "the inspection stays small");
    const budget = inspect(
      "const grid = Array.from({ length: 50 }, () => Array.from({ length: 50 }, () => 1));\nawait Task.run('x');",
    );
    const rows = (budget.stack[0].variables.grid as Shown[]).length;
    assert.ok(JSON.stringify(budget).length < 5000, `a 50×50 grid is cut to the node budget (${rows} rows shown)`);
  });

  it("marks cycles and values shown more than once, across variables", () => {
    const src = [
      "const a = { name: 'a' };",
      "a.self = a;",
      "const list = [a, a];",
      "const same = list;",
      "await Task.run('x');",
    ].join("\n");
    const r = inspect(src);
    assert.deepEqual(texts(r.stack[0].variables), {
      a: '<ref *1> { name: "a", self: [Circular *1] }',
      list: "<ref *2> [[Shared *1], [Shared *1]]",
      same: "[Shared *2]",
    });
    assert.deepEqual(r.stack[0].variables.a, {
      $type: "object",
      entries: { name: "a", self: { $type: "circular", ref: 1 } },
      keys: 2,
      ref: 1,
    });
  });

  it("keeps a variable or key named __proto__ as an own entry", () => {
    const r = inspect(
      "let __proto__ = { a: 1 };\nconst o = Inputs.o;\nawait Task.run('x');",
      {},
      JSON.parse('{"o": {"__proto__": {"x": 1}}}'),
    );
    const v = r.stack[0].variables;
    assert.deepEqual(Object.keys(v), ["__proto__", "o"]);
    assert.equal(JSON.stringify(v), '{"__proto__":{"a":1},"o":{"__proto__":{"x":1}}}');
    assert.equal(showText(v.o), "{ __proto__: { x: 1 } }");
  });

  it("keeps a user's own $type key from passing for a tag", () => {
    const r = inspect("const o = { $type: 'undefined' };\nawait Task.run('x');");
    assert.deepEqual(r.stack[0].variables.o, { $type: "object", entries: { $type: "undefined" }, keys: 1 });
    assert.equal(showText(r.stack[0].variables.o), '{ $type: "undefined" }');
  });
});

/** Runs `source` to its end in the memory host, keeping every state it saved. */
async function runInHost(source: string, tasks: Record<string, TaskMock>, resumeMode = false) {
  const flow = compileFlow(source, "run.flow");
  const states: SavedState[] = [];
  const host = new MemoryHost({ loadWorkflow: () => flow, tasks, resumeMode, onSuspend: (_id, s) => states.push(s) });
  const id = host.start("run");
  await host.run();
  return { host, id, flow, states };
}

describe("inspect: states at rest", () => {
  it("reads a state the same after a JSON round trip, and in a run restored at every pause", async () => {
    const src = [
      "const seen = [];",
      "for (let i = 0; i < 3; i++) {",
      "  const f = () => i;",
      "  seen.push({ i, f, again: seen });",
      "  await Task.run('x', { i });",
      "}",
    ].join("\n");
    const straight = await runInHost(src, { x: { returns: 1 } });
    const program = straight.flow.program;
    assert.equal(straight.states.length, 3);
    for (const state of straight.states) {
      const direct = inspectState({ program, state, source: src });
      const stored = JSON.parse(JSON.stringify(state)) as SavedState;
      const storedProgram = JSON.parse(JSON.stringify(program)) as Program;
      assert.deepEqual(inspectState({ program: storedProgram, state: stored, source: src }), direct);
    }
    const resumed = await runInHost(src, { x: { returns: 1 } }, true);
    assert.deepEqual(
      resumed.states.map((state) => inspectState({ program, state })),
      straight.states.map((state) => inspectState({ program, state })),
    );
    assert.equal(texts(inspectState({ program, state: resumed.states[2] }).stack[0].variables).f, "[function f]");
  });

  it("shows a program compiled before debug tables by register and environment slot, saying so", () => {
    const p = pause("let a = 1;\nconst f = () => a;\nawait Task.run('x');");
    const old = { ...p.flow.program, functions: p.flow.program.functions.map(({ debug: _debug, ...f }) => f) };
    const r = inspectState({ program: old, state: p.state, source: p.flow.source });
    assert.equal(r.named, false);
    assert.deepEqual(texts(r.stack[0].variables), { "(register 0)": "[function f]", "(closure 0.0)": "1" });
    assert.equal(r.stack[0].line, 3);
  });

  it("reads the last state of a run that failed after it, in the memory host", async () => {
    const src = "const step = 'charging';\nconst r = await Task.run('charge');\nthrow Error('after ' + r);";
    const { host, id } = await runInHost(src, { charge: { returns: 1 } });
    assert.equal(host.get(id).status, "failed");
    const r = host.inspect(id)!;
    assert.deepEqual([r.stack[0].line, r.stack[0].variables.step], [2, "charging"]);
    assert.deepEqual(r.awaiting, [{ kind: "task", name: "charge", handle: 2, id: "exec-1-task-1" }]);
    const done = await runInHost("await Task.run('x');", { x: { returns: 1 } });
    assert.equal(done.host.inspect(done.id), null, "a completed run has nothing to show");
  });

  it("refuses a state of another format", () => {
    const { program } = compileFlow("await 1;", "x.flow");
    assert.throws(() => inspectState({ program, state: { format: 99 } as unknown as SavedState }), /format 99/);
  });
});

describe("inspect: the corpus", () => {
  it("names at every pause of every corpus program what the front end says is in scope there", async () => {
    let pauses = 0;
    let frames = 0;
    for (const c of loadCorpus()) {
      if (c.header.check) continue;
      const load = folderLoader(c.file, c.source);
      const found: { flow: CompiledFlow; state: SavedState }[] = [];
      const host = new MemoryHost({
        loadWorkflow: load,
        tasks: c.header.mocks as Record<string, TaskMock> | undefined,
        limits: c.header.limits as Partial<Limits> | undefined,
        maxActivations: 500,
        onSuspend: (id, state) => {
          if (found.length < 50) found.push({ flow: host.executions.get(id)!.flow, state });
        },
      });
      const id = host.start(
        c.name
          .split("/")
          .pop()!
          .replace(/\.flow$/, ""),
        c.header.inputs ?? {},
      );
      for (const [s, payload] of (c.header.signals as [string, unknown][] | undefined) ?? []) host.signal(id, s, payload);
      try {
        await host.run();
      } catch {
        // a runaway: the states seen so far still count
      }
      for (const { flow, state } of found) {
        pauses++;
        const oracle = new ScopeOracle(flow.source);
        const r = inspectState({ program: flow.program, state, source: flow.source });
        assert.deepEqual(
          inspectState({ program: flow.program, state: JSON.parse(JSON.stringify(state)) as SavedState }).stack.length,
          r.stack.length,
        );
        for (const f of r.stack) {
          frames++;
          assert.deepEqual(
            Object.keys(f.variables),
            oracle.namesAt(f.line, f.column),
            `${c.name} at ${f.line}:${f.column} (${f.function})`,
          );
        }
      }
    }
    assert.ok(pauses > 250 && frames >= pauses, `only ${pauses} pauses, ${frames} frames`);
  });
});
