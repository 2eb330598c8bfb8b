// What the scale scenarios share: a fresh database with Rhythm's schema and the bench flows, a
// client and a counted monitor on it; worker processes (bench/scale/worker-child.mjs) started
// together; waiting for a count to reach a target; machine CPU; the claim statement's mean time.

import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnWorker } from "../lib/child.mjs";
import { now, until } from "../lib/clock.mjs";
import { createDatabase, dropDatabase, Monitor } from "../lib/databases.mjs";

const { Rhythm } = await import(
  process.env.RHYTHM_BENCH_DIST ? pathToFileURL(process.env.RHYTHM_BENCH_DIST).href : "../../dist/src/index.js"
);
export const FLOWS = fileURLToPath(new URL("../flows", import.meta.url));
const CHILD = new URL("./worker-child.mjs", import.meta.url);

export const SQL = {
  doneTasks: "select count(*) from rhythm.executions where kind = 'task' and status = 'completed'",
  doneWorkflows: "select count(*) from rhythm.executions where kind = 'workflow' and status = 'completed'",
  failed: "select count(*) from rhythm.executions where status in ('failed', 'cancelled')",
  suspended: "select count(*) from rhythm.executions where kind = 'workflow' and status = 'suspended'",
};

/** Runs `fn({ db, rhythm, monitor })` on a fresh database with the schema deployed, then drops it. */
export async function withDatabase(fn) {
  const db = await createDatabase("scale");
  let rhythm = null;
  let monitor = null;
  try {
    rhythm = await Rhythm.connect({ databaseUrl: db.url, workflows: FLOWS });
    await rhythm.deploy();
    monitor = new Monitor(db.url);
    // an idle connection ended by the server (a drop elsewhere, a restart) fails the next query, not the process
    monitor.pool.on("error", (e) => process.stderr.write(`  monitor connection lost: ${e.message}\n`));
    return await fn({ db, rhythm, monitor });
  } finally {
    await rhythm?.close().catch(() => {});
    await monitor?.close().catch(() => {});
    await dropDatabase(db.name);
  }
}

/** `k` worker processes, each started with `options` (concurrency, retention); all up before it returns. */
export async function startWorkers(k, url, options = {}) {
  const children = await Promise.all(Array.from({ length: k }, () => spawnWorker("rhythm", CHILD)));
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  try {
    await Promise.all(children.map((c) => c.call("start", { url, ...options })));
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }
  return {
    children,
    stop: stopAll,
    async progress() {
      const all = await Promise.all(children.map((c) => c.call("progress")));
      for (const p of all) if (p.errors.length > 0) throw new Error(`worker reported: ${p.errors[0]}`);
      const firsts = all.map((p) => p.first).filter((t) => t !== null);
      return { calls: all.reduce((s, p) => s + p.calls, 0), first: firsts.length ? Math.min(...firsts) : null, each: all };
    },
    reports: () => Promise.all(children.map((c) => c.call("report"))),
  };
}

/** Polls `sql` (a count) until it reaches `target`; returns the time it did. Fails on failed executions or a stall. */
export async function waitForCount(monitor, sql, target, { params = [], stallMs = 60_000, everyMs = 10 } = {}) {
  let last = -1;
  let moved = now();
  let polls = 0;
  return until(
    async () => {
      const n = await monitor.value(sql, params);
      if (n >= target) return now();
      if (++polls % 50 === 0 && (await monitor.value(SQL.failed)) > 0) throw new Error("executions failed");
      if (n !== last) [last, moved] = [n, now()];
      else if (now() - moved > stallMs) throw new Error(`stalled at ${n} of ${target}`);
      return null;
    },
    { everyMs, timeoutMs: 1_800_000, what: `${target} (${sql})` },
  );
}

/** Busy and total jiffies of the whole machine so far (/proc/stat), to take a CPU share over a window. */
export function machineCpu() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of the machine's CPU (0–1 of all cores) busy between two machineCpu() readings. */
export const busyShare = (a, b) => (b.busy - a.busy) / (b.total - a.total);

/** The claim statement: today's text (store/queries/claims.ts), or a claim function should it become one. */
const isClaim = (sql) => /^with picked as/i.test(sql) || /\bclaim(_v\d+)?\s*\(/i.test(sql);

/** The worker's claim statement(s) from a query count: calls and mean ms as the worker saw them. */
export function claimStats(reports) {
  let calls = 0;
  let ms = 0;
  for (const r of reports)
    for (const q of r.queries.top)
      if (isClaim(q.sql)) {
        calls += q.calls;
        ms += q.ms;
      }
  return { calls, meanMs: calls ? ms / calls : NaN };
}

export { now };
