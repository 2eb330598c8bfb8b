// A schedule every second through a real Postgres restart: three worker processes fire it with
// `catchup: "all"` on a private cluster of this test's own (test/support/private-postgres.ts; the
// machine's shared server is never restarted). After ~5 s the server stops (`pg_ctl stop -m fast`,
// every session ended), stays down 3 s, starts again, and the schedule runs ~5 s more. Then every
// tick from the first to the last fired exactly one execution (its idempotency key names the
// tick), none missed — the outage's ticks caught up —, all completed, and the workers still run.
// Where there are no server binaries this file says why and adds no test; CI requires them.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import pg from "pg";
import { Rhythm } from "../../src/index.js";
import { PrivatePostgres, privatePostgresMissing } from "../support/private-postgres.js";
import { until } from "./support/until.js";

const WORKER_SCRIPT = resolve(process.cwd(), "dist/test/engine/support/schedule-worker.js");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One statement on a connection of its own (so none outlives the restart). */
async function sql<R extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
  alive: () => boolean;
}

function startWorker(url: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKER_SCRIPT, url], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  // the outage makes each worker report the unreachable database (onError); kept, not printed
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (log += d));
  const worker: WorkerProcess = {
    child,
    log: () => log,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
  return new Promise((ready, fail) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      if (d.includes("ready")) ready(worker);
    });
    child.once("exit", (code) => fail(new Error(`worker exited with ${code} before it was ready:\n${log}`)));
  });
}

async function stopWorker(w: WorkerProcess): Promise<void> {
  if (!w.alive()) return;
  const exited = new Promise((r) => w.child.once("exit", r));
  w.child.kill("SIGKILL");
  await exited;
}

if (!privatePostgresMissing())
  describe("a schedule every second through a real Postgres restart", () => {
    test(
      "three workers, the server stopped 3 s and started again: every tick once, none missed",
      { timeout: 90_000 },
      async () => {
        const server = await PrivatePostgres.create();
        const workers: WorkerProcess[] = [];
        let rhythm: Rhythm | null = null;
        try {
          const url = server.url();
          rhythm = await Rhythm.connect({ databaseUrl: url, workflows: false });
          const startedAt = async () => (await sql<{ t: string }>(url, "select pg_postmaster_start_time()::text as t"))[0].t;
          for (let i = 0; i < 3; i++) workers.push(await startWorker(url));
          const created = await rhythm.schedule("through-restart", {
            cron: "* * * * * *",
            task: "tick",
            catchup: "all",
            overlap: "allow",
          });
          await sleep(5000);
          const before = await startedAt();
          const stoppedAt = Date.now();
          await server.stop("fast");
          await sleep(3000);
          await server.start();
          const back = Date.now();
          // fired again, well past the restart
          await until(
            "ticks 5 s after the restart",
            async () => Date.parse((await rhythm!.getSchedule("through-restart"))!.lastFireAt ?? "0") > back + 5000,
            45_000,
          );
          // it really was a restart of the server, not only of connections
          assert.notEqual(await startedAt(), before);
          const paused = await rhythm.pauseSchedule("through-restart");
          const first = Date.parse(created.nextFireAt!);
          const last = Date.parse(paused.lastFireAt!);
          assert.ok(first < stoppedAt - 2000, `first tick ${created.nextFireAt} should precede the stop`);
          const expected: string[] = [];
          for (let t = first; t <= last; t += 1000) expected.push(`schedule:through-restart:${new Date(t).toISOString()}`);
          const rows = await sql<{ idempotency_key: string }>(
            url,
            "select idempotency_key from rhythm.executions where schedule_name = $1 order by idempotency_key",
            ["through-restart"],
          );
          // exactly one per tick (a duplicate shows twice), none missed (a gap shows missing)
          assert.deepEqual(
            rows.map((r) => r.idempotency_key),
            expected,
          );
          await until(
            "every tick's task completed",
            async () => {
              const r = await sql<{ n: string }>(
                url,
                "select count(*) as n from rhythm.executions where schedule_name = $1 and status <> 'completed'",
                ["through-restart"],
              );
              return Number(r[0].n) === 0;
            },
            30_000,
          );
          for (const [i, w] of workers.entries()) assert.ok(w.alive(), `worker ${i} died:\n${w.log()}`);
        } finally {
          for (const w of workers) await stopWorker(w);
          await rhythm?.close().catch(() => {});
          await server.destroy();
        }
      },
    );
  });
