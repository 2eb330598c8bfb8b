// Concurrency keys and rate limits held by three worker processes (real child processes, each
// with its own connections) on Postgres and on PGlite (served on a socket, as `rhythm dev` does):
// a key with limit 1 is never held twice at once — read from the handlers' own log, one line per
// append —, keys do not wait for each other, a rate limit of 50/s holds within 5 % over 10 windows,
// and a worker killed while holding a key keeps it only until its lease expires.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { Rhythm } from "../../src/index.js";
import { serveDatabase, type SocketServer } from "../../src/cli/dev/socket-server.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { until } from "./support/until.js";

const WORKER = resolve(process.cwd(), "dist/test/engine/support/flow-control-worker.js");

interface Backend {
  kind: string;
  open(): Promise<{ url: string; close(): Promise<void> }>;
}

const BACKENDS: Backend[] = [];
if (await postgresAvailable())
  BACKENDS.push({
    kind: "postgres",
    open: async () => {
      const db: TestDatabase = await postgresDatabase();
      await db.driver.close();
      return { url: db.url!, close: () => db.drop() };
    },
  });
BACKENDS.push({
  kind: "pglite",
  open: async () => {
    const pg = new PGlite();
    await pg.waitReady;
    const server: SocketServer = await serveDatabase(pg, 0, false);
    return {
      url: server.url,
      close: async () => {
        await server.stop();
        await pg.close();
      },
    };
  },
});

/** The log's events of one key, in append order: [event, pid]. */
function events(logFile: string, key: string): [string, string][] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((l) => l.split(" ")[1] === key)
    .map((l) => {
      const [event, , pid] = l.split(" ");
      return [event, pid];
    });
}

/** Asserts no two holders at once: every start is followed by its end (or by its crash) before the next start. */
function assertOneAtATime(log: [string, string][], key: string): void {
  let holder: string | null = null;
  for (const [event, pid] of log) {
    if (event === "start") {
      assert.equal(holder, null, `${key}: ${pid} started while ${holder} held the key`);
      holder = pid;
    } else {
      assert.equal(pid, holder, `${key}: ${event} from ${pid}, not the holder ${holder}`);
      holder = null;
    }
  }
}

for (const backend of BACKENDS) {
  describe(`flow control across three worker processes on ${backend.kind}`, () => {
    let db: { url: string; close(): Promise<void> };
    let rhythm: Rhythm;
    let dir: string;
    let logFile: string;
    const children: ChildProcess[] = [];
    const exited = new Set<ChildProcess>();

    before(async () => {
      db = await backend.open();
      dir = mkdtempSync(join(tmpdir(), "rhythm-flow-processes-"));
      logFile = join(dir, "handlers.log");
      writeFileSync(logFile, "");
      // migrate once before the workers race to
      rhythm = await Rhythm.connect({ databaseUrl: db.url, workflows: join(dir, "none") });
      for (let i = 0; i < 3; i++) {
        const child = spawn(process.execPath, [WORKER, db.url, logFile], { stdio: ["ignore", "pipe", "inherit"] });
        child.once("exit", () => exited.add(child));
        children.push(child);
        await new Promise<void>((ready, fail) => {
          child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && ready());
          child.once("exit", (code) => fail(new Error(`worker exited (${code}) before it was ready`)));
        });
      }
    });
    after(async () => {
      await Promise.all(
        children
          .filter((c) => !exited.has(c))
          .map((c) => new Promise<void>((done) => (c.once("exit", () => done()), c.kill("SIGTERM")))),
      );
      await rhythm?.close();
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const waitAll = async (ids: string[], timeout = "30s") => {
      for (const id of ids) assert.equal((await rhythm.wait(id, { timeout })).status, "completed", id);
    };

    test("a key with limit 1: never two at once across three processes (the handlers' log)", async () => {
      const ids = await rhythm.queueTasks(
        "logged",
        Array.from({ length: 30 }, () => ({ key: "solo", ms: 10 })),
        { concurrency: { key: "solo", limit: 1 } },
      );
      await waitAll(ids);
      const log = events(logFile, "solo");
      assert.equal(log.filter(([e]) => e === "start").length, 30);
      assertOneAtATime(log, "solo");
      // the key's work went to more than one process
      assert.ok(new Set(log.map(([, pid]) => pid)).size >= 2, "one process took every execution of the key");
    });

    test("keys do not wait for each other: 30 other keys finish while one key works through its line", async () => {
      const slow = await rhythm.queueTasks(
        "logged",
        Array.from({ length: 10 }, () => ({ key: "slow", ms: 300 })),
        { concurrency: { key: "slow" } },
      );
      const others = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          rhythm.queueTask("logged", { key: `other-${i}`, ms: 10 }, { concurrency: { key: `other-${i}` } }),
        ),
      );
      await waitAll(others);
      const slowDone = (await Promise.all(slow.map((id) => rhythm.get(id)))).filter((e) => e!.status === "completed").length;
      assert.ok(slowDone < 10, `the slow key finished all ${slowDone} first: the others waited behind it`);
      await waitAll(slow);
      assertOneAtATime(events(logFile, "slow"), "slow");
    });

    test("a rate limit of 50/s (10 per 200 ms) held by three processes within 5 % over 10 windows", async () => {
      const ids = await rhythm.queueTasks(
        "rated",
        Array.from({ length: 130 }, () => null),
        { rateLimit: { key: "fifty", limit: 10, per: "200ms" } },
      );
      await waitAll(ids);
      // windows as the database counts them: its clock, at each claim
      const rows = (await rhythm.list({ name: "rated", limit: 1000 })).map((e) => Math.floor(Date.parse(e.startedAt!) / 200));
      const counts = new Map<number, number>();
      for (const w of rows) counts.set(w, (counts.get(w) ?? 0) + 1);
      const first = Math.min(...counts.keys());
      for (const [w, n] of counts) assert.ok(n <= 10, `window ${w - first} had ${n} starts`);
      // the first window is partial (queued mid-window); the next ten had work waiting throughout
      let ten = 0;
      for (let w = first + 1; w <= first + 10; w++) ten += counts.get(w) ?? 0;
      assert.ok(ten >= 95 && ten <= 100, `10 windows started ${ten} (limit 100)`);
    });

    test("a worker killed while holding a key keeps it only until its lease expires; the line then runs", async () => {
      const [crasher] = await rhythm.queueTasks("logged", [{ key: "crash", ms: 0, crash: true }], {
        concurrency: { key: "crash" },
        timeout: "2s",
        retries: { limit: 2, initial: "100ms" },
      });
      await until("the crashing worker to die", () => exited.size === 1 && events(logFile, "crash").some(([e]) => e === "crash"));
      const line = await rhythm.queueTasks(
        "logged",
        Array.from({ length: 3 }, () => ({ key: "crash", ms: 10 })),
        { concurrency: { key: "crash" } },
      );
      // the dead worker's attempt still holds the key: the line waits, parked
      assert.equal((await rhythm.get(crasher))!.status, "running");
      for (const id of line) assert.equal((await rhythm.get(id))!.status, "queued");
      await waitAll([crasher, ...line]);
      assert.equal((await rhythm.get(crasher))!.attempt, 2);
      const log = events(logFile, "crash");
      assert.deepEqual(
        log.slice(0, 2).map(([e]) => e),
        ["start", "crash"],
      );
      assertOneAtATime(log.slice(2), "crash");
      assert.equal(log.filter(([e]) => e === "start").length, 5);
    });
  });
}
