// Programs are stored with their workflow version and run by whatever machine comes later, so an
// instruction whose meaning changed keeps its old opcode working: `CallMethod` (the method read
// after the arguments, from programs compiled before `GetMethod`) still runs.

import assert from "node:assert/strict";
import { test } from "node:test";
import { Op } from "../../src/compiler/opcodes.js";
import { PROGRAM_FORMAT, type Program } from "../../src/compiler/program.js";
import { Machine } from "../../src/vm/machine.js";

const context = {
  executionId: "e",
  workflowName: "w",
  version: "v",
  attempt: 1,
  parentId: null,
  startedAt: "2026-01-01T00:00:00.000Z",
};
const host = { now: () => 0, random: () => 0.5, hasWorkflow: () => true };

function run(code: number[], constants: (string | number)[]): unknown {
  const program: Program = {
    format: PROGRAM_FORMAT,
    file: "old.flow",
    functions: [{ name: "main", isAsync: true, length: 0, locals: 0, code, constants, positions: [0, 1, 1] }],
  };
  const r = Machine.start(program, { inputs: {}, context, host }).activate();
  if (r.status !== "completed") assert.fail(JSON.stringify(r.status === "failed" ? r.error : r.waits));
  return r.output;
}

test("CallMethod of an earlier compiler still calls built-in and object methods", () => {
  // return Math.max(1, 2)
  assert.equal(run([Op.LoadGlobal, 0, Op.Int, 1, Op.Int, 2, Op.CallMethod, 1, 2, 2, Op.Return], ["Math", "max", "Math.max"]), 2);
  // return [3].concat([4])
  const concat = [Op.Int, 3, Op.NewArray, 1, Op.Int, 4, Op.NewArray, 1, Op.CallMethod, 0, 1, 1, Op.Return];
  assert.deepEqual(run(concat, ["concat", "[3].concat"]), [3, 4]);
});
