// Operations on paused runs (SPEC §10, docs/operations.md) on Postgres and PGlite: a variable set
// by name (refused while a worker holds the run, for a name not in scope, a value over a limit),
// raced with a signal (nothing lost: the edit lands or is refused); a fork with its own tasks,
// copied results and timers; a failed workflow retried from the failed await after its task's
// registration was fixed (no earlier task runs again), one that failed in its own code retried
// after a variable was set, and a failed child retried through its parent.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, OperationRefusedError, RetryRefusedError, type Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, untilStatus } from "./support/until.js";

const FLOWS = {
  order: `
const a = await Task.run("step", { n: 1 });
let discount = Inputs.discount;
const b = await Task.run("flaky", { n: 2 });
const approval = await Signal.next("approve");
return { id: Context.executionId, a, b, discount, approval };
`,
  limited: `
let limit = Inputs.limit;
const x = await Task.run("step", { n: 5 });
if (x > limit) throw Error("over the limit: " + x);
return x;
`,
  slow: `
const started = await Task.run("step", { n: 3 });
const r = await Task.run("blocking", { n: 4 });
await Timer.delay("1h");
return { started, r };
`,
  parent: `
const before = await Task.run("step", { n: 7 });
const child = await Workflow.run("child", {});
return { before, child };
`,
  child: `return await Task.run("flaky", { n: 8 });`,
  gated: `
let note = "before";
const r = await Task.run("gate", { key: Inputs.key });
return { note, r };
`,
};

for (const backend of await backends()) {
  describe(`operations on paused runs on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const steps: number[] = [];
    const release = deferred();
    let blockingStarted = 0;
    const gates = new Map<string, ReturnType<typeof deferred<void>>>();
    const flaky = async (inputs: { n: number }) => {
      throw new NonRetryableError(`flaky ${inputs.n} is broken`);
    };

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("step", async (inputs: { n: number }) => {
        steps.push(inputs.n);
        return inputs.n * 10;
      });
      rhythm.task("flaky", async (inputs: { n: number }) => inputs.n * 100);
      rhythm.task("blocking", async (inputs: { n: number }) => {
        blockingStarted++;
        await release.promise;
        return inputs.n;
      });
      rhythm.task("gate", async (inputs: { key: string }) => {
        await gates.get(inputs.key)!.promise;
        return inputs.key;
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      release.resolve();
      await f.close();
      await db.drop();
    });

    async function pausedOrder(discount: number): Promise<string> {
      const id = await rhythm.startWorkflow("order", { discount });
      await until(
        "the order to wait for approval",
        async () => (await rhythm.inspect(id).catch(() => null))?.stack[0].line === 5,
      );
      return id;
    }

    test("set: a variable by name, logged with old and new value and who asked; the run continues with it", async () => {
      const id = await pausedOrder(5);
      const change = await rhythm.setVariable(id, "discount", { percent: 25 }, { by: "alice" });
      assert.deepEqual(
        { ...change, old: change.old },
        { id, name: "discount", frame: 0, function: "main", line: 5, old: 5, new: { percent: 25 }, by: "alice" },
      );
      assert.deepEqual((await rhythm.inspect(id)).stack[0].variables.discount, { percent: 25 });
      const log = (await rhythm.logs(id)).filter((l) => l.source === "operation");
      assert.deepEqual(
        log.map((l) => l.message),
        ['set discount = {"percent":25} (was 5) in frame 0 (main, line 5) by alice'],
      );
      await rhythm.signal(id, "approve", "yes");
      const done = await untilStatus(rhythm, id, "completed");
      assert.deepEqual(done.output, { id, a: 10, b: 200, discount: { percent: 25 }, approval: "yes" });
    });

    test("set is refused, and changes nothing, for a name not in scope, a bad frame, a value over a limit, a held run", async () => {
      const id = await pausedOrder(1);
      const refused = async (p: Promise<unknown>, pattern: RegExp) => {
        const e = await p.then(
          () => assert.fail("expected a refusal"),
          (x: unknown) => x,
        );
        assert.ok(e instanceof OperationRefusedError, String(e));
        assert.equal(e.code, "EDIT_REFUSED");
        assert.match(e.message, pattern);
      };
      await refused(
        rhythm.setVariable(id, "dicsount", 1),
        /no variable "dicsount" is in scope in frame 0 \(main, line 5\): it has a, discount, b, approval/,
      );
      await refused(rhythm.setVariable(id, "approval", 1), /"approval" is not initialized yet/);
      await refused(rhythm.setVariable(id, "discount", 1, { frame: 3 }), /there is no frame 3/);
      await refused(
        rhythm.setVariable(id, "discount", "x".repeat(200), { limits: { maxPayloadBytes: 100 } }),
        /over the payload limit of 100/,
      );
      // a worker holding the run (its claim) decides: the edit is refused
      await db.driver.query(`update rhythm.executions set status = 'running', claim_token = gen_random_uuid() where id = $1`, [
        id,
      ]);
      await refused(rhythm.setVariable(id, "discount", 2), /a worker is running it now/);
      await db.driver.query(`update rhythm.executions set status = 'suspended', claim_token = null where id = $1`, [id]);
      assert.equal((await rhythm.inspect(id)).stack[0].variables.discount, 1);
      assert.deepEqual(
        (await rhythm.logs(id)).filter((l) => l.source === "operation"),
        [],
      );
      const task = (await rhythm.list({ name: "step" }))[0];
      await assert.rejects(rhythm.setVariable(task.id, "x", 1), { code: "NOT_A_WORKFLOW" });
      await rhythm.signal(id, "approve", "ok");
      await untilStatus(rhythm, id, "completed");
      await refused(rhythm.setVariable(id, "discount", 2), /it is completed and its state is no longer kept/);
    });

    test("set raced with a signal: the edit lands or is refused, and the signal is never lost", async () => {
      const ids = await Promise.all([1, 2, 3, 4].map((n) => pausedOrder(n)));
      const outcomes = await Promise.all(
        ids.map(async (id) => {
          const [edit] = await Promise.allSettled([rhythm.setVariable(id, "discount", 99), rhythm.signal(id, "approve", id)]);
          const done = await untilStatus(rhythm, id, "completed");
          const out = done.output as { discount: number; approval: string };
          assert.equal(out.approval, id, "the signal arrived");
          if (edit.status === "fulfilled")
            assert.equal(out.discount, 99, "an edit that was accepted is what the run continued with");
          else {
            assert.equal((edit.reason as OperationRefusedError).code, "EDIT_REFUSED");
            assert.notEqual(out.discount, 99);
          }
          return edit.status;
        }),
      );
      assert.equal(outcomes.length, 4);
    });

    test("set raced with a task completion: the edit lands or is refused, and the task's result is never lost", async () => {
      const keys = ["k1", "k2", "k3", "k4"];
      for (const k of keys) gates.set(k, deferred());
      const ids = await Promise.all(keys.map((key) => rhythm.startWorkflow("gated", { key })));
      await Promise.all(ids.map((id) => untilStatus(rhythm, id, "suspended")));
      await Promise.all(
        ids.map(async (id, n) => {
          const [edit] = await Promise.allSettled([
            rhythm.setVariable(id, "note", "after"),
            Promise.resolve().then(() => gates.get(keys[n])!.resolve(undefined)),
          ]);
          const out = (await untilStatus(rhythm, id, "completed")).output as { note: string; r: string };
          assert.equal(out.r, keys[n], "the task's result arrived");
          if (edit.status === "fulfilled") assert.equal(out.note, "after");
          else {
            assert.equal((edit.reason as OperationRefusedError).code, "EDIT_REFUSED");
            assert.equal(out.note, "before");
          }
        }),
      );
    });

    test("fork: a copy with its own id; completed results copied, signals its own", async () => {
      const id = await pausedOrder(3);
      const stepsBefore = steps.length;
      const fork = await rhythm.fork(id, { by: "bob" });
      assert.notEqual(fork.id, id);
      assert.deepEqual([fork.forkedFrom, fork.started, fork.copied, fork.signalWaits], [id, [], [], 1]);
      await until("the fork to pause", async () => (await rhythm.get(fork.id))?.status === "suspended");
      assert.deepEqual((await rhythm.inspect(fork.id)).stack[0].variables.discount, 3);
      await rhythm.signal(fork.id, "approve", "fork");
      await rhythm.signal(id, "approve", "original");
      const [a, b] = await Promise.all([untilStatus(rhythm, fork.id, "completed"), untilStatus(rhythm, id, "completed")]);
      assert.deepEqual(a.output, { id: fork.id, a: 10, b: 200, discount: 3, approval: "fork" });
      assert.deepEqual(b.output, { id, a: 10, b: 200, discount: 3, approval: "original" });
      assert.equal(steps.length, stepsBefore, "no task ran again");
      assert.match(
        (await rhythm.logs(fork.id)).find((l) => l.source === "operation")!.message,
        new RegExp(`forked by bob from ${id}`),
      );
    });

    test("fork of a run awaiting a task starts the fork's own task; a timer keeps its fire time", async () => {
      const id = await rhythm.startWorkflow("slow", {});
      await until("the blocking task to start", () => blockingStarted === 1);
      const fork = await rhythm.fork(id);
      assert.deepEqual(
        fork.started.map((s) => [s.kind, s.name]),
        [["task", "blocking"]],
      );
      await until("the fork's own task to start", () => blockingStarted === 2);
      const forkTask = (await rhythm.list({ name: "blocking" })).find((t) => t.parentId === fork.id);
      assert.ok(forkTask, "the fork's task has the fork as parent");
      release.resolve();
      const [o, k] = await Promise.all(
        [id, fork.id].map((x) =>
          until(`${x} to wait on its timer`, async () => ((await rhythm.get(x))?.timers?.length ? rhythm.get(x) : undefined)),
        ),
      );
      const again = await rhythm.fork(id);
      assert.equal(again.timers, 1);
      const copy = await until("the second fork to pause", async () => {
        const e = await rhythm.get(again.id);
        return e?.status === "suspended" ? e : undefined;
      });
      assert.equal(copy.timers![0].firesAt, o!.timers![0].firesAt, "a fork's timer fires when the original's does");
      assert.ok(k!.timers![0].firesAt);
    });

    test("retry: a task that failed for good, fixed, runs again; no earlier task does", async () => {
      rhythm.task("flaky", flaky);
      const id = await rhythm.startWorkflow("order", { discount: 0 });
      const failed = await untilStatus(rhythm, id, "failed");
      assert.match(JSON.stringify(failed.error), /flaky 2 is broken/);
      // the last saved state is kept: inspect shows where it stopped
      assert.equal((await rhythm.inspect(id)).stack[0].line, 4);
      const stepsBefore = steps.length;
      rhythm.task("flaky", async (inputs: { n: number }) => inputs.n * 100);
      const retried = await rhythm.retry(id, { by: "carol" });
      assert.notEqual(retried.status, "failed");
      await until("the retried order to wait for approval", async () => (await rhythm.get(id))?.status === "suspended");
      await rhythm.signal(id, "approve", "after retry");
      const done = await untilStatus(rhythm, id, "completed");
      assert.deepEqual(done.output, { id, a: 10, b: 200, discount: 0, approval: "after retry" });
      assert.equal(steps.length, stepsBefore, "the task before the failed one did not run again");
      const [task] = (await rhythm.list({ name: "flaky" })).filter((t) => t.parentId === id);
      const full = (await rhythm.get(task.id))!;
      assert.deepEqual([full.status, full.attempt, full.errors?.length], ["completed", 2, 1]);
      assert.match(
        (await rhythm.logs(id)).find((l) => l.source === "operation")!.message,
        /retried by carol from its last saved state; given a new attempt: task "flaky"/,
      );
      await assert.rejects(rhythm.retry(id), RetryRefusedError);
    });

    test("retry of a run that failed in its own code continues from its last saved state, after set", async () => {
      const id = await rhythm.startWorkflow("limited", { limit: 1 });
      await untilStatus(rhythm, id, "failed");
      const stepsBefore = steps.length;
      await rhythm.setVariable(id, "limit", 1000, { by: "dave" });
      await rhythm.retry(id);
      assert.equal((await untilStatus(rhythm, id, "completed")).output, 50);
      assert.equal(steps.length, stepsBefore, "its task's result was delivered again, not run again");
    });

    test("retry of a parent whose child failed retries the child from its failed await", async () => {
      rhythm.task("flaky", flaky);
      const id = await rhythm.startWorkflow("parent", {});
      await untilStatus(rhythm, id, "failed");
      const [child] = await rhythm.list({ name: "child" });
      assert.equal(child.status, "failed");
      rhythm.task("flaky", async (inputs: { n: number }) => inputs.n * 100);
      const stepsBefore = steps.length;
      await rhythm.retry(id);
      assert.deepEqual((await untilStatus(rhythm, id, "completed")).output, { before: 70, child: 800 });
      assert.equal((await rhythm.get(child.id))!.status, "completed");
      assert.equal(steps.length, stepsBefore);
    });
  });
}
