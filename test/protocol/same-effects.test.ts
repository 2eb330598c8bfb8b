// The TypeScript worker and the SQL worker protocol give the same effects for the same scenario:
// a workflow calls three tasks on queue "py" — one returns an object (keys in their order), one
// fails once and is retried, one fails without retries — run once by a TypeScript worker that
// registers them, once by a loop of protocol calls in SQL (the TypeScript worker then serves only
// the workflow's queue). The workflow's outcome and every task's row (status, attempts, output,
// error, errors) must be equal.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, type Execution, type Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "../engine/support/until.js";
import { Protocol } from "./support/protocol.js";

const SCENARIO = `
const shaped = await Task.run("shape", { n: Inputs.n }, { queue: "py" });
const flaky = await Task.run("flaky", { n: Inputs.n }, { queue: "py", retries: { limit: 2, initial: "10ms" } });
let broken = null;
try {
  await Task.run("broken", {}, { queue: "py", retries: 3 });
} catch (e) {
  broken = { name: e.name, message: e.message, attempts: e.attempts, cause: e.cause };
}
return { shaped, keys: Object.keys(shaped), flaky, broken };
`;

const TASKS = ["shape", "flaky", "broken"];

/** What a task does, written once for both runs: its output, or the error it fails with. */
function behaviour(
  name: string,
  inputs: { n?: number },
  attempt: number,
): { output: unknown } | { error: Record<string, unknown>; retryable: boolean } {
  if (name === "shape") return { output: { zulu: inputs.n, alpha: [1, { y: 2, x: 3 }] } };
  if (name === "flaky")
    return attempt === 1
      ? { error: { name: "FlakyError", message: "first try" }, retryable: true }
      : { output: `ok on ${attempt}` };
  return { error: { name: "NonRetryableError", message: "declined", nonRetryable: true }, retryable: false };
}

/** A run's effects, without ids and times. */
function effects(wf: Execution, tasks: Execution[]) {
  return {
    workflow: { status: wf.status, output: wf.output, outputText: JSON.stringify(wf.output) },
    tasks: tasks
      .map((t) => ({
        name: t.name,
        queue: t.queue,
        status: t.status,
        attempt: t.attempt,
        inputs: t.inputs,
        output: t.output,
        outputText: JSON.stringify(t.output),
        error: t.error,
        errors: t.errors,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

for (const backend of await backends()) {
  describe(`the TypeScript worker and the SQL protocol on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { scenario: SCENARIO });
      rhythm = f.rhythm;
      await rhythm.deploy();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    const run = async (n: number) => {
      const id = await rhythm.startWorkflow("scenario", { n });
      const wf = await untilStatus(rhythm, id, "completed");
      const tasks = await rhythm.list({ parentId: id });
      return effects(wf, await Promise.all(tasks.map(async (t) => (await rhythm.get(t.id))!)));
    };

    test("give the same effects", async () => {
      // 1: the TypeScript worker runs the tasks
      for (const name of TASKS)
        rhythm.task(name, (inputs: { n?: number }, ctx) => {
          const b = behaviour(name, inputs, ctx.attempt);
          if ("output" in b) return b.output;
          if (!b.retryable) throw new NonRetryableError(b.error.message as string);
          throw Object.assign(new Error(b.error.message as string), { name: b.error.name });
        });
      const both = rhythm.worker({ queues: ["default", "py"], pollIntervalMs: 50 });
      await both.start();
      const byTypeScript = await run(7);
      await both.stop();

      // 2: the workflow's queue only; the tasks through the protocol's functions
      const flows = rhythm.worker({ queues: ["default"], pollIntervalMs: 50 });
      await flows.start();
      const p = new Protocol(db.driver);
      const id = await rhythm.startWorkflow("scenario", { n: 7 });
      for (let i = 0; i < 1000 && (await rhythm.get(id))!.status !== "completed"; i++) {
        const claims = await p.claim("sql-worker", ["py"], TASKS, 10);
        for (const c of claims) {
          const b = behaviour(c.name, c.inputs as { n?: number }, c.attempt);
          if ("output" in b) assert.equal(await p.complete(c.id, c.claim_token, b.output), true);
          else assert.notEqual(await p.fail(c.id, c.claim_token, b.error, b.retryable), null);
        }
        if (claims.length === 0) await new Promise((r) => setTimeout(r, 10));
      }
      const wf = await untilStatus(rhythm, id, "completed");
      const tasks = await rhythm.list({ parentId: id });
      const byProtocol = effects(wf, await Promise.all(tasks.map(async (t) => (await rhythm.get(t.id))!)));
      await flows.stop();

      assert.deepEqual(byProtocol, byTypeScript);
      // and the scenario did what it says
      assert.deepEqual(byTypeScript.workflow.output, {
        shaped: { zulu: 7, alpha: [1, { y: 2, x: 3 }] },
        keys: ["zulu", "alpha"],
        flaky: "ok on 2",
        broken: {
          name: "TaskError",
          message: "declined",
          attempts: 1,
          cause: { name: "NonRetryableError", message: "declined", nonRetryable: true },
        },
      });
    });
  });
}
