// Due work starts on time (issue 10): a retry's short backoff, a Timer.delay, a task's `delay`
// or `runAt` start when they are due, not at the next poll (10 s by default, which these workers
// keep). Times are read from what was recorded — the handler's clock at each attempt, the
// workflow's Date.now() (the database clock), the rows' created_at and started_at — with a bound
// far below the poll interval, never from sleeps of the test. And an idle worker stays as quiet.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm } from "../../src/index.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { backends, type TestDatabase } from "../support/database.js";
import { connectTo, engine, type EngineFixture } from "../support/engine.js";
import { CountingDriver } from "./support/counting-driver.js";
import { until } from "./support/until.js";

/** Far below the 10 s poll these tests' workers keep, far above what a commit and a claim take. */
const ON_TIME_MS = 700;

const FLOWS = {
  sleeps: `
const t0 = Date.now();
await Timer.delay("200ms");
return Date.now() - t0;
`,
  delays: `
await Task.run("stamp", { via: "workflow" }, { delay: "300ms" });
return "done";
`,
  retries: `
return await Task.run("fails-once", { key: Inputs.key }, { retries: { limit: 1, initial: "200ms", factor: 1 } });
`,
};

const ms = (iso: string | null) => Date.parse(iso!);

/** Holds each claim's answer back `holdMs` (once set): the worker goes on well after the claim's snapshot. */
class SlowClaims extends CountingDriver {
  holdMs = 0;

  override async query<T>(sql: string, params?: unknown[]) {
    return this.held(sql, await super.query<T>(sql, params));
  }

  override async relaxedQuery<T>(sql: string, params?: unknown[]) {
    return this.held(sql, await super.relaxedQuery<T>(sql, params));
  }

  private async held<R>(sql: string, r: R): Promise<R> {
    if (this.holdMs > 0 && sql.trim().startsWith("with picked")) await new Promise((w) => setTimeout(w, this.holdMs));
    return r;
  }
}

for (const backend of await backends()) {
  describe(`due work on time on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    /** Each fails-once attempt's time, by key. */
    const attempts = new Map<string, number[]>();

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task("fails-once", async (inputs: { key: string }) => {
          const list = attempts.get(inputs.key) ?? [];
          list.push(Date.now());
          attempts.set(inputs.key, list);
          if (list.length === 1) throw new Error("once");
          return list.length;
        })
        .task("stamp", async () => Date.now());
      // the default poll interval (10 s): due work must not wait for it
      await rhythm.worker().start();
    });
    after(async () => {
      await f?.close();
      await db?.drop();
    });

    test("a retry with a 200 ms backoff runs about 200 ms after the failed attempt (standalone and in a workflow)", async () => {
      const id = await rhythm.queueTask(
        "fails-once",
        { key: "standalone" },
        { retries: { limit: 1, initial: "200ms", factor: 1 } },
      );
      assert.equal((await rhythm.wait(id, { timeout: "10s" })).status, "completed");
      const wf = await rhythm.startWorkflow("retries", { key: "workflow" });
      assert.equal((await rhythm.wait(wf, { timeout: "10s" })).output, 2);
      for (const key of ["standalone", "workflow"]) {
        const [first, second] = attempts.get(key)!;
        // equal jitter: the backoff is 100 to 200 ms
        assert.ok(second - first >= 100, `${key}: the retry came ${second - first} ms after the failure`);
        assert.ok(second - first < ON_TIME_MS, `${key}: the retry came ${second - first} ms after the failure`);
      }
    });

    test("a 200 ms Timer.delay resumes the workflow about 200 ms later", async () => {
      const id = await rhythm.startWorkflow("sleeps", {});
      const done = await rhythm.wait(id, { timeout: "10s" });
      assert.equal(done.status, "completed");
      const slept = done.output as number;
      assert.ok(slept >= 200 && slept < ON_TIME_MS, `the workflow slept ${slept} ms`);
    });

    test('a task with delay "300ms" (from a workflow, from the API) or a runAt starts when due', async () => {
      const wf = await rhythm.startWorkflow("delays", {});
      await rhythm.wait(wf, { timeout: "10s" });
      await rhythm.queueTask("stamp", { via: "api" }, { delay: "300ms" });
      await rhythm.queueTask("stamp", { via: "runAt" }, { runAt: Date.now() + 300 });
      const tasks = await until("the three stamps to finish", async () => {
        const list = await rhythm.list({ name: "stamp" });
        return list.length === 3 && list.every((t) => t.status === "completed") ? list : undefined;
      });
      for (const t of tasks) {
        const late = ms(t.startedAt) - ms(t.createdAt);
        assert.ok(late >= 250 && late < 300 + ON_TIME_MS, `${JSON.stringify(t.inputs)} started ${late} ms after it was queued`);
      }
    });

    test("another worker serving the queue hears of due work too", async () => {
      const other = await connectTo(db, f.dir);
      try {
        let at = 0;
        other.task("elsewhere", async () => (at = Date.now()));
        await other.worker({ queues: ["elsewhere"] }).start();
        const queued = Date.now();
        const id = await rhythm.queueTask("elsewhere", {}, { queue: "elsewhere", delay: "300ms" });
        assert.equal((await rhythm.wait(id, { timeout: "10s" })).status, "completed");
        assert.ok(at - queued >= 250 && at - queued < 300 + ON_TIME_MS, `it ran ${at - queued} ms after it was queued`);
      } finally {
        await other.close();
      }
    });

    test("work that comes due while a claim is under way starts then, not at the next beat", async () => {
      const slow = new SlowClaims(db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver, db.kind === "postgres");
      const own = await Rhythm.connectWith(slow, { workflows: f.dir });
      try {
        own.task("slow-claims", async () => null);
        await own.worker({ queues: ["slow-claims"] }).start();
        slow.holdMs = 500;
        // the first comes due, and the round that claims it reads the due times again; that claim
        // sees the second not due yet and answers after it is
        const at = Date.now();
        await rhythm.queueTask("slow-claims", { n: 1 }, { queue: "slow-claims", runAt: at + 150 });
        const late = await rhythm.queueTask("slow-claims", { n: 2 }, { queue: "slow-claims", runAt: at + 250 });
        const done = await rhythm.wait(late, { timeout: "15s" });
        const startedAfter = ms(done.startedAt) - ms(done.createdAt);
        // a beat is 10 s away: due work must not wait for it
        assert.ok(startedAfter < 250 + 2 * 500 + ON_TIME_MS, `the due task started ${startedAfter} ms after it was queued`);
      } finally {
        await own.close();
        await slow.close();
      }
    });

    test("an idle worker makes at most 0.5 statements a second: a beat that reads the next due time, and a claim", async (t) => {
      const counting = new CountingDriver(
        db.kind === "postgres" ? new PostgresDriver(db.url!) : db.driver,
        db.kind === "postgres",
      );
      const idle = await Rhythm.connectWith(counting, { workflows: f.dir });
      try {
        idle.task("idle-task", async () => null);
        await idle.worker({ queues: ["idle"] }).start();
        // some work due later on its queue: known, and waited for without polling more
        await rhythm.queueTask("idle-task", {}, { queue: "idle", delay: "1h" });
        // the schedule ticker's first read at start (then one a minute) is not the idle rate
        await until("the schedule ticker's first read", () => counting.texts.some((s) => s.includes("min(next_fire_at)")));
        counting.reset();
        const started = Date.now();
        await until("6 s of idleness", () => Date.now() - started >= 6000, 9000);
        const seconds = (Date.now() - started) / 1000;
        t.diagnostic(`${counting.statements} statements in ${seconds.toFixed(1)} s: ${counting.texts.join(" | ")}`);
        const all = counting.texts.join("\n");
        // every 10 s (the beat): the beat, which reads the next timer, due work and lease expiry
        // too, and one claim; nothing in between (the delayed task's notification woke nobody)
        assert.ok(counting.texts.filter((s) => s.startsWith("with gone")).length <= 1, all);
        assert.ok(counting.texts.filter((s) => s.startsWith("with picked")).length <= 1, all);
        assert.ok(counting.statements <= 0.5 * seconds, all);
      } finally {
        await idle.close();
        await counting.close();
      }
    });
  });
}
