// Changing a saved state (vm/state-edit.ts; docs/operations.md), checked by running the changed
// state on: a variable set in a loop, in a concurrent async call's frame, and a captured one seen
// by the closure sharing it; the refusals (unknown name, not yet initialized, a handle the run
// still awaits, a limit); the pending awaits of a state; a fork's Context.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFlow, type CompiledFlow } from "../../src/compiler/index.js";
import { Machine, type ActivationResult, type MachineHost, type Settlement } from "../../src/vm/machine.js";
import type { SavedState } from "../../src/vm/snapshot.js";
import { pendingHostHandles, retargetContext, setVariableInState, StateEditRefused } from "../../src/vm/state-edit.js";

const host: MachineHost = { now: () => Date.UTC(2026, 0, 1), random: () => 0.5, hasWorkflow: () => true };
const context = { executionId: "e", workflowName: "w", version: "v", attempt: 1, parentId: "p", startedAt: "" };

function start(source: string): { flow: CompiledFlow; r: ActivationResult } {
  const flow = compileFlow(source, "w.flow");
  const r = Machine.start(flow.program, { inputs: {}, context, host }).activate();
  return { flow, r };
}

function stateOf(r: ActivationResult): SavedState {
  assert.equal(r.status, "suspended");
  return (r as { state: SavedState }).state;
}

/** Continues `state` with these settlements (by task name, in effect order) until it ends. */
function finish(flow: CompiledFlow, state: SavedState, settle: (handle: number) => Settlement): unknown {
  const m = Machine.restore(flow.program, JSON.parse(JSON.stringify(state)) as SavedState, { host });
  const handles = pendingHostHandles(state).map((p) => p.handle);
  let r = m.activate(handles.map(settle));
  for (let i = 0; r.status === "suspended" && i < 10; i++)
    r = m.activate(r.effects.filter((e) => e.type === "task").map((e) => settle((e as { handle: number }).handle)));
  assert.equal(r.status, "completed", JSON.stringify(r));
  return (r as { output: unknown }).output;
}

describe("state edits", () => {
  it("sets a variable by name; the run continues with it", () => {
    const { flow, r } = start("let limit = 10;\nconst got = await Task.run('a');\nreturn { limit, got };");
    const edited = setVariableInState(flow.program, stateOf(r), { name: "limit", frame: 0, value: { max: 99 } });
    assert.deepEqual([edited.old, edited.function, edited.line], [10, "main", 2]);
    assert.deepEqual(
      finish(flow, edited.state, (handle) => ({ handle, ok: true, value: "x" })),
      { limit: { max: 99 }, got: "x" },
    );
  });

  it("sets a captured variable in a concurrent call's frame, seen by the code sharing it", () => {
    const src = [
      "let seen = 0;",
      "async function step(n) {",
      "  const v = await Task.run('a', { n });",
      "  seen += v;",
      "  return n;",
      "}",
      "const all = await Promise.all([step(1), step(2)]);",
      "return { seen, all };",
    ].join("\n");
    const { flow, r } = start(src);
    const state = stateOf(r);
    // frame 0: the main body; 1 and 2: the two calls of step
    const e1 = setVariableInState(flow.program, state, { name: "n", frame: 2, value: 20 });
    assert.deepEqual([e1.old, e1.function], [2, "step"]);
    const e2 = setVariableInState(flow.program, e1.state, { name: "seen", frame: 1, value: 100 });
    assert.deepEqual(
      finish(flow, e2.state, (handle) => ({ handle, ok: true, value: 1 })),
      { seen: 102, all: [1, 20] },
    );
  });

  it("refuses what it cannot set, saying why", () => {
    const { flow, r } = start("let a = 1;\nconst t = Task.run('x');\nconst b = await Signal.next('go');\nreturn [b, await t];");
    const state = stateOf(r);
    const refused = (name: string, value: unknown, pattern: RegExp, frame = 0) =>
      assert.throws(
        () => setVariableInState(flow.program, state, { name, frame, value }),
        (e: unknown) => {
          assert.ok(e instanceof StateEditRefused);
          assert.match((e as Error).message, pattern);
          return true;
        },
      );
    refused("c", 1, /no variable "c" is in scope in frame 0 \(main, line 3\): it has a, t, b/);
    refused("b", 1, /"b" is not initialized yet/);
    refused("t", 1, /"t" holds the only reference to something the run still awaits/);
    refused("a", 1, /there is no frame 1/, 1);
    assert.throws(
      () => setVariableInState(flow.program, state, { name: "a", frame: 0, value: "x".repeat(50) }, { maxPayloadBytes: 20 }),
      /over the payload limit of 20/,
    );
    assert.throws(
      () => setVariableInState(flow.program, state, { name: "a", frame: 0, value: "x".repeat(5000) }, { maxStateBytes: 2000 }),
      /over the state size limit of 2000/,
    );
    refused("a", "\u0000", /not JSON that can be stored/);
  });

  it("lists what a state awaits, and gives a fork its own Context", () => {
    const src = [
      "const t = Task.run('a');",
      "const w = Workflow.run('w', {});",
      "const s = Signal.when('go', { timeout: '1h' });",
      "const d = Timer.delay('2h');",
      "await Promise.all([t, w, s, d]);",
      "return Context.executionId + ' ' + Context.parentId;",
    ].join("\n");
    const { flow, r } = start(src);
    const state = stateOf(r);
    const t0 = Date.UTC(2026, 0, 1);
    assert.deepEqual(
      pendingHostHandles(state).map(({ handle: _h, ...p }) => p),
      [
        { kind: "task", name: "a" },
        { kind: "workflow", name: "w" },
        { kind: "signal", name: "go", timeoutAt: t0 + 3_600_000 },
        { kind: "timer", at: t0 + 7_200_000 },
      ],
    );
    const fork = retargetContext(state, "fork-1", null);
    assert.notDeepEqual(fork, state);
    assert.deepEqual(
      finish(flow, fork, (handle) => ({ handle, ok: true, value: null })),
      "fork-1 null",
    );
    assert.equal(
      finish(flow, state, (handle) => ({ handle, ok: true, value: null })),
      "e p",
      "the original is untouched",
    );
  });
});
