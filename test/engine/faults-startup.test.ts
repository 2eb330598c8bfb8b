// Postgres down when a worker starts (issue 4, database faults): the database sits behind a TCP
// proxy that refuses connections, or accepts them and says nothing, until the test lets it
// through. worker.start() and `rhythm worker` wait, retrying with backoff, say so, and run the
// work exactly once when the database is back; stop() (or SIGTERM) ends the wait. On Postgres only:
// the embedded database has no network to lose.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { Rhythm } from "../../src/index.js";
import { DatabaseUnavailableError } from "../../src/store/connection-errors.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { FLOWS, Workload } from "./support/fault-workload.js";
import { TcpProxy } from "./support/tcp-proxy.js";
import { until } from "./support/until.js";

const CLI = resolve(process.cwd(), "dist/src/cli/main.js");

if (await postgresAvailable())
  describe("Postgres down when a worker starts", () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let dir: string;

    before(async () => {
      db = await postgresDatabase();
      const server = new URL(db.url!);
      proxy = await TcpProxy.open({ host: server.hostname, port: Number(server.port || 5432) }, "forward");
      dir = mkdtempSync(join(tmpdir(), "rhythm-faults-"));
      for (const [name, source] of Object.entries(FLOWS)) writeFileSync(join(dir, `${name}.flow`), source);
    });
    after(async () => {
      await proxy.close();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** A client through the proxy, its tasks registered and its workflows deployed (the proxy forwarding). */
    async function worker(options: { connectTimeoutMs?: number; deploy?: boolean } = {}) {
      await proxy.set("forward");
      const rhythm = await Rhythm.connectWith(new PostgresDriver(proxy.url(db.url!), options), { workflows: dir });
      const workload = new Workload();
      workload.register(rhythm);
      if (options.deploy !== false) await rhythm.deploy();
      const errors: unknown[] = [];
      const w = rhythm.worker({ pollIntervalMs: 100, onError: (e) => errors.push(e) });
      return {
        rhythm,
        /** Takes the database away, once the pool has seen its open connections end. */
        down: async (mode: "closed" | "silent" | "drop") => {
          await proxy.set(mode);
          const pool = (rhythm.driver as PostgresDriver).pool;
          await until("the pool to drop its connections", () => pool.totalCount === 0);
        },
        workload,
        worker: w,
        errors,
        waits: () => errors.filter((e): e is DatabaseUnavailableError => e instanceof DatabaseUnavailableError),
        close: async () => {
          await rhythm.close();
          await rhythm.driver.close();
        },
      };
    }

    test("connections refused: start() waits with growing delays, says so, and the work runs once when Postgres is back", async () => {
      const w = await worker();
      const client = await Rhythm.connectWith(db.driver, { workflows: dir });
      try {
        await w.down("closed");
        let started = false;
        const starting = w.worker.start().then(() => (started = true));
        await until("two reports of the unreachable database", () => w.waits().length >= 2);
        assert.equal(started, false, "start() waits for the database");
        const [first, second] = w.waits();
        assert.match(first.message, /^database unreachable \(.*ECONNREFUSED.*\), retrying in 1 s$/);
        assert.match(second.message, /^database unreachable \(.*ECONNREFUSED.*\), retrying in 2 s$/);
        assert.equal(first.code, "DATABASE_UNAVAILABLE");
        // work queued meanwhile (straight to the database) waits for the worker
        const work = await w.workload.start(client, 3, 3);
        await proxy.set("forward");
        await starting;
        await w.workload.verify(db.driver, work);
        assert.equal(w.worker.isRunning, true);
      } finally {
        await client.close();
        await w.close();
      }
    });

    test("a worker that has yet to deploy its workflows folder waits for the database too, then deploys and runs", async () => {
      const w = await worker({ deploy: false });
      const client = await Rhythm.connectWith(db.driver, { workflows: dir });
      try {
        await w.down("closed");
        const starting = w.worker.start();
        await until("a report of the unreachable database", () => w.waits().length >= 1);
        assert.match(w.waits()[0].message, /^database unreachable \(.*ECONNREFUSED.*\), retrying in 1 s$/);
        await proxy.set("forward");
        await starting;
        const work = await w.workload.start(client, 2, 2);
        await w.workload.verify(db.driver, work);
      } finally {
        await client.close();
        await w.close();
      }
    });

    test("a server that accepts connections and never answers: each connect times out, and the worker keeps trying", async () => {
      const w = await worker({ connectTimeoutMs: 300 });
      const client = await Rhythm.connectWith(db.driver, { workflows: dir });
      try {
        await w.down("silent");
        const starting = w.worker.start();
        await until("a report of the silent database", () => w.waits().length >= 1);
        assert.match(w.waits()[0].message, /^database unreachable \(timeout expired\), retrying in 1 s$/);
        const work = await w.workload.start(client, 1, 2);
        await proxy.set("forward");
        await starting;
        await w.workload.verify(db.driver, work);
      } finally {
        await client.close();
        await w.close();
      }
    });

    test("stop() ends the wait of a worker whose database never comes", async () => {
      const w = await worker();
      try {
        await w.down("drop");
        const starting = w.worker.start();
        await until("a report of the unreachable database", () => w.waits().length >= 1);
        assert.match(w.waits()[0].message, /^database unreachable \(Connection terminated unexpectedly\), retrying in 1 s$/);
        await w.worker.stop();
        await starting;
        assert.equal(w.worker.isRunning, false);
      } finally {
        await w.close();
      }
    });

    test("`rhythm worker` started before Postgres says it waits, then serves once it is up; SIGTERM stops it", async () => {
      await proxy.set("closed");
      const project = mkdtempSync(join(tmpdir(), "rhythm-faults-cli-"));
      writeFileSync(join(project, "tasks.mjs"), "export default { double: async (inputs) => inputs.n * 2 };\n");
      const child = spawn(
        process.execPath,
        [CLI, "worker", "--tasks", "tasks.mjs", "--workflows", dir, "--database-url", proxy.url(db.url!)],
        { cwd: project, stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      const client = await Rhythm.connectWith(db.driver, { workflows: dir });
      try {
        await until("the worker to say it waits, twice", () => /retrying in 2 s/.test(stderr), 20_000);
        assert.match(
          stderr,
          /rhythm worker: database unreachable \(connect ECONNREFUSED [^)]*\), retrying in 1 s\n(.*\n)*rhythm worker: database unreachable \(connect ECONNREFUSED [^)]*\), retrying in 2 s\n/,
        );
        const id = await client.queueTask("double", { n: 21 });
        await proxy.set("forward");
        await until("the worker to serve", () => /serving queue\(s\) default with tasks double/.test(stderr), 20_000);
        const done = await client.wait(id, { timeout: "20s" });
        assert.equal(done.status, "completed");
        assert.equal(done.output, 42);
        // Postgres goes away under the serving worker: it says it waits, as at start (not "error:"),
        // and serves again when it is back
        const before = stderr.length;
        await proxy.set("closed");
        await until("the serving worker to say it waits", () => /database unreachable/.test(stderr.slice(before)), 20_000);
        assert.doesNotMatch(stderr, /error: database/);
        await proxy.set("forward");
        const again = await client.wait(await client.queueTask("double", { n: 1 }), { timeout: "20s" });
        assert.equal(again.output, 2);
        child.kill("SIGTERM");
        assert.equal(await exited, 0, stderr);
        assert.match(stderr, /rhythm worker: stopped\n$/);
      } finally {
        child.kill("SIGKILL");
        await client.close();
        rmSync(project, { recursive: true, force: true });
      }
    });

    test("`rhythm worker` stopped by SIGTERM while it waits for the database exits 0", async () => {
      await proxy.set("closed");
      const project = mkdtempSync(join(tmpdir(), "rhythm-faults-cli-"));
      const child = spawn(process.execPath, [CLI, "worker", "--workflows", dir, "--database-url", proxy.url(db.url!)], {
        cwd: project,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      try {
        await until("the worker to say it waits", () => /retrying in 1 s/.test(stderr), 20_000);
        child.kill("SIGTERM");
        assert.equal(await exited, 0, stderr);
        assert.match(stderr, /rhythm worker: stopped\n$/);
      } finally {
        child.kill("SIGKILL");
        rmSync(project, { recursive: true, force: true });
      }
    });
  });
