// The upgrade corpus (vm/state-upgrade.ts; docs/operations.md): pairs of versions (v1, v2) with a
// run of v1 paused at an await, the expected verdict — moves to which line, or cannot move and why
// — and for moves, the output after resuming on v2, which is also what v2 run from the start gives
// where the change does not touch what ran before the await.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFlow, type CompiledFlow } from "../../src/compiler/index.js";
import { Machine, type ActivationResult, type MachineHost } from "../../src/vm/machine.js";
import type { SavedState } from "../../src/vm/snapshot.js";
import { pendingHostHandles } from "../../src/vm/state-edit.js";
import { planUpgrade } from "../../src/vm/state-upgrade.js";

const host: MachineHost = { now: () => Date.UTC(2026, 0, 1), random: () => 0.5, hasWorkflow: () => true };
const context = { executionId: "e", workflowName: "w", version: "v", attempt: 1, parentId: null, startedAt: "" };

interface Case {
  name: string;
  v1: string;
  v2: string;
  /** How many awaits of v1 settle before the pause (each task returns its inputs' n, or 1). */
  settle?: number;
  /** null: it cannot move, for a reason matching `reason`; else the line it moves to and the output after. */
  moves: { line: number; output: unknown; sameAsFresh?: boolean } | null;
  reason?: RegExp;
}

const V1 = `let cents = Inputs.cents;
const quote = await Task.run("quote", { n: cents });
const charge = await Task.run("charge", { n: quote });
return { cents, quote, charge };`;

const CASES: Case[] = [
  {
    name: "the same source",
    v1: V1,
    v2: V1,
    settle: 1,
    moves: { line: 3, output: { cents: 5, quote: 5, charge: 5 }, sameAsFresh: true },
  },
  {
    name: "a statement inserted before the await",
    v1: V1,
    v2: V1.replace("const charge", 'console.log("charging");\nconst charge'),
    settle: 1,
    moves: { line: 4, output: { cents: 5, quote: 5, charge: 5 }, sameAsFresh: true },
  },
  {
    name: "a statement inserted after the await (the fix runs)",
    v1: V1,
    v2: V1.replace("return { cents, quote, charge };", "const fee = 2;\nreturn { cents, quote, charge, fee };"),
    settle: 1,
    moves: { line: 3, output: { cents: 5, quote: 5, charge: 5, fee: 2 }, sameAsFresh: true },
  },
  {
    name: "a try around the await",
    v1: V1,
    v2: V1.replace(
      'const charge = await Task.run("charge", { n: quote });',
      'let charge;\ntry { charge = await Task.run("charge", { n: quote }); } catch (e) { charge = 0; }',
    ),
    settle: 1,
    moves: null,
    reason:
      /no counterpart: no top-level await of `Task.run\("charge", \{ n: quote \}\)` used as const charge outside any loop or try/,
  },
  {
    name: "a loop added around the await",
    v1: V1,
    v2: V1.replace(
      'const charge = await Task.run("charge", { n: quote });',
      'let charge;\nfor (let i = 0; i < 1; i++) charge = await Task.run("charge", { n: quote });',
    ),
    settle: 1,
    moves: null,
    reason: /no counterpart/,
  },
  {
    name: "the awaited call changed",
    v1: V1,
    v2: V1.replace('Task.run("charge", { n: quote })', 'Task.run("charge-v2", { n: quote })'),
    settle: 1,
    moves: null,
    reason: /no counterpart/,
  },
  {
    name: "a variable renamed",
    v1: V1,
    v2: V1.replace(/cents/g, "amount"),
    settle: 1,
    moves: null,
    reason: /the new version has `amount` in scope at the await, declared before it: this run never ran its declaration/,
  },
  {
    name: "a variable used only after the await renamed",
    v1: V1,
    v2: V1.replace("const charge = await", "const paid = await").replace("charge };", "charge: paid };"),
    settle: 1,
    moves: null,
    reason: /used as const charge/,
  },
  {
    name: "a new variable declared before the await",
    v1: V1,
    v2: V1.replace("const charge", 'const currency = "EUR";\nconst charge'),
    settle: 1,
    moves: null,
    reason: /`currency` in scope at the await, declared before it: this run never ran its declaration/,
  },
  {
    name: "a variable removed (not used any more)",
    v1: V1,
    v2: V1.replace("let cents = Inputs.cents;\n", "")
      .replace("{ n: cents }", "{ n: Inputs.cents }")
      .replace("{ cents, quote, charge }", "{ quote, charge }"),
    settle: 1,
    moves: { line: 2, output: { quote: 5, charge: 5 }, sameAsFresh: true },
  },
  {
    name: "the same await twice in the new version",
    v1: V1,
    v2: V1.replace("return", 'if (Inputs.again) { const charge = await Task.run("charge", { n: quote }); }\nreturn'),
    settle: 1,
    moves: null,
    reason: /the new version has 2 awaits of `Task.run\("charge", \{ n: quote \}\)` that match \(lines 3, 4\): ambiguous/,
  },
  {
    name: "paused inside a function",
    v1: `async function pay(n) { return await Task.run("charge", { n }); }\nreturn await pay(1);`,
    v2: `async function pay(n) { return await Task.run("charge", { n }); }\nreturn await pay(2);`,
    moves: null,
    reason: /it has 2 stacks \(concurrent async calls in flight\)/,
  },
  {
    name: "concurrent calls in flight",
    v1: `const [a, b] = await Promise.all([1, 2].map(async (n) => await Task.run("t", { n })));\nreturn a + b;`,
    v2: `const [a, b] = await Promise.all([1, 2].map(async (n) => await Task.run("t", { n })));\nreturn a * b;`,
    moves: null,
    reason: /stacks/,
  },
  {
    name: "inside a for…of loop (hidden iterator)",
    v1: `let total = 0;\nfor (const n of [1, 2]) {\n  total += await Task.run("t", { n });\n}\nreturn total;`,
    v2: `let total = 0;\nfor (const n of [1, 2]) {\n  total += await Task.run("t", { n });\n}\nreturn total * 10;`,
    moves: null,
    reason: /its await is part of a larger expression holding values being computed/,
  },
  {
    name: "a counted loop kept as it was (its variables map by name)",
    v1: `let total = 0;\nfor (let i = 1; i < 3; i++) {\n  const x = await Task.run("t", { n: i });\n  total += x;\n}\nreturn total;`,
    v2: `let total = 0;\nconsole.log("v2");\nfor (let i = 1; i < 3; i++) {\n  const x = await Task.run("t", { n: i });\n  total += x;\n}\nreturn total * 10;`,
    moves: { line: 4, output: 30, sameAsFresh: true },
  },
  {
    name: "a top-level function (no captures) used after the await",
    v1: `function fmt(x) { return "v1:" + x; }\nconst r = await Task.run("t", { n: 3 });\nreturn fmt(r);`,
    v2: `function fmt(x) { return "v2:" + x; }\nconst r = await Task.run("t", { n: 3 });\nreturn fmt(r);`,
    moves: { line: 2, output: "v2:3", sameAsFresh: true },
  },
];

function settleAll(r: ActivationResult): { handle: number; ok: true; value: unknown }[] {
  return r.effects.flatMap((e) =>
    e.type === "task" ? [{ handle: e.handle, ok: true as const, value: (e.inputs as { n?: number })?.n ?? 1 }] : [],
  );
}

/** v1 run until `settle` task rounds are answered; its state then. */
function pausedState(flow: CompiledFlow, inputs: unknown, settle: number): { state: SavedState; waiting: ActivationResult } {
  const m = Machine.start(flow.program, { inputs, context, host });
  let r = m.activate();
  for (let i = 0; i < settle; i++) r = m.activate(settleAll(r));
  assert.equal(r.status, "suspended");
  return { state: (r as { state: SavedState }).state, waiting: r };
}

function runToEnd(flow: CompiledFlow, state: SavedState | null, inputs: unknown, pendingInputs: Map<number, number>): unknown {
  const m = state
    ? Machine.restore(flow.program, JSON.parse(JSON.stringify(state)) as SavedState, { host })
    : Machine.start(flow.program, { inputs, context, host });
  let r = state
    ? m.activate(pendingHostHandles(state).map((p) => ({ handle: p.handle, ok: true, value: pendingInputs.get(p.handle) ?? 1 })))
    : m.activate();
  for (let i = 0; r.status === "suspended" && i < 20; i++) r = m.activate(settleAll(r));
  assert.equal(r.status, "completed", JSON.stringify(r.status === "failed" ? r.error : r));
  return (r as { output: unknown }).output;
}

describe("upgrade corpus", () => {
  for (const c of CASES)
    it(c.name, () => {
      const v1 = compileFlow(c.v1, "w.flow");
      const v2 = compileFlow(c.v2, "w.flow");
      const inputs = { cents: 5 };
      const { state, waiting } = pausedState(v1, inputs, c.settle ?? 0);
      const verdict = planUpgrade({ ...v1, file: "w.flow" }, { ...v2, file: "w.flow" }, state);
      if (c.moves === null) {
        assert.equal(verdict.ok, false, `expected a refusal, got a move to line ${verdict.ok ? verdict.to.line : ""}`);
        assert.match((verdict as { reason: string }).reason, c.reason!);
        return;
      }
      assert.ok(verdict.ok, (verdict as { reason?: string }).reason);
      assert.equal(verdict.to.line, c.moves.line);
      const pending = new Map(
        waiting.effects.flatMap((e) =>
          e.type === "task" ? [[e.handle, (e.inputs as { n?: number })?.n ?? 1] as [number, number]] : [],
        ),
      );
      assert.deepEqual(runToEnd(v2, verdict.state, inputs, pending), c.moves.output);
      if (c.moves.sameAsFresh) assert.deepEqual(runToEnd(v2, null, inputs, new Map()), c.moves.output, "as v2 from the start");
    });
});
