// Schedules on the engine (SPEC §9, docs/schedules.md): set/list with the next fire time, bad
// options refused, ticks start executions that name their schedule, catch-up after downtime
// (none, latest, all), overlap (skip, allow, cancel-previous), pause/resume/trigger, and an edit
// of what a schedule starts that keeps its pending tick.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm, type Execution, type Worker } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { deferred, until } from "./support/until.js";

const FLOWS = {
  nightly: `
return Inputs.n;
`,
};

for (const backend of await backends()) {
  describe(`schedules on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let worker: Worker | null = null;
    const gate = deferred();

    const ofSchedule = async (name: string): Promise<Execution[]> =>
      (await rhythm.list({ limit: 1000 })).filter((e) => e.scheduleName === name);
    /** Moves a schedule's pending tick (as if no worker had run since). */
    const setNextFire = (name: string, sqlTime: string) =>
      db.driver.query(`update rhythm.schedules set next_fire_at = ${sqlTime} where name = $1`, [name]);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("echo", async (i: unknown) => i);
      rhythm.task("blocks", async (_i, ctx) => {
        await Promise.race([gate.promise, new Promise((r) => ctx.signal.addEventListener("abort", r))]);
        return "released";
      });
      await rhythm.deploy(f.dir);
    });
    after(async () => {
      gate.resolve();
      await worker?.stop();
      await f.close();
      await db.drop();
    });

    const startWorker = async () => {
      worker = rhythm.worker({ concurrency: 20, pollIntervalMs: 200, shutdownTimeoutMs: 200 });
      await worker.start();
    };
    const stopWorker = async () => {
      await worker?.stop();
      worker = null;
    };

    test("a schedule is stored and listed with its next fire time, in its time zone", async () => {
      const s = await rhythm.schedule("nightly", {
        cron: "30 2 * * *",
        timezone: "Europe/London",
        workflow: "nightly",
        inputs: { n: 1, a: 2 },
      });
      assert.equal(s.workflow, "nightly");
      assert.deepEqual(Object.keys(s.inputs as object), ["n", "a"]);
      assert.equal(s.overlap, "skip");
      assert.equal(s.catchup, "latest");
      assert.equal(s.paused, false);
      // 02:30 in London is 01:30 or 02:30 UTC, tomorrow at the latest
      const next = new Date(s.nextFireAt!);
      assert.equal(next.getUTCMinutes(), 30);
      assert.ok([1, 2].includes(next.getUTCHours()), s.nextFireAt!);
      assert.ok(next.getTime() - Date.now() <= 25 * 3_600_000);
      const list = await rhythm.schedules();
      assert.deepEqual(
        list.map((x) => x.name),
        ["nightly"],
      );
      assert.equal(list[0].nextFireAt, s.nextFireAt);
      await rhythm.unschedule("nightly");
      assert.deepEqual(await rhythm.schedules(), []);
      await assert.rejects(rhythm.unschedule("nightly"), { code: "SCHEDULE_NOT_FOUND" });
    });

    test("bad options are refused before anything is written", async () => {
      const bad = [
        { cron: "* * *", task: "echo" },
        { cron: "61 * * * *", task: "echo" },
        { cron: "* * * * *", task: "echo", timezone: "Mars/Olympus" },
        { cron: "* * * * *" },
        { cron: "* * * * *", task: "echo", workflow: "nightly" },
        { cron: "* * * * *", task: "echo", overlap: "never" },
        { cron: "* * * * *", task: "echo", catchup: "some" },
        { cron: "* * * * *", workflow: "nightly", inputs: [1] },
      ];
      for (const o of bad)
        await assert.rejects(rhythm.schedule("bad", o as never), { code: "INVALID_ARGUMENT" }, JSON.stringify(o));
      await assert.rejects(rhythm.schedule("bad", { cron: "* * * * *", workflow: "missing" }), {
        code: "WORKFLOW_NOT_FOUND",
      });
      assert.deepEqual(await rhythm.schedules(), []);
    });

    test("each tick starts one execution that names its schedule; get and list show it", async () => {
      await rhythm.schedule("every-second", { cron: "* * * * * *", task: "echo", inputs: { x: 1 }, overlap: "allow" });
      await startWorker();
      const done = await until("three ticks", async () => {
        const list = await ofSchedule("every-second");
        return list.filter((e) => e.status === "completed").length >= 3 && list;
      });
      await rhythm.pauseSchedule("every-second");
      await stopWorker();
      const one = await rhythm.get(done[0].id);
      assert.equal(one!.scheduleName, "every-second");
      assert.deepEqual(one!.output, { x: 1 });
      // whole seconds, one execution each
      const ticks = (await ofSchedule("every-second")).map((e) => e.createdAt);
      assert.equal(new Set(ticks).size, ticks.length);
      const s = (await rhythm.getSchedule("every-second"))!;
      assert.equal(s.paused, true);
      assert.equal(s.nextFireAt, null);
      assert.ok(s.lastFireAt && s.lastFireAt.endsWith(".000Z"), s.lastFireAt!);
      await rhythm.unschedule("every-second");
    });

    test("catch-up after downtime: none skips, latest starts the last tick, all starts every tick", async () => {
      for (const catchup of ["none", "latest", "all"] as const)
        await rhythm.schedule(`daily-${catchup}`, {
          cron: "0 0 * * *",
          task: "echo",
          inputs: catchup,
          catchup,
          // (skip would start only the first of the ticks due together)
          overlap: "allow",
        });
      // as if the workers had been down since yesterday's midnight: two ticks are due (yesterday's, today's)
      for (const catchup of ["none", "latest", "all"])
        await setNextFire(
          `daily-${catchup}`,
          "date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - interval '1 day'",
        );
      await startWorker();
      await until("the ticks fired", async () => {
        const all = await rhythm.schedules();
        return all.every((s) => Date.parse(s.nextFireAt!) > Date.now()) && all;
      });
      await stopWorker();
      const count = async (name: string) => (await ofSchedule(name)).length;
      assert.equal(await count("daily-none"), 0);
      assert.equal(await count("daily-latest"), 1);
      assert.equal(await count("daily-all"), 2);
      const today = new Date();
      today.setUTCHours(0, 0, 0, 0);
      assert.equal((await rhythm.getSchedule("daily-latest"))!.lastFireAt, today.toISOString());
      assert.equal((await rhythm.getSchedule("daily-none"))!.lastFireAt, null);
      for (const catchup of ["none", "latest", "all"]) await rhythm.unschedule(`daily-${catchup}`);
    });

    test("overlap skip: no new execution while the previous one runs", async () => {
      await rhythm.schedule("skip", { cron: "* * * * * *", task: "blocks", overlap: "skip" });
      await startWorker();
      await until("the first running", async () => (await ofSchedule("skip")).some((e) => e.status === "running"));
      // three more ticks pass
      const first = (await rhythm.getSchedule("skip"))!.nextFireAt!;
      await until(
        "three more ticks",
        async () => Date.parse((await rhythm.getSchedule("skip"))!.nextFireAt!) >= Date.parse(first) + 3000,
      );
      await rhythm.pauseSchedule("skip");
      assert.equal((await ofSchedule("skip")).length, 1);
      await stopWorker();
      await rhythm.unschedule("skip");
    });

    test("overlap cancel-previous: each tick cancels the one still running", async () => {
      await rhythm.schedule("cancel", { cron: "* * * * * *", task: "blocks", overlap: "cancel-previous" });
      await startWorker();
      const list = await until("two cancelled", async () => {
        const l = await ofSchedule("cancel");
        return l.filter((e) => e.status === "cancelled").length >= 2 && l;
      });
      await rhythm.pauseSchedule("cancel");
      // never two unfinished at once: every execution but the newest is cancelled
      const newestFirst = list.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
      for (const e of newestFirst.slice(1)) assert.equal(e.status, "cancelled", e.id);
      await stopWorker();
      await rhythm.unschedule("cancel");
    });

    test("overlap allow: executions of several ticks run at once", async () => {
      await rhythm.schedule("allow", { cron: "* * * * * *", task: "blocks", overlap: "allow" });
      await startWorker();
      await until(
        "two running at once",
        async () => (await ofSchedule("allow")).filter((e) => e.status === "running").length >= 2,
      );
      await rhythm.pauseSchedule("allow");
      await stopWorker();
      await rhythm.unschedule("allow");
    });

    test("trigger starts one now; resume fires from now on, not the ticks of the pause", async () => {
      await rhythm.schedule("manual", { cron: "0 0 1 1 *", workflow: "nightly", inputs: { n: 7 } });
      await rhythm.pauseSchedule("manual");
      const id = await rhythm.triggerSchedule("manual");
      await startWorker();
      const e = await rhythm.wait(id, { timeout: 10_000 });
      assert.equal(e.status, "completed");
      assert.equal(e.output, 7);
      assert.equal(e.scheduleName, "manual");
      await assert.rejects(rhythm.triggerSchedule("nope"), { code: "SCHEDULE_NOT_FOUND" });
      await assert.rejects(rhythm.pauseSchedule("nope"), { code: "SCHEDULE_NOT_FOUND" });
      // paused a year ago: resuming does not catch the year up
      await setNextFire("manual", "now() - interval '1 year'");
      const resumed = await rhythm.resumeSchedule("manual");
      assert.ok(Date.parse(resumed.nextFireAt!) > Date.now());
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await ofSchedule("manual")).length, 1);
      await stopWorker();
      await rhythm.unschedule("manual");
    });

    test("an edit of what a schedule starts keeps its pending tick; a new cron counts from now", async () => {
      const a = await rhythm.schedule("edit", { cron: "0 0 1 1 *", task: "echo", inputs: 1 });
      await setNextFire("edit", "now() - interval '1 second'");
      const kept = await rhythm.schedule("edit", { cron: "0 0 1 1 *", task: "echo", inputs: 2 });
      assert.ok(Date.parse(kept.nextFireAt!) < Date.now(), "the due tick stays due");
      const moved = await rhythm.schedule("edit", { cron: "0 0 2 1 *", task: "echo", inputs: 2 });
      assert.ok(Date.parse(moved.nextFireAt!) > Date.parse(a.nextFireAt!));
      assert.equal(moved.inputs, 2);
      await rhythm.unschedule("edit");
    });
  });
}
