// Connections dropped mid-transaction (issue 4, database faults): statements of the worker's group
// commits and claims fail as a lost connection would make them fail — on Postgres by really
// terminating the session's backend — and a commit's acknowledgement is lost after the commit;
// on Postgres, pg_terminate_backend also ends every connection of a running worker again and
// again. The worker survives, and every execution completes exactly once: each task handler
// runs once, each workflow returns what it should, no handle starts two executions.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { DatabaseUnavailableError } from "../../src/store/connection-errors.js";
import { backends, type TestDatabase } from "../support/database.js";
import { adminShutdown, connectionLost, type Fault } from "./support/fault-driver.js";
import { openRig } from "./support/fault-rig.js";

for (const backend of await backends()) {
  describe(`dropped connections on ${backend.kind}`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await backend.open();
    });
    after(async () => {
      await db.drop();
    });

    test("statements of group commits and claims fail with a lost connection: each execution completes once", async () => {
      const rig = await openRig(db);
      try {
        const { sql } = rig;
        // statements of the group commit (and of the timers it starts), each failed in turn
        const targets = [
          sql.TasksComplete,
          sql.ActivationsSettle,
          sql.WakeLock,
          sql.Wake,
          sql.InboxInsert,
          sql.InboxConsume,
          sql.TimerInsert,
          sql.NotifyMany,
        ];
        const failures: Fault[] = [
          { how: "throw", error: adminShutdown },
          { how: "throw", error: connectionLost },
          // a real session end on Postgres: the server's FATAL 57P01 in the middle of the transaction
          db.kind === "postgres" ? { how: "terminate" } : { how: "throw", error: adminShutdown },
        ];
        let turn = 0;
        let passed = 0;
        let claims = 0;
        rig.fault.plan = (text, place) => {
          if (rig.fault.injected.length >= 20) return null;
          // a few claims fail too (each costs the worker a 1 s backoff)
          if (place === "relaxed" && text === sql.Claim) return ++claims % 4 === 0 && claims <= 12 ? failures[claims % 2] : null;
          if (place !== "transaction" || !targets.includes(text)) return null;
          // some statements go through between two faults, so work moves on meanwhile; a statement
          // that does not come up in a while is skipped
          passed++;
          if (passed > 40) [turn, passed] = [turn + 1, 0];
          if (passed < 4 || text !== targets[turn % targets.length]) return null;
          [turn, passed] = [turn + 1, 0];
          return failures[turn % failures.length];
        };
        // two waves: a workflow step is few statements (five with BEGIN and COMMIT), and PGlite's
        // group commits take everything at once, so one wave could end before each target's turn
        for (const from of [0, 20]) {
          const started = await rig.workload.start(rig.client, 20, 20, from);
          await rig.workload.verify(db.driver, started, from);
        }
        const inCommits = rig.fault.injected.filter((f) => f.place === "transaction");
        assert.ok(inCommits.length >= 5, `faults injected in group commits: ${inCommits.length}`);
        for (const s of [sql.TasksComplete, sql.ActivationsSettle, sql.WakeLock])
          assert.ok(
            inCommits.some((f) => f.sql === s),
            `a fault hit ${s.trim().slice(0, 40)}…`,
          );
        if (db.kind === "postgres") assert.ok(inCommits.some((f) => f.how === "terminate"));
        assert.ok(
          rig.fault.injected.some((f) => f.place === "relaxed"),
          "a claim failed",
        );
        assert.equal(rig.worker.isRunning, true);
        // and it still works once the faults are over
        rig.fault.plan = () => null;
        const after = await rig.workload.start(rig.client, 2, 2, 100);
        await rig.workload.verify(db.driver, after, 100);
      } finally {
        await rig.close();
      }
    });

    test("completions of standalone tasks (one statement alone on the pool) fail with a lost connection: each task runs once", async () => {
      const rig = await openRig(db);
      try {
        const failures: Fault[] = [
          // a real session end on Postgres: the server's FATAL 57P01
          db.kind === "postgres" ? { how: "terminate" } : { how: "throw", error: adminShutdown },
          { how: "throw", error: connectionLost },
        ];
        let writes = 0;
        rig.fault.plan = (text, place) =>
          place === "query" && text === rig.sql.TasksCompleteStandalone && writes < failures.length ? failures[writes++] : null;
        const started = await rig.workload.start(rig.client, 0, 20);
        const rows = await rig.workload.verify(db.driver, started);
        assert.deepEqual(
          rig.fault.injected.map((f) => f.how),
          failures.map((f) => f.how),
        );
        assert.deepEqual(
          rows.filter((r) => r.attempt !== 1).map((r) => r.id),
          [],
        );
        assert.equal(rig.worker.isRunning, true);
      } finally {
        await rig.close();
      }
    });

    test("the database is out of reach for a moment just as outcomes are written: they wait for it, nothing runs twice", async () => {
      // a 3 s lease: an outcome that was dropped instead of waiting would show as a second run
      const rig = await openRig(db, { taskTimeout: "3s" });
      try {
        let downUntil = 0;
        rig.fault.plan = (text, place) => {
          // the first completion write (of a workflow's task or a standalone one) starts an outage
          // of 1.5 s: every statement fails meanwhile
          const completion =
            (place === "transaction" && text === rig.sql.TasksComplete) ||
            (place === "query" && text === rig.sql.TasksCompleteStandalone);
          if (downUntil === 0 && completion) downUntil = Date.now() + 1500;
          return Date.now() < downUntil ? { how: "throw", error: connectionLost } : null;
        };
        const started = await rig.workload.start(rig.client, 4, 10);
        const rows = await rig.workload.verify(db.driver, started);
        assert.ok(rig.fault.injected.length > 1, "the outage lasted more than one statement");
        assert.deepEqual(
          rows.filter((r) => r.attempt !== 1).map((r) => r.id),
          [],
        );
      } finally {
        await rig.close();
      }
    });

    test("a batch whose commit went through but whose acknowledgement was lost is not run again", async () => {
      const rig = await openRig(db);
      try {
        // in waves, so that each wave's completions are a batch of their own: the first
        // completion write of each wave commits, then reports a lost connection (standalone
        // tasks: their completions are one statement, alone on the pool)
        let armed = false;
        rig.fault.plan = (text, place) => {
          if (!armed || place !== "query" || text !== rig.sql.TasksCompleteStandalone) return null;
          armed = false;
          return { how: "lose-ack" };
        };
        for (let wave = 0; wave < 5; wave++) {
          armed = true;
          const started = await rig.workload.start(rig.client, 0, 6, wave * 10);
          const rows = await rig.workload.verify(db.driver, started, wave * 10);
          // the write was tried again, found its claims already settled, and that was the end of it
          assert.deepEqual(
            rows.filter((r) => r.attempt !== 1).map((r) => r.id),
            [],
          );
        }
        assert.equal(rig.fault.injected.length, 5);
      } finally {
        await rig.close();
      }
    });

    test("a group commit that cannot reach the database is written again, and the worker says it waits", async () => {
      const rig = await openRig(db);
      try {
        // only the completions' writes fail (twice): claims and everything else go through
        // (standalone tasks' completions are a statement of their own)
        let failures = 2;
        rig.fault.plan = (text) => {
          if (failures === 0 || (text !== rig.sql.TasksComplete && text !== rig.sql.TasksCompleteStandalone)) return null;
          failures--;
          return { how: "throw", error: connectionLost };
        };
        const started = await rig.workload.start(rig.client, 0, 3);
        await rig.workload.verify(db.driver, started);
        // one report per failed write (two batches in flight may each have failed once)
        assert.equal(rig.errors.length, 2, String(rig.errors));
        for (const e of rig.errors) {
          assert.ok(e instanceof DatabaseUnavailableError);
          assert.match(e.message, /^database unreachable \(Connection terminated unexpectedly\), retrying in [12]00 ms$/);
        }
      } finally {
        await rig.close();
      }
    });

    test("a lost acknowledgement of a batch that took tasks for this worker: those tasks run at once, not after their lease", async () => {
      // retries 0: a task left `running` by a worker that no longer knows of it would fail its
      // workflow when its lease expired (30 s, beyond verify's wait), without ever running
      const rig = await openRig(db, { taskRetries: 0 });
      try {
        let armed = 0;
        rig.fault.plan = (text, place, params) => {
          // the tasks are inserted with the settlement of the activation that starts them (the
          // third parameter of ActivationsSettle)
          if (armed === 0 || place !== "transaction" || text !== rig.sql.ActivationsSettle) return null;
          // only an insert of tasks claimed in the same transaction (dispatched to this worker)
          const rows = JSON.parse(String(params?.[2])) as { claim_token: string | null }[];
          if (!rows.some((r) => r.claim_token !== null)) return null;
          armed--;
          return { how: "lose-ack" };
        };
        armed = 3;
        const started = await rig.workload.start(rig.client, 4, 0);
        await rig.workload.verify(db.driver, started, 0, 15_000);
        assert.equal(rig.fault.injected.length, 3, "three dispatching commits lost their acknowledgement");
      } finally {
        await rig.close();
      }
    });

    test("a read an activation needs fails with a lost connection: the workflow is given back and runs at once", async () => {
      const rig = await openRig(db);
      try {
        // every worker has the programs it ran cached; this one loads each version once, so the
        // first load of each workflow fails (and the list of names, read before each activation)
        const failed = new Set<string>();
        rig.fault.plan = (text, place, params) => {
          if (place !== "query" || (text !== rig.sql.VersionProgram && text !== rig.sql.VersionNames)) return null;
          const key = `${text}|${JSON.stringify(params ?? [])}`;
          if (failed.has(key)) return null;
          failed.add(key);
          return { how: "throw", error: connectionLost };
        };
        const started = await rig.workload.start(rig.client, 3, 0);
        await rig.workload.verify(db.driver, started);
        assert.ok(
          rig.fault.injected.some((f) => f.sql === rig.sql.VersionProgram),
          "a program load failed",
        );
      } finally {
        await rig.close();
      }
    });

    if (backend.kind === "postgres")
      test("pg_terminate_backend ends every connection of a busy worker, again and again: each execution completes once", async () => {
        const app = "rhythm_faults_worker";
        // the worker's connections are told apart from the test's by their application_name
        const rig = await openRig(db, { url: `${db.url!}?application_name=${app}` });
        const { workload, client, worker } = rig;
        const killer = new pg.Client({ connectionString: db.url! });
        await killer.connect();
        let killed = 0;
        let busyKills = 0;
        let killing = true;
        // each handler takes 100 ms, so the work (200 task attempts, 10 at a time) outlasts several kill rounds
        workload.onCall = () => new Promise((r) => setTimeout(r, 100));
        try {
          const started = await workload.start(client, 40, 40);
          const roots = [...started.workflows, ...started.tasks];
          // every connection of the worker is ended every 400 ms, 15 times, while the work runs
          const storm = (async () => {
            for (let round = 0; round < 15 && killing; round++) {
              const r = await killer.query<{ ok: boolean }>(
                `select pg_terminate_backend(pid) as ok from pg_stat_activity
                 where datname = current_database() and application_name = $1`,
                [app],
              );
              const n = r.rows.filter((x) => x.ok).length;
              killed += n;
              const open = await killer.query<{ n: string }>(
                `select count(*) as n from rhythm.executions where id = any($1::uuid[]) and status <> 'completed'`,
                [roots],
              );
              if (n > 0 && Number(open.rows[0].n) > 0) busyKills++;
              await new Promise((r) => setTimeout(r, 400));
            }
          })();
          try {
            await workload.verify(db.driver, started);
          } finally {
            killing = false;
            await storm;
          }
          assert.ok(busyKills >= 3, `connections terminated while work was in flight: ${busyKills} rounds, ${killed} backends`);
          assert.equal(worker.isRunning, true);
          const after = await workload.start(client, 2, 2, 100);
          await workload.verify(db.driver, after, 100);
        } finally {
          killing = false;
          await killer.end();
          await rig.close();
        }
      });
  });
}
