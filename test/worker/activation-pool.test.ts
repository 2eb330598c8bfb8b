// The activation threads (src/worker/activation-pool.ts) on their own: activations run there give
// what they give on the worker's thread; a thread that runs out of memory, or runs past its time,
// takes only its activation with it (ActivationCrashedError, saying why) and is replaced; what
// was waiting for a thread still runs.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { compileFlow } from "../../src/compiler/index.js";
import { ActivationCrashedError } from "../../src/shared/activation-crash.js";
import { DEFAULT_RETRY_POLICY } from "../../src/shared/retries.js";
import { activateProgram } from "../../src/worker/activate-program.js";
import type { ActivationInput } from "../../src/worker/activation.js";
import { ActivationPool } from "../../src/worker/activation-pool.js";

const sources = { names: () => ({ version: 1, list: () => ["other"] }), defaults: () => ({ version: 1, entries: () => [] }) };

function input(id: string): ActivationInput {
  return {
    id,
    name: "w",
    version: "v",
    queue: "default",
    inputs: { n: 3 },
    attempt: 1,
    parentId: null,
    rootId: id,
    state: null,
    wakeups: 0,
    startedAt: new Date(0),
    dbNow: 0,
    hold: { kind: "claimed", token: "t" },
    inbox: [],
    handed: [],
    trace: null,
    lost: 0,
  };
}

const program = (source: string) => compileFlow(source, "w.flow").program;

describe("activation threads", () => {
  const pool = new ActivationPool({ threads: 1, heapMb: 48, timeoutMs: 2000 }, undefined, sources);
  after(() => pool.close());

  test("an activation gives in a thread what it gives on the worker's thread", async () => {
    const p = program(
      'console.log("hi", Inputs.n); const t = Task.run("step", { n: Inputs.n }); return [Workflow.exists("other"), await t]',
    );
    const env = {
      hasWorkflow: (n: string) => n === "other",
      taskDefaults: () => ({ retries: DEFAULT_RETRY_POLICY }),
      limits: undefined,
    };
    const here = activateProgram(p, input("a"), env);
    const there = await pool.run("k1", p, input("a"));
    assert.deepEqual(there, here);
  });

  test("a thread out of memory loses only its activation, and is replaced", async () => {
    const before = pool.replaced;
    const bomb = pool.run(
      "k2",
      program("const a = Array.from({ length: 3000 }, () => Array.from({ length: 2000000 })); return a.length"),
      input("bomb"),
    );
    // queued behind the bomb (one thread): it runs in the thread that replaces it
    const next = pool.run("k3", program("return Inputs.n * 2"), input("next"));
    const outcome = await bomb.then(
      (a) => a,
      (e: unknown) => e,
    );
    if (outcome instanceof ActivationCrashedError) {
      assert.equal(outcome.executionId, "bomb");
      // the heap limit, or the time limit on a slow machine: either way only this one is lost
      assert.match(outcome.reason, /out of memory \(heap limit 48 MB\)|ran longer than 2000 ms/);
      assert.equal(pool.replaced, before + 1);
    } else {
      // the machine's own memory budget (when it has one) failed the workflow first: nothing was lost
      assert.equal((outcome as { status: string }).status, "failed");
    }
    assert.deepEqual((await next).write.outcome, { status: "completed", output: 6 });
  });

  test("an activation past its time has its thread stopped, and is replaced", async () => {
    // no instruction limit to speak of: only the thread's time limit ends this one
    const unlimited = new ActivationPool({ threads: 1, timeoutMs: 500 }, { maxInstructions: 1e15 }, sources);
    try {
      const spin = unlimited.run("k4", program("let n = 0; while (true) n++; return n"), input("spin"));
      await assert.rejects(spin, (e: unknown) => e instanceof ActivationCrashedError && /ran longer than 500 ms/.test(e.reason));
      assert.equal(unlimited.replaced, 1);
      const after = await unlimited.run("k3", program("return Inputs.n * 2"), input("after"));
      assert.deepEqual(after.write.outcome, { status: "completed", output: 6 });
    } finally {
      await unlimited.close();
    }
  });

  test("a spinning activation holds no one up: extra threads start, and a workflow that lost one before runs apart", async () => {
    const unlimited = new ActivationPool({ threads: 1, timeoutMs: 3000 }, { maxInstructions: 1e15 }, sources);
    try {
      const spin = program("let n = 0; while (true) n++; return n");
      const first = unlimited.run("spin", spin, input("spin-1")).catch((e: unknown) => e);
      // tried again after a loss: the quarantine thread takes it
      const again = unlimited.run("spin", spin, { ...input("spin-2"), lost: 1 }).catch((e: unknown) => e);
      let spinning = true;
      void Promise.all([first, again]).then(() => (spinning = false));
      // the one usual thread spins: an extra one runs this
      const ordinary = await unlimited.run("k3", program("return Inputs.n * 2"), input("ordinary"));
      assert.deepEqual(ordinary.write.outcome, { status: "completed", output: 6 });
      assert.equal(spinning, true);
      assert.ok((await first) instanceof ActivationCrashedError);
      assert.ok((await again) instanceof ActivationCrashedError);
    } finally {
      await unlimited.close();
    }
  });
});
