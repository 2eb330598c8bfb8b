// Exactly-once under concurrency, on a Postgres server (several clients, several connections):
// three workers share 300 workflows, and a settlement whose transaction commits after a later
// one (sequence order differs from commit order) is still delivered.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import type { Rhythm } from "../../src/index.js";
import type { ActivationInput } from "../../src/worker/activation.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";
import { ByHand } from "./support/by-hand.js";
import { until } from "./support/until.js";

const CHAIN = `
let x = Inputs.n;
for (let step = 1; step <= 3; step++) {
  x = await Task.run("step", { x, step });
  console.log("step", step);
}
return x;
`;

const HOLDER = `
return await Task.run("held", {});
`;

const TRIO = `
const [a, b, c] = await Promise.all([Task.run("trio-a", {}), Task.run("trio-b", {}), Task.run("trio-c", {})]);
return a + b + c;
`;

if (await postgresAvailable()) {
  describe("concurrency on postgres", () => {
    let db: TestDatabase;
    let f: EngineFixture;
    const clients: Rhythm[] = [];
    /** Claims and activations by hand, beside the workers. */
    let hand: ByHand;

    before(async () => {
      db = await postgresDatabase();
      f = await engine(db, { chain: CHAIN, trio: TRIO, holder: HOLDER });
      await f.rhythm.deploy();
      hand = new ByHand(db.driver, "manual");
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await f.close();
      await db.drop();
    });

    const scalar = async (sql: string, params: unknown[] = []) => (await db.driver.query<{ v: unknown }>(sql, params)).rows[0].v;

    test("a settlement that commits after a later one is not lost", async () => {
      const { store, sql } = hand;
      const id = await f.rhythm.startWorkflow("trio", {});
      // first activation by hand: the workflow suspends on three tasks
      const [first] = await store.claim("manual", ["default"], [], 1, 30_000);
      assert.equal(first.id, id);
      assert.equal(await hand.activate(first, await store.inbox([id])), "suspended");
      const handles = (
        await db.driver.query<{ name: string; parent_handle: number }>(
          "select name, parent_handle from rhythm.executions where parent_id = $1",
          [id],
        )
      ).rows;
      const handle = (name: string) => handles.find((h) => h.name === name)!.parent_handle;
      const settle = async (q: { query: (sql: string, params: unknown[]) => Promise<unknown> }, name: string, value: number) => {
        await q.query(sql.InboxInsert, [JSON.stringify([{ execution_id: id, handle: handle(name), ok: true, value }])]);
        await q.query(sql.Wake, [[id]]);
      };
      // task C finishes: the workflow is queued and a worker claims it
      await db.driver.transaction((tx) => settle(tx, "trio-c", 4));
      const [second] = await store.claim("manual", ["default"], [], 1, 30_000);
      assert.equal(second.id, id);

      // Meanwhile two more settlements race: A takes the lower inbox seq but commits last, after
      // the activation has read its inbox.
      const a = new pg.Client({ connectionString: db.url! });
      const b = new pg.Client({ connectionString: db.url! });
      await a.connect();
      await b.connect();
      try {
        await a.query("begin");
        await a.query(sql.InboxInsert, [JSON.stringify([{ execution_id: id, handle: handle("trio-a"), ok: true, value: 1 }])]);
        await b.query("begin");
        await settle(b, "trio-b", 2);
        await b.query("commit");
        const inbox = await store.inbox([id]);
        assert.deepEqual(
          inbox.map((i) => i.value),
          [4, 2],
        );
        await a.query(sql.Wake, [[id]]);
        await a.query("commit");
        assert.equal(await hand.activate(second, inbox), "suspended");
      } finally {
        await a.end();
        await b.end();
      }
      assert.equal(
        await scalar("select status as v from rhythm.executions where id = $1", [id]),
        "queued",
        "the late settlement queued it again",
      );
      const worker = f.rhythm.worker({ pollIntervalMs: 50 });
      await worker.start();
      try {
        const done = await f.rhythm.wait(id, { timeout: "5s" });
        assert.equal(done.status, "completed");
        assert.equal(done.output, 7);
      } finally {
        await worker.stop();
      }
    });

    test("a cancellation racing a task's completion does not fail on a deadlock", async () => {
      const { store } = hand;
      const id = await f.rhythm.startWorkflow("holder", {}, { queue: "deadlock" });
      const [claim] = await store.claim("manual", ["deadlock"], [], 1, 30_000);
      assert.equal(await hand.activate(claim, []), "suspended");
      const [task] = await store.claim("manual", ["default"], ["held"], 1, 60_000);
      assert.equal(task.parent_id, id);

      // A third session holds the task's row so both operations queue behind it: the completion
      // (task row, then the workflow's) and the cancellation (workflow row, then the task's).
      const x = new pg.Client({ connectionString: db.url! });
      await x.connect();
      const lockWaiters = async () =>
        Number(
          await scalar(
            "select count(*) as v from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
          ),
        );
      let completing: Promise<boolean>;
      let cancelling: Promise<unknown>;
      try {
        await x.query("begin");
        await x.query("select id from rhythm.executions where id = $1 for update", [task.id]);
        completing = hand.complete(task.id, task.claim_token, 1);
        completing.catch(() => {});
        await until("the completion to wait", async () => (await lockWaiters()) >= 1);
        cancelling = f.rhythm.cancel(id);
        cancelling.catch(() => {});
        await until("the cancellation to wait", async () => (await lockWaiters()) >= 2);
        await x.query("commit");
      } finally {
        await x.end();
      }
      const [completed, cancelled] = await Promise.allSettled([completing, cancelling]);
      assert.equal(completed.status, "fulfilled", String((completed as PromiseRejectedResult).reason));
      assert.equal(cancelled.status, "fulfilled", String((cancelled as PromiseRejectedResult).reason));
      assert.equal((await f.rhythm.get(id))?.status, "cancelled");
      assert.ok(["completed", "cancelled"].includes((await f.rhythm.get(task.id))!.status));
    });

    test("a settlement that commits while a group commit waits for its workflow's row reaches the activation that commit runs", async () => {
      const { store, sql, programs } = hand;
      const id = await f.rhythm.startWorkflow("trio", {}, { queue: "inline" });
      const [first] = await store.claim("manual", ["inline"], [], 1, 30_000);
      assert.equal(await hand.activate(first, []), "suspended");
      const tasks = (
        await db.driver.query<{ id: string; name: string; parent_handle: number }>(
          "select id, name, parent_handle from rhythm.executions where parent_id = $1",
          [id],
        )
      ).rows;
      // (the first test settled a trio-c by hand: that task is still queued, and given back here)
      const claimed = await store.claim("manual", ["default"], ["trio-c"], 10, 60_000);
      const c = claimed.find((t) => t.parent_id === id)!;
      for (const t of claimed) if (t !== c) await store.release(t.id, t.claim_token);
      const x = new pg.Client({ connectionString: db.url! });
      await x.connect();
      try {
        // another session delivers trio-b's settlement as deliver does: the row locked and changed
        // (Wake), then the inbox row; it commits only once the group commit waits for the row, so
        // the group commit's statement took its snapshot before that settlement existed
        await x.query("begin");
        await x.query(sql.Wake, [[id]]);
        const b = tasks.find((t) => t.name === "trio-b")!;
        await x.query(sql.InboxInsert, [JSON.stringify([{ execution_id: id, handle: b.parent_handle, ok: true, value: 2 }])]);
        await programs.program("trio", first.version!);
        let given: unknown[] = [];
        // a worker serving "inline" writes the completion: the workflow it wakes is activated in that transaction
        const steps = hand.steps(["inline"], {
          loaded: (name, version) => hand.activator.loaded(name, version),
          run: (input: ActivationInput, inTransaction) => {
            given = [...input.inbox, ...input.handed].map((i) => i.value);
            return hand.activator.run(input, inTransaction);
          },
        });
        const committing = steps.write([{ type: "complete", id: c.id, token: c.claim_token, output: 4, standalone: false }], {
          slots: 0,
          inDoubt: () => {},
        });
        await until(
          "the group commit to wait for the workflow's row",
          async () =>
            Number(
              await scalar(
                "select count(*) as v from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
              ),
            ) >= 1,
        );
        await x.query("commit");
        assert.deepEqual((await committing).written, [true]);
        // both settlements, in delivery order: the one that committed meanwhile was read again
        assert.deepEqual(given, [2, 4]);
      } finally {
        await x.end();
      }
      assert.equal(await scalar("select status as v from rhythm.executions where id = $1", [id]), "suspended");
      assert.equal(Number(await scalar("select count(*) as v from rhythm.inbox where execution_id = $1", [id])), 0);
    });

    test("a worker and a waiter whose LISTEN connections are killed reconnect and still wake", async () => {
      const client = await connectTo(db, f.dir);
      clients.push(client);
      client.task("ping", async () => "pong");
      const errors: unknown[] = [];
      // polling is a minute apart: only notifications can wake this worker in time
      await client.worker({ queues: ["listen-q"], pollIntervalMs: 60_000, onError: (e) => errors.push(e) }).start();
      const first = await client.queueTask("ping", {}, { queue: "listen-q" });
      assert.equal((await client.wait(first, { timeout: "10s" })).output, "pong");
      const killed = await db.driver.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'",
      );
      assert.ok(killed.rows.length >= 2, "the worker's and the waiter's LISTEN connections");
      await until(
        "both to listen again",
        async () =>
          Number(
            await scalar(
              "select count(*) as v from pg_stat_activity where datname = current_database() and query ilike 'listen %' and state = 'idle'",
            ),
          ) >= 2,
      );
      const second = await client.queueTask("ping", {}, { queue: "listen-q" });
      assert.equal((await client.wait(second, { timeout: "10s" })).output, "pong");
      assert.deepEqual(errors, []);
    });

    test("three workers, 300 workflows: each completes once, each task attempt runs once", { timeout: 55_000 }, async () => {
      const runs = new Map<string, number>();
      for (let n = 0; n < 3; n++) {
        const client = await connectTo(db, f.dir);
        clients.push(client);
        client.task("step", async (i: { x: number; step: number }, ctx) => {
          runs.set(ctx.executionId, (runs.get(ctx.executionId) ?? 0) + 1);
          return i.x + i.step;
        });
      }
      await Promise.all(clients.map((c) => c.worker({ concurrency: 10, pollIntervalMs: 200 }).start()));
      const ids = await clients[0].startWorkflows(
        "chain",
        Array.from({ length: 300 }, (_, n) => ({ n })),
      );
      await until(
        "300 workflows to finish",
        async () =>
          Number(
            await scalar(
              "select count(*) as v from rhythm.executions where name = 'chain' and status in ('completed', 'failed', 'cancelled')",
            ),
          ) === 300,
        50_000,
      );
      const wrong = await db.driver.query(
        "select id, status, output, error from rhythm.executions where name = 'chain' and (status <> 'completed' or output::jsonb <> to_jsonb((inputs->>'n')::int + 6))",
      );
      assert.deepEqual(wrong.rows, []);
      assert.equal(Number(await scalar("select count(*) as v from rhythm.executions where id = any($1::uuid[])", [ids])), 300);

      // every task execution ran exactly once, on its first attempt
      const tasks = (
        await db.driver.query<{ id: string; status: string; attempt: number }>(
          "select id, status, attempt from rhythm.executions where name = 'step'",
        )
      ).rows;
      assert.equal(tasks.length, 900);
      assert.ok(tasks.every((t) => t.status === "completed" && t.attempt === 1));
      assert.equal(runs.size, 900);
      assert.deepEqual(
        [...runs.values()].filter((n) => n !== 1),
        [],
      );
      // every activation committed once: each workflow logged each step exactly once, in order
      const logs = await db.driver.query<{ lines: string }>(
        "select string_agg(l.message, ',' order by l.seq) as lines from rhythm.executions e left join rhythm.logs l on l.execution_id = e.id where e.name = 'chain' group by e.id",
      );
      assert.equal(logs.rows.length, 300);
      assert.deepEqual(
        logs.rows.filter((r) => r.lines !== "step 1,step 2,step 3"),
        [],
      );
      // the work really was shared
      assert.ok(Number(await scalar("select count(distinct worker_id) as v from rhythm.executions where name = 'step'")) >= 2);
      assert.equal(
        Number(
          await scalar(
            "select count(*) as v from rhythm.inbox i join rhythm.executions e on e.id = i.execution_id where e.name = 'chain'",
          ),
        ),
        0,
      );
    });
  });
}
