// The members `rhythm check` accepts on each built-in global are exactly those the interpreter
// provides: every accepted member reads as something other than undefined in a running machine,
// and a member outside the set reads as undefined there (and is rejected by the checker). The
// sets come from the machine's own tables, so this holds for members added later too.

import { it } from "node:test";
import assert from "node:assert/strict";
import { compileFlow } from "../../src/compiler/index.js";
import { FLOW_GLOBALS } from "../../src/lang/index.js";
import { Machine } from "../../src/vm/machine.js";
import { flowSurface } from "../../src/vm/surface.js";
import { problems } from "./problems.js";

const context = {
  executionId: "e",
  workflowName: "w",
  version: "v",
  attempt: 1,
  parentId: null,
  startedAt: "2026-01-01T00:00:00.000Z",
};
const host = { now: () => 0, random: () => 0.5, hasWorkflow: () => true };

/** What `expression` evaluates to in a fresh machine. */
function evaluate(expression: string): unknown {
  const { program } = compileFlow(`return ${expression}`, "probe.flow");
  const result = Machine.start(program, { inputs: {}, context, host }).activate();
  if (result.status !== "completed") assert.fail(JSON.stringify(result.status === "failed" ? result.error : result.waits));
  return result.output;
}

const withMembers = FLOW_GLOBALS.filter((g) => flowSurface.membersOf(g) !== undefined);

it("covers the namespaces and built-in functions", () => {
  for (const g of [
    "Task",
    "Workflow",
    "Timer",
    "Signal",
    "Promise",
    "Math",
    "JSON",
    "Object",
    "Array",
    "Number",
    "String",
    "Date",
    "console",
    "Error",
    "parseInt",
  ]) {
    assert.ok(withMembers.includes(g), g);
  }
  for (const g of ["Inputs", "Context", "NaN", "undefined"]) assert.ok(!withMembers.includes(g), g);
});

it("every member the checker accepts is there at run time", () => {
  for (const g of withMembers) {
    const members = [...flowSurface.membersOf(g)!];
    const types = evaluate(`[${members.map((m) => `typeof ${g}[${JSON.stringify(m)}]`).join(", ")}]`) as string[];
    members.forEach((m, i) => assert.notEqual(types[i], "undefined", `${g}.${m}`));
  }
});

it("a member outside the set is undefined at run time, and the checker says so", () => {
  for (const g of withMembers) {
    assert.equal(evaluate(`typeof ${g}["nothingLikeThis"]`), "undefined", g);
    assert.deepEqual(problems(`const x = ${g}.nothingLikeThis`), [
      `1:${12 + g.length} unknown member \`${g}.nothingLikeThis\`` +
        (g === "Date"
          ? "; `Date` has only `Date.now()`; keep times as epoch milliseconds or ISO strings"
          : g === "console"
            ? "; use `console.log`, `console.info`, `console.warn` or `console.error`"
            : ""),
    ]);
  }
});
