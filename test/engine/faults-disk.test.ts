// A full disk (issue 4, database faults), simulated in the database itself: a trigger raises
// disk_full (SQLSTATE 53100, "No space left on device") while a flag is set — on inserts into the
// executions table (the tasks and children an activation starts), or on every write. The worker
// survives; what could not be saved is written again later, no workflow fails for it, and once
// the disk has room every execution completes exactly once. SQLSTATE class 53 is not a data
// error: an activation refused with it keeps its claim and runs again; one refused with class 22
// fails the workflow (the same write would be refused forever).

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DatabaseUnavailableError } from "../../src/store/connection-errors.js";
import { migrate } from "../../src/store/migrate.js";
import type { Activated } from "../../src/worker/activation.js";
import { backends, type TestDatabase } from "../support/database.js";
import { ByHand } from "./support/by-hand.js";
import { pgError } from "./support/fault-driver.js";
import { openRig } from "./support/fault-rig.js";
import { deferred, until } from "./support/until.js";

// `disk.state`: null (room), 'inserts' (inserts into executions are refused) or 'writes' (every
// insert or update of the engine's main tables is refused). The refusals are counted by a
// sequence, which a rolled-back transaction does not undo.
const DISK = `
create table public.disk (state text);
insert into public.disk values (null);
create sequence public.disk_refusals;
create function public.disk_full() returns trigger language plpgsql as $$
begin
  if (select state from public.disk) = 'writes' or ((select state from public.disk) = 'inserts' and tg_op = 'INSERT' and tg_table_name = 'executions') then
    perform nextval('public.disk_refusals');
    raise exception 'could not extend file "base/16384/16385": No space left on device'
      using errcode = 'disk_full', hint = 'Check free disk space.';
  end if;
  return new;
end $$;
create trigger disk_full before insert or update on rhythm.executions for each row execute function public.disk_full();
create trigger disk_full before insert on rhythm.inbox for each row execute function public.disk_full();
create trigger disk_full before insert on rhythm.timers for each row execute function public.disk_full();
`;

for (const backend of await backends()) {
  describe(`a full disk on ${backend.kind}`, () => {
    let db: TestDatabase;

    before(async () => {
      db = await backend.open();
      await migrate(db.driver, "rhythm");
      await db.driver.query(DISK);
    });
    after(async () => {
      await db.drop();
    });

    const fill = (scope: "inserts" | "writes" | null) => db.driver.query(`update public.disk set state = $1`, [scope]);
    const refusals = async () => {
      const r = await db.driver.query<{ n: string | number }>(
        `select case when is_called then last_value else 0 end as n from public.disk_refusals`,
      );
      return Number(r.rows[0].n);
    };

    test("inserts into executions fail with disk_full: the steps that start tasks are saved later, no workflow fails, each runs once", async () => {
      const rig = await openRig(db, { taskTimeout: "8s" });
      try {
        const before = await refusals();
        let filled = false;
        // the disk fills up as the first task of the run finishes: the activation it wakes cannot
        // insert the tasks it starts
        rig.workload.onCall = async (name) => {
          if (name !== "step" || filled) return;
          filled = true;
          await fill("inserts");
        };
        const started = await rig.workload.start(rig.client, 6, 0);
        await until("three refused inserts", async () => (await refusals()) - before >= 3);
        await fill(null);
        await rig.workload.verify(db.driver, started);
        assert.ok(
          rig.fault.raised.some((r) => r.code === "53100" && r.sql === rig.sql.ActivationsSettle),
          "an activation's insert was refused",
        );
      } finally {
        await fill(null);
        await rig.close();
      }
    });

    test("every write fails with disk_full for a while: the worker says so and waits, then every execution completes once", async () => {
      const rig = await openRig(db, { taskTimeout: "10s" });
      try {
        // Handlers are held until the disk is full, and there is more work than the worker's 10
        // slots: the slots their return frees claim queued work while every write is refused.
        // (Left to timing, the queued work could all be done before the disk filled — a
        // standalone task's completion is one statement — and the worker heard of the full disk
        // only when a lease expired, 10 s on.)
        const full = deferred();
        rig.workload.onCall = () => full.promise;
        const started = await rig.workload.start(rig.client, 6, 12);
        await until("work under way", () => rig.workload.calls.size >= 3);
        const before = await refusals();
        await fill("writes");
        full.resolve();
        await until("writes refused", async () => (await refusals()) - before >= 3);
        await until("the worker to report the full disk", () =>
          rig.errors.some((e) => e instanceof DatabaseUnavailableError && /No space left on device/.test(e.message)),
        );
        await fill(null);
        await rig.workload.verify(db.driver, started);
        const report = rig.errors.find((e): e is DatabaseUnavailableError => e instanceof DatabaseUnavailableError)!;
        assert.match(
          report.message,
          // the claim loop's backoff (1 s …) or a group commit's (100 ms …), whichever said it first
          /^database unavailable \(could not extend file .*No space left on device\), retrying in \d+ (ms|s)$/,
        );
        assert.equal(rig.worker.isRunning, true);
      } finally {
        await fill(null);
        await rig.close();
      }
    });

    test("an activation refused with class 53 keeps its claim and runs again; one refused with class 22 fails the workflow", async () => {
      const rig = await openRig(db);
      try {
        await rig.worker.stop();
        const hand = new ByHand(db.driver);
        const { store } = hand;
        // two workflows on a queue no worker serves, claimed here by hand
        const ids = await rig.client.startWorkflows("chain", [{ n: 1 }, { n: 2 }], { queue: "by-hand" });
        const claimed = await store.claim("by-hand-worker", ["by-hand"], [], 2, 30_000);
        assert.deepEqual(claimed.map((c) => c.id).sort(), [...ids].sort());
        const [full, bad] = ids.map((id) => claimed.find((c) => c.id === id)!);

        // each activation's first write is refused; a second one (the workflow failed) would go through
        const refusedOnce = (error: Error) => {
          let calls = 0;
          const commit = (a: Activated) => (++calls === 1 ? Promise.reject(error) : hand.commit(a));
          return { commit, calls: () => calls };
        };
        const diskFull = pgError("53100", 'could not extend file "base/1/2": No space left on device');
        const first = refusedOnce(diskFull);
        await assert.rejects(hand.activate(full, full.inbox, first.commit), (e) => e === diskFull);
        assert.equal(first.calls(), 1, "nothing else is written");
        const kept = await store.get(full.id);
        assert.equal(kept?.status, "running", "the claim is kept: the activation is tried again, the workflow does not fail");

        const outOfRange = pgError("22003", "value out of range");
        const second = refusedOnce(outOfRange);
        const status = await hand.activate(bad, bad.inbox, second.commit);
        assert.equal(status, "failed");
        const failed = await store.get(bad.id);
        assert.equal(failed?.status, "failed");
        assert.match(JSON.stringify(failed?.error), /the workflow's progress could not be saved: value out of range/);

        // the kept one, given back (as its lease running out would), runs to the end
        await store.release(full.id, full.claim_token);
        const w = rig.rhythm.worker({ queues: ["by-hand", "default"], pollIntervalMs: 100 });
        await w.start();
        const done = await rig.client.wait(full.id, { timeout: "20s" });
        assert.equal(done.status, "completed");
        assert.deepEqual(done.output, { n: 1, leaf: 130 });
      } finally {
        await rig.close();
      }
    });
  });
}
