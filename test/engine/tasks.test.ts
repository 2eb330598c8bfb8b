// Standalone tasks on the engine (SPEC §3, §4): batch enqueue in one round trip, priority and
// run-time ordering, retries with every attempt's error kept, NonRetryableError, timeouts as
// leases, heartbeats, ctx, idempotency keys, refusal of non-JSON or oversized inputs before any
// write, and enqueueing inside the caller's own transaction.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { NonRetryableError, Rhythm, type Execution } from "../../src/index.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { CountingDriver } from "./support/counting-driver.js";
import { until } from "./support/until.js";

async function count(db: TestDatabase, where = "true", params: unknown[] = []): Promise<number> {
  const r = await db.driver.query<{ n: string | number }>(`select count(*) as n from rhythm.executions where ${where}`, params);
  return Number(r.rows[0].n);
}

const messages = (e: Execution) => (e.errors as { message: string; attempt: number }[]).map((x) => [x.attempt, x.message]);

for (const backend of await backends()) {
  describe(`tasks on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const aborts: string[] = [];

    before(async () => {
      db = await backend.open();
      f = await engine(db, {});
      rhythm = f.rhythm;
      rhythm
        .task("flaky", async (i: { failUntil: number }, ctx) => {
          if (ctx.attempt < i.failUntil) throw new Error(`fail ${ctx.attempt}`);
          return { ok: ctx.attempt };
        })
        .task("declined", async () => {
          throw new NonRetryableError("card declined");
        })
        .task(
          "hangs",
          (_i, ctx) =>
            new Promise(() => {
              ctx.signal.addEventListener("abort", () => aborts.push((ctx.signal.reason as Error).name));
            }),
          { timeout: "300ms", retries: { limit: 1, initial: "10ms" } },
        )
        .task(
          "beats",
          async (i: { beats: number }, ctx) => {
            for (let b = 0; b < i.beats; b++) {
              await new Promise((r) => setTimeout(r, 100));
              await ctx.heartbeat();
            }
            return { attempt: ctx.attempt, aborted: ctx.signal.aborted };
          },
          { timeout: "300ms", retries: 0 },
        )
        .task("chatty", async (i: { lines: number }, ctx) => {
          for (let n = 0; n < i.lines; n++) ctx.log(`line ${n}`);
          return { executionId: ctx.executionId, attempt: ctx.attempt, parentId: ctx.parentId };
        });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("queueTasks writes any number of tasks in one transaction of a fixed size", async () => {
      const inner = db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver;
      const counting = new CountingDriver(inner, db.kind === "postgres");
      const client = await Rhythm.connectWith(counting);
      try {
        counting.reset();
        await client.queueTasks("bulk-one", [{ n: 0 }]);
        // a few tasks: the insert and its NOTIFY are one statement
        assert.deepEqual({ calls: counting.calls, statements: counting.statements }, { calls: 1, statements: 1 });
        counting.reset();
        await client.queueTasks(
          "bulk-some",
          Array.from({ length: 150 }, (_, n) => ({ n })),
        );
        const some = { calls: counting.calls, statements: counting.statements };
        counting.reset();
        const ids = await client.queueTasks(
          "bulk-many",
          Array.from({ length: 200 }, (_, n) => ({ n })),
        );
        assert.deepEqual({ calls: counting.calls, statements: counting.statements }, some, counting.texts.join("\n"));
        assert.equal(counting.calls, 1, "one transaction");
        assert.equal(new Set(ids).size, 200);
        assert.equal(await count(db, "name = 'bulk-many'"), 200);
        const inputs = await Promise.all([ids[0], ids[199]].map(async (id) => (await client.get(id))?.inputs));
        assert.deepEqual(inputs, [{ n: 0 }, { n: 199 }]);
      } finally {
        await client.close();
        await counting.close();
      }
    });

    test("tasks run by priority, then by run time, and a delayed task waits for its time", async () => {
      const order: string[] = [];
      rhythm.task("ordered", async (i: { tag: string }) => {
        order.push(i.tag);
      });
      const a = await rhythm.queueTask("ordered", { tag: "a" }, { queue: "ordering" });
      await rhythm.queueTask("ordered", { tag: "b" }, { queue: "ordering", priority: 10 });
      await rhythm.queueTask("ordered", { tag: "c" }, { queue: "ordering", priority: 5 });
      await rhythm.queueTask("ordered", { tag: "d" }, { queue: "ordering", runAt: new Date(Date.now() - 60_000) });
      const e = await rhythm.queueTask("ordered", { tag: "e" }, { queue: "ordering", priority: 100, delay: "400ms" });
      const queuedE = await rhythm.get(e);
      assert.equal(queuedE?.status, "queued");
      assert.ok(Date.parse(queuedE!.runAt!) - Date.parse(queuedE!.createdAt) >= 399, JSON.stringify(queuedE));
      const w = rhythm.worker({ queues: ["ordering"], concurrency: 1, pollIntervalMs: 50 });
      await w.start();
      try {
        const doneE = await rhythm.wait(e, { timeout: "10s" });
        await rhythm.wait(a, { timeout: "10s" });
        assert.deepEqual(
          order.filter((t) => t !== "e"),
          ["b", "c", "d", "a"],
        );
        assert.ok(order.includes("e"));
        // on the database clock, the delayed task did not start before its time
        assert.ok(Date.parse(doneE.startedAt!) - Date.parse(doneE.createdAt) >= 399, JSON.stringify(doneE));
      } finally {
        await w.stop();
      }
    });

    test("a task that fails twice then succeeds completes on attempt 3 and keeps both errors", async () => {
      const id = await rhythm.queueTask("flaky", { failUntil: 3 }, { retries: { limit: 3, initial: "10ms" } });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done));
      assert.deepEqual(done.output, { ok: 3 });
      assert.equal(done.attempt, 3);
      assert.deepEqual(messages(done), [
        [1, "fail 1"],
        [2, "fail 2"],
      ]);
      assert.equal(done.error, null);
    });

    test("NonRetryableError fails the task at once", async () => {
      const id = await rhythm.queueTask("declined", {}, { retries: { limit: 5, initial: "10ms" } });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.equal(done.attempt, 1);
      assert.equal((done.error as { name: string }).name, "NonRetryableError");
      assert.equal((done.error as { message: string }).message, "card declined");
      assert.deepEqual(messages(done), [[1, "card declined"]]);
    });

    test("a task whose retries run out fails with every attempt's error kept", async () => {
      const id = await rhythm.queueTask("flaky", { failUntil: 99 }, { retries: { limit: 2, initial: "10ms" } });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.equal(done.attempt, 3);
      assert.deepEqual(messages(done), [
        [1, "fail 1"],
        [2, "fail 2"],
        [3, "fail 3"],
      ]);
      assert.equal((done.error as { message: string }).message, "fail 3");
    });

    test("an attempt that outlives its timeout is aborted through its AbortSignal and retried", async () => {
      aborts.length = 0;
      const id = await rhythm.queueTask("hangs", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "failed");
      assert.equal(done.attempt, 2);
      const names = (done.errors as { name: string }[]).map((e) => e.name);
      assert.equal(names.length, 2);
      for (const n of names) assert.match(n, /^(Timeout|LeaseExpired)$/);
      await until("both attempts' signals to fire", () => aborts.length === 2);
      assert.deepEqual(aborts, ["Timeout", "Timeout"]);
    });

    test("ctx.heartbeat() extends the lease past the timeout", async () => {
      const id = await rhythm.queueTask("beats", { beats: 6 });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed", JSON.stringify(done));
      assert.deepEqual(done.output, { attempt: 1, aborted: false });
      assert.equal(done.errors, undefined);
    });

    test("the handler gets its execution id, attempt and parent, and ctx.log lines are kept in order", async () => {
      const id = await rhythm.queueTask("chatty", { lines: 25 });
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.deepEqual(done.output, { executionId: id, attempt: 1, parentId: null });
      const logs = await rhythm.logs(id);
      assert.deepEqual(
        logs.map((l) => l.message),
        Array.from({ length: 25 }, (_, n) => `line ${n}`),
      );
    });

    test("a task's concurrency option caps how many of its attempts one worker runs at once", async () => {
      let running = 0;
      let most = 0;
      const gate: (() => void)[] = [];
      rhythm.task(
        "capped",
        async () => {
          running++;
          most = Math.max(most, running);
          await new Promise<void>((r) => gate.push(r));
          running--;
        },
        { concurrency: 2, queue: "capped-q" },
      );
      const ids = await rhythm.queueTasks(
        "capped",
        Array.from({ length: 6 }, (_, n) => ({ n })),
      );
      const w = rhythm.worker({ queues: ["capped-q"], concurrency: 10, pollIntervalMs: 50 });
      await w.start();
      try {
        for (let finished = 0; finished < 6; finished++) {
          const open = Math.min(2, 6 - finished);
          await until(`${open} attempts to be running`, () => gate.length >= open);
          assert.ok(gate.length <= 2 && most <= 2, `${gate.length} attempts running at once`);
          gate.shift()!();
        }
        for (const id of ids) assert.equal((await rhythm.wait(id, { timeout: "10s" })).status, "completed");
        assert.equal(most, 2);
        const counted = await rhythm.list({ name: "capped", limit: 10 });
        assert.ok(counted.every((e) => e.attempt === 1));
      } finally {
        await w.stop();
      }
    });

    test("a task queued without inputs gets null", async () => {
      rhythm.task("no-inputs", async (i: unknown) => ({ got: i }));
      const id = await rhythm.queueTask("no-inputs");
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.inputs, null);
      assert.deepEqual(done.output, { got: null });
    });

    test("an idempotency key makes a second enqueue return the first execution", async () => {
      const first = await rhythm.queueTask("unserved-idem", { n: 1 }, { idempotencyKey: "order-42" });
      const second = await rhythm.queueTask("unserved-idem", { n: 2 }, { idempotencyKey: "order-42" });
      const batch = await rhythm.queueTasks("unserved-idem", [{ n: 3 }, { n: 4 }], { idempotencyKey: "order-43" });
      assert.equal(second, first);
      assert.equal(batch[0], batch[1]);
      assert.notEqual(batch[0], first);
      assert.equal(await count(db, "name = 'unserved-idem'"), 2);
      assert.deepEqual((await rhythm.get(first))?.inputs, { n: 1 });
      // another task name has its own keys
      const other = await rhythm.queueTask("unserved-idem-2", {}, { idempotencyKey: "order-42" });
      assert.notEqual(other, first);
    });

    test("inputs that are not JSON are refused before anything is written", async () => {
      const cycle: Record<string, unknown> = { a: 1 };
      cycle.self = cycle;
      const bad: [string, unknown][] = [
        ["BigInt", { n: 10n }],
        ["function", { f: () => 1 }],
        ["cycle", cycle],
        ["Date", { at: new Date() }],
        ["undefined", { u: undefined }],
        ["undefined in an array", [1, undefined]],
        ["NaN", { n: NaN }],
        ["Infinity", [Infinity]],
        ["Map", new Map()],
      ];
      const before = await count(db);
      for (const [what, inputs] of bad) {
        await assert.rejects(
          rhythm.queueTask("refused", inputs),
          { name: "InvalidArgumentError", code: "INVALID_ARGUMENT" },
          what,
        );
        // one bad item refuses the whole batch
        await assert.rejects(rhythm.queueTasks("refused", [{ ok: 1 }, inputs]), { code: "INVALID_ARGUMENT" }, what);
      }
      await assert.rejects(rhythm.queueTasks("refused", [undefined]), { code: "INVALID_ARGUMENT" });
      await assert.rejects(rhythm.queueTasks("refused", { n: 1 } as unknown as unknown[]), { code: "INVALID_ARGUMENT" });
      // values JavaScript accepts but the database's columns cannot hold
      await assert.rejects(rhythm.queueTask("refused", {}, { priority: 1e10 }), { code: "INVALID_ARGUMENT" });
      await assert.rejects(rhythm.queueTask("refused", {}, { timeout: "30d" }), { code: "INVALID_ARGUMENT" });
      await assert.rejects(rhythm.startWorkflows("refused", "inputs" as unknown as unknown[]), { code: "INVALID_ARGUMENT" });
      assert.equal(await count(db), before);
      assert.equal(await count(db, "name = 'refused'"), 0);
    });

    test("inputs over the size limit are refused before anything is written", async () => {
      const before = await count(db);
      const big = { text: "x".repeat(1024 * 1024 + 10) };
      await assert.rejects(rhythm.queueTask("too-big", big), (e: Error & { code?: string }) => {
        assert.equal(e.code, "INVALID_ARGUMENT");
        assert.match(e.message, /over the limit/);
        return true;
      });
      await assert.rejects(rhythm.queueTasks("too-big", [{}, big]), { code: "INVALID_ARGUMENT" });
      assert.equal(await count(db), before);
    });

    if (backend.kind === "postgres") {
      test("tx: an enqueue inside a rolled-back transaction leaves nothing; a committed one runs", async () => {
        const client = new pg.Client({ connectionString: db.url! });
        await client.connect();
        try {
          await client.query("begin");
          const lost = await rhythm.queueTask("flaky", { failUntil: 1 }, { tx: client });
          await client.query("rollback");
          assert.equal(await rhythm.get(lost), null);
          assert.equal(await count(db, "id = $1", [lost]), 0);

          await client.query("begin");
          const kept = await rhythm.queueTask("flaky", { failUntil: 1 }, { tx: client });
          // not visible outside the transaction until it commits
          assert.equal(await rhythm.get(kept), null);
          await client.query("commit");
          const done = await rhythm.wait(kept, { timeout: "10s" });
          assert.equal(done.status, "completed");
        } finally {
          await client.end();
        }
      });
    }
  });
}
