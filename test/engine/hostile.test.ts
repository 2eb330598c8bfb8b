// Hostile workflows against a worker (issue 14 items 2–5): memory bombs, a state the host cannot
// serialize, giant logs and CPU-heavy activations run in the worker's activation threads. Each ends
// in a recorded failure within seconds (ActivationCrashed after a few lost activations, or the
// machine's own error when its budgets catch it first), the worker keeps running, and ordinary
// work on the same worker completes with no task run twice — its attempts have a 1 s lease, which
// a blocked event loop would let run out. Also: a workflow whose lease keeps expiring fails after
// three, a task handler throwing a hostile value is recorded at once, a signal accepted during a
// final activation leaves no row behind, timeout 0 and unknown options are refused.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InvalidArgumentError, type Execution, type Rhythm } from "../../src/index.js";
import type { Worker } from "../../src/worker/worker.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, untilStatus } from "./support/until.js";

// Giant logs: the machine's log caps cut each line and the activation's total as they are written
// (docs/language.md, limits), so these runs end normally with their logs bounded.
const LOG_BOMBS = {
  log_bomb: 'console.log(Array.from({ length: 3000 }).fill("x".repeat(2000000))); return "survived"',
  log_lines: 'const s = "x".repeat(2000000); for (let i = 0; i < 300; i++) console.log(s); return "logged"',
};

const BOMBS = {
  array_bomb: "const a = Array.from({ length: 3000 }, () => Array.from({ length: 2000000 })); return a.length",
  state_refs:
    'const s = "x".repeat(2000000); const refs = Array.from({ length: 300 }).fill(s); await Timer.delay("10ms"); return refs.length',
  cpu_bomb:
    'const a = Array.from({ length: 2000000 }).fill(0).map(Math.random); for (let i = 0; i < 80; i++) a.slice().sort(); return "sorted"',
};

const FLOWS = {
  ...BOMBS,
  ...LOG_BOMBS,
  ordinary: 'return await Task.run("tick", { n: Inputs.n })',
  signalled_at_end: 'await Task.run("gate", {}); return "done"',
};

for (const backend of await backends()) {
  describe(`hostile workflows on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let worker: Worker;
    const ticks = new Map<string, number>();
    const errors: unknown[] = [];
    let gate = deferred();
    let gateEntered = deferred();

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task(
          "tick",
          async (i: { n: number }, ctx) => {
            ticks.set(ctx.executionId, (ticks.get(ctx.executionId) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, 150));
            return i.n;
          },
          // a 1 s lease, no retries: an event loop blocked for a second fails it (or runs it twice)
          { timeout: "1s", retries: 0 },
        )
        .task("gate", async () => {
          gateEntered.resolve();
          await gate.promise;
          return null;
        })
        .task(
          "hostile",
          () => {
            throw new Proxy(
              {},
              {
                get() {
                  throw new Error("no reading me");
                },
                getPrototypeOf() {
                  throw new Error("no prototype");
                },
                ownKeys() {
                  throw new Error("no keys");
                },
              },
            );
          },
          { retries: 0 },
        );
      worker = rhythm.worker({
        pollIntervalMs: 50,
        onError: (e) => errors.push(e),
        isolation: { threads: 2, heapMb: 64, timeoutMs: 2500 },
        // budgets raised past the thread's heap and time limits: what the threads catch is tested
        // here (the budgets themselves: budgets.test.ts)
        limits: { maxInstructions: 50_000_000, maxActivationBytes: 2 ** 40, maxActivationMs: 60_000 },
      });
      await worker.start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    async function ordinaryBatch(n: number): Promise<string[]> {
      return Promise.all(Array.from({ length: n }, (_, i) => rhythm.startWorkflow("ordinary", { n: i })));
    }

    async function checkOrdinary(ids: string[]): Promise<void> {
      for (const [i, id] of ids.entries()) {
        const e = await untilStatus(rhythm, id, "completed", 20_000);
        assert.equal(e.output, i % 4);
      }
      // every tick ran once: no lease ran out while a bomb computed
      for (const [id, n] of ticks) assert.equal(n, 1, `task ${id} ran ${n} times`);
    }

    for (const [name, output] of [
      ["log_bomb", "survived"],
      ["log_lines", "logged"],
    ] as const) {
      test(`${name}: its log is cut to the caps as it is written; the worker and its other work carry on`, async () => {
        const ordinary = await ordinaryBatch(4);
        const bomb = await rhythm.startWorkflow(name, {});
        const more = await ordinaryBatch(4);
        const done = await untilStatus(rhythm, bomb, "completed", 25_000);
        assert.equal(done.output, output);
        const lines = await rhythm.logs(bomb);
        assert.ok(lines.length >= 1);
        // each line at most 16,384 characters and a short marker; the activation at most 1 MiB and a note
        for (const l of lines) assert.ok(l.message.length <= 16_384 + 100, `a line of ${l.message.length} characters`);
        const chars = lines.reduce((n, l) => n + l.message.length, 0);
        assert.ok(chars <= 1024 * 1024 + 16_384 + 1000, `${chars} characters logged`);
        await checkOrdinary([...ordinary, ...more]);
        assert.equal(worker.isRunning, true);
      });
    }

    for (const name of Object.keys(BOMBS)) {
      test(`${name}: fails with a recorded error within seconds; the worker and its other work carry on`, async () => {
        const ordinary = await ordinaryBatch(4);
        const bomb = await rhythm.startWorkflow(name, {});
        const more = await ordinaryBatch(4);
        const failed: Execution = await untilStatus(rhythm, bomb, "failed", 25_000);
        const error = failed.error as { type: string; message: string };
        if (process.env.HOSTILE_VERBOSE) console.error(name, error);
        assert.notEqual(error.type, "LeaseExpired");
        assert.ok(error.message.length > 0);
        if (error.type === "ActivationCrashed") assert.match(error.message, /lost 3 times/);
        await checkOrdinary([...ordinary, ...more]);
        assert.equal(worker.isRunning, true);
        const row = await db.driver.query<{ status: string; claim_token: string | null }>(
          "select status, claim_token from rhythm.executions where id = $1",
          [bomb],
        );
        assert.deepEqual(row.rows[0], { status: "failed", claim_token: null });
      });
    }

    test("a workflow whose activation lease keeps expiring fails with ActivationCrashed after three", async () => {
      const id = await rhythm.startWorkflow("signalled_at_end", {}, { runAt: new Date(Date.now() + 3_600_000) });
      // three lost activations already counted (a worker died mid-activation each time), one more claim
      await db.driver.query(
        "update rhythm.executions set activation_failures = 3, activation_error = 'its lease expired', run_at = now() where id = $1",
        [id],
      );
      const failed = await untilStatus(rhythm, id, "failed", 10_000);
      assert.deepEqual(
        { type: (failed.error as { type: string }).type, reason: (failed.error as { reason: string }).reason },
        { type: "ActivationCrashed", reason: "its lease expired" },
      );
    });

    test("an expired activation lease is counted on the row, with why", async () => {
      const id = await rhythm.startWorkflow("signalled_at_end", {}, { runAt: new Date(Date.now() + 3_600_000) });
      // a worker that claimed it and stopped: its lease is over
      await db.driver.query(
        `update rhythm.executions set status = 'running', claim_token = gen_random_uuid(), worker_id = 'gone',
           lease_expires_at = now() - interval '1 second', run_at = now() + interval '1 hour' where id = $1`,
        [id],
      );
      const { expireLeases } = await import("../../src/worker/lease-expiry.js");
      const { TaskRegistry } = await import("../../src/worker/registry.js");
      const store = (rhythm as unknown as { store: import("../../src/store/store.js").Store }).store;
      await expireLeases(store, new TaskRegistry(), 50);
      const r = await db.driver.query<{ status: string; activation_failures: number; activation_error: string }>(
        "select status, activation_failures, activation_error from rhythm.executions where id = $1",
        [id],
      );
      assert.equal(r.rows[0].status, "queued");
      assert.equal(r.rows[0].activation_failures, 1);
      assert.match(r.rows[0].activation_error, /lease expired/);
      await rhythm.cancel(id);
    });

    test("a task handler throwing a Proxy whose traps throw is recorded as failed at once", async () => {
      const id = await rhythm.queueTask("hostile", {});
      const e = await untilStatus(rhythm, id, "failed", 5_000);
      assert.notEqual((e.error as { name: string }).name, "LeaseExpired");
      assert.match((e.error as { message: string }).message, /could not be read/);
    });

    test("a signal accepted during a workflow's final activation leaves no row behind", async () => {
      gate = deferred();
      gateEntered = deferred();
      const id = await rhythm.startWorkflow("signalled_at_end", {});
      await gateEntered.promise;
      // the workflow waits for its task, never for a signal: this one is buffered
      await rhythm.signal(id, "late", { n: 1 }, { force: true });
      gate.resolve();
      await untilStatus(rhythm, id, "completed", 10_000);
      const left = await db.driver.query<{ n: string | number }>(
        "select count(*) as n from rhythm.signals where execution_id = $1",
        [id],
      );
      assert.equal(Number(left.rows[0].n), 0);
    });

    test("timeout 0 is refused, at registration, at queueTask and inside a workflow", async () => {
      assert.throws(() => rhythm.task("zero", () => null, { timeout: 0 }), /timeout must be more than 0 ms/);
      await assert.rejects(rhythm.queueTask("tick", { n: 1 }, { timeout: "0s" }), /timeout must be more than 0 ms/);
      f.write("zero_timeout", 'try { Task.run("tick", { n: 1 }, { timeout: Inputs.t }) } catch (e) { return e.message }');
      await rhythm.deploy();
      const id = await rhythm.startWorkflow("zero_timeout", { t: 0 });
      const e = await untilStatus(rhythm, id, "completed", 10_000);
      assert.match(String(e.output), /"timeout" must be more than 0 ms/);
    });

    test("unknown options to the enqueue API are refused, naming the option", async () => {
      const cases: [string, () => unknown][] = [
        ["idempotencykey", () => rhythm.startWorkflow("ordinary", { n: 1 }, { idempotencykey: "k" } as never)],
        ["retry", () => rhythm.queueTask("tick", { n: 1 }, { retry: 3 } as never)],
        ["timeOut", () => rhythm.task("typo", () => null, { timeOut: "1s" } as never)],
        ["concurency", () => rhythm.worker({ concurency: 3 } as never)],
      ];
      for (const [option, call] of cases) {
        await assert.rejects(
          async () => call(),
          (e: unknown) => e instanceof InvalidArgumentError && e.message.includes(`unknown option "${option}"`),
          option,
        );
      }
    });

    test("the worker survived everything and reported what it lost", () => {
      assert.equal(worker.isRunning, true);
      assert.ok(errors.length > 0);
    });
  });
}
