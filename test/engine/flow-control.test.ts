// Concurrency keys and rate limits in the engine (migration 008), on Postgres and PGlite, with two
// workers in this process: at most `limit` holders of a key (from the handlers' own log), a
// waiting line that blocks no other key, a workflow holding its key while suspended, a limit
// lowered while over it, cancellation in the line, a rate limit's windows, and bad options refused
// before anything is written. Several processes: flow-control-processes.test.ts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { InvalidArgumentError, type Rhythm, type Worker } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until, type Deferred } from "./support/until.js";

const FLOWS = {
  // three keyed tasks at once from a workflow, and a child per customer
  fanout: `
return await Promise.all([1, 2, 3, 4].map((i) => Task.run("logged", { i }, { concurrency: { key: "from-flow" } })));
`,
  customer: `
const got = await Signal.next("go");
return got;
`,
};

/** Balanced start/end events of handlers: the most that were inside at once, per key. */
function maxInside(log: string[], prefix: string): number {
  let inside = 0;
  let max = 0;
  for (const e of log) {
    if (e === `start ${prefix}`) max = Math.max(max, ++inside);
    if (e === `end ${prefix}`) inside--;
  }
  return max;
}

for (const backend of await backends()) {
  describe(`concurrency keys and rate limits on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const workers: Worker[] = [];
    const log: string[] = [];
    /** Handlers of "held" wait here until the test lets them go, by inputs.gate. */
    const gates = new Map<string, Deferred>();

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm
        .task("logged", async (inputs: { key?: string }) => {
          const k = inputs.key ?? "from-flow";
          log.push(`start ${k}`);
          await new Promise((r) => setTimeout(r, 5));
          log.push(`end ${k}`);
          return inputs;
        })
        .task("held", async (inputs: { gate: string }) => {
          log.push(`start ${inputs.gate}`);
          await gates.get(inputs.gate)?.promise;
          log.push(`end ${inputs.gate}`);
          return inputs.gate;
        })
        .task("plain", async (inputs: unknown) => inputs);
      await rhythm.deploy();
      for (let i = 0; i < 2; i++) {
        const w = rhythm.worker({ concurrency: 8, pollIntervalMs: 60_000 });
        await w.start();
        workers.push(w);
      }
    });
    after(async () => {
      for (const g of gates.values()) g.resolve();
      for (const w of workers) await w.stop();
      await f?.close();
      await db?.drop();
    });

    const scalar = async (sql: string, params: unknown[] = []) => (await db.driver.query<{ v: unknown }>(sql, params)).rows[0].v;
    const waitAll = async (ids: string[]) => {
      for (const id of ids) assert.equal((await rhythm.wait(id, { timeout: "20s" })).status, "completed", id);
    };

    test("a key with limit 2: never three at once, though 16 worker slots are free; all complete", async () => {
      const ids = await rhythm.queueTasks(
        "logged",
        Array.from({ length: 12 }, () => ({ key: "two" })),
        { concurrency: { key: "two", limit: 2 } },
      );
      await waitAll(ids);
      assert.equal(maxInside(log, "two"), 2);
      assert.equal(
        await scalar("select count(*)::int as v from rhythm.executions where concurrency_key = 'two' and holds_slot"),
        0,
      );
    });

    test("Task.run with a key from a workflow: one at a time; the workflow completes", async () => {
      const id = await rhythm.startWorkflow("fanout", {});
      const done = await rhythm.wait(id, { timeout: "20s" });
      assert.equal(done.status, "completed");
      assert.equal(maxInside(log, "from-flow"), 1);
      assert.equal(log.filter((e) => e === "start from-flow").length, 4);
    });

    test("a full key's waiting line is parked and blocks no other key", async () => {
      gates.set("busy", deferred());
      const holder = await rhythm.queueTask("held", { gate: "busy" }, { concurrency: { key: "busy" } });
      await until("the holder to start", () => log.includes("start busy"));
      const line = await rhythm.queueTasks(
        "held",
        Array.from({ length: 20 }, () => ({ gate: "busy" })),
        { concurrency: { key: "busy" } },
      );
      // queued while the key was full: parked at once, out of the claim index
      assert.equal(
        await scalar("select count(*)::int as v from rhythm.executions where concurrency_key = 'busy' and parked"),
        20,
      );
      const others = await rhythm.queueTasks(
        "plain",
        Array.from({ length: 10 }, (_, i) => i),
        { concurrency: { key: "other" } },
      );
      const distinct = await Promise.all(
        Array.from({ length: 10 }, (_, i) => rhythm.queueTask("plain", i, { concurrency: { key: `k${i}` } })),
      );
      await waitAll([...others, ...distinct]);
      // all of them finished while the busy key still held its first and kept the line waiting
      assert.equal((await rhythm.get(holder))!.status, "running");
      assert.equal(log.filter((e) => e === "start busy").length, 1);
      gates.get("busy")!.resolve();
      await waitAll([holder, ...line]);
      assert.equal(maxInside(log, "busy"), 1);
    });

    test("a workflow holds its key from its first activation until it finishes, while suspended too", async () => {
      const opts = { concurrency: { key: "customer-7" } };
      const a = await rhythm.startWorkflow("customer", {}, opts);
      await until("the first to suspend", async () => (await rhythm.get(a))?.status === "suspended");
      const b = await rhythm.startWorkflow("customer", {}, opts);
      const c = await rhythm.startWorkflow("customer", {}, { concurrency: { key: "customer-8" } });
      await until("the other customer's workflow to suspend", async () => (await rhythm.get(c))?.status === "suspended");
      assert.equal((await rhythm.get(b))!.status, "queued");
      assert.equal(await scalar("select parked as v from rhythm.executions where id = $1", [b]), true);
      await rhythm.signal(a, "go", "a");
      assert.equal((await rhythm.wait(a, { timeout: "20s" })).output, "a");
      await until("the second to suspend", async () => (await rhythm.get(b))?.status === "suspended");
      await rhythm.signal(b, "go", "b");
      await rhythm.signal(c, "go", "c");
      assert.equal((await rhythm.wait(b, { timeout: "20s" })).output, "b");
      assert.equal((await rhythm.wait(c, { timeout: "20s" })).output, "c");
    });

    test("a limit lowered while over it: holders keep running, the newcomer waits until fewer than its limit hold the key", async () => {
      for (const g of ["low-1", "low-2", "low-3"]) gates.set(g, deferred());
      const holders = await Promise.all(
        ["low-1", "low-2", "low-3"].map((gate) => rhythm.queueTask("held", { gate }, { concurrency: { key: "low", limit: 3 } })),
      );
      await until("three holders", () => ["low-1", "low-2", "low-3"].every((g) => log.includes(`start ${g}`)));
      gates.set("low-new", deferred());
      const newcomer = await rhythm.queueTask("held", { gate: "low-new" }, { concurrency: { key: "low", limit: 1 } });
      gates.get("low-1")!.resolve();
      gates.get("low-2")!.resolve();
      await waitAll(holders.slice(0, 2));
      // one holder left: the newcomer's limit of 1 is still reached
      assert.equal((await rhythm.get(newcomer))!.status, "queued");
      gates.get("low-3")!.resolve();
      gates.get("low-new")!.resolve();
      await waitAll([holders[2], newcomer]);
      assert.ok(log.indexOf("start low-new") > log.indexOf("end low-3"));
    });

    test("cancelling work in the line strands nothing behind it", async () => {
      gates.set("cx", deferred());
      const holder = await rhythm.queueTask("held", { gate: "cx" }, { concurrency: { key: "cx" } });
      await until("the holder to start", () => log.includes("start cx"));
      const [first, second] = await rhythm.queueTasks("held", [{ gate: "cx" }, { gate: "cx" }], { concurrency: { key: "cx" } });
      await rhythm.cancel(first);
      gates.get("cx")!.resolve();
      await waitAll([holder, second]);
      assert.equal((await rhythm.get(first))!.status, "cancelled");
    });

    test("a rate limit of 4 per 250 ms: no window over 4 (the database's clock), all complete", async () => {
      const ids = await rhythm.queueTasks(
        "plain",
        Array.from({ length: 16 }, (_, i) => i),
        { rateLimit: { key: "api", limit: 4, per: "250ms" } },
      );
      await waitAll(ids);
      const windows = await db.driver.query<{ w: string; n: number }>(
        `select floor(extract(epoch from started_at) * 1000 / 250)::text as w, count(*)::int as n
         from rhythm.executions where id = any($1::uuid[]) group by 1 order by 1`,
        [ids],
      );
      assert.ok(windows.rows.length >= 4, JSON.stringify(windows.rows));
      for (const w of windows.rows) assert.ok(w.n <= 4, JSON.stringify(windows.rows));
    });

    test("bad options are refused with INVALID_ARGUMENT before anything is written", async () => {
      const before = await scalar("select count(*)::int as v from rhythm.executions");
      const cases: [() => Promise<unknown>, RegExp][] = [
        [
          () => rhythm.queueTask("plain", 1, { concurrency: { key: "" } }),
          /task "plain": concurrency\.key must be a non-empty string/,
        ],
        [
          () => rhythm.queueTask("plain", 1, { concurrency: { key: "k", limit: 0 } }),
          /concurrency\.limit must be a whole number/,
        ],
        [
          () => rhythm.queueTask("plain", 1, { concurrency: { key: "k", max: 2 } as never }),
          /concurrency: unknown field "max" \(allowed: key, limit\)/,
        ],
        [
          () => rhythm.startWorkflow("customer", {}, { rateLimit: { key: "k", limit: 5 } as never }),
          /rateLimit\.per is required/,
        ],
        [
          () => rhythm.queueTasks("plain", [1, 2], { rateLimit: { key: "k", limit: 5, per: "soon" } }),
          /rateLimit\.per must be a duration/,
        ],
        [
          () => rhythm.queueTask("plain", 1, { rateLimit: { key: "k", limit: 1.5, per: 1 } }),
          /rateLimit\.limit must be a whole number/,
        ],
        [() => rhythm.queueTask("plain", 1, { concurrency: "k" as never }), /concurrency must be an object \{ key, limit \}/],
      ];
      for (const [call, message] of cases) {
        await assert.rejects(
          call,
          (e: unknown) => e instanceof InvalidArgumentError && e.code === "INVALID_ARGUMENT" && message.test(e.message),
        );
      }
      assert.throws(
        () => rhythm.task("bad-reg", async () => 1, { concurrency: { key: "k", limit: -1 } }),
        /task "bad-reg": concurrency\.limit must be a whole number/,
      );
      assert.throws(
        () => rhythm.task("bad-reg", async () => 1, { rateLimit: { key: "k", limit: 1, per: "0ms" } }),
        /rateLimit\.per must be from 1ms/,
      );
      assert.equal(await scalar("select count(*)::int as v from rhythm.executions"), before);
    });

    test("a registration's key applies to what is queued where it is registered", async () => {
      rhythm.task(
        "registered",
        async () => {
          log.push("start reg");
          await new Promise((r) => setTimeout(r, 5));
          log.push("end reg");
        },
        { concurrency: { key: "reg" } },
      );
      const ids = await rhythm.queueTasks("registered", [1, 2, 3, 4]);
      assert.equal(await scalar("select count(*)::int as v from rhythm.executions where concurrency_key = 'reg'"), 4);
      await waitAll(ids);
      assert.equal(maxInside(log, "reg"), 1);
    });
  });
}
