// One measured run of one scenario for one contender: a fresh database with the contender's schema,
// its worker in a child process, a client in this process, a counted monitor for the harness's
// own checks. Afterwards the database's committed transactions (less the monitor's) and the
// server's write transactions are added to the result, per unit of work, and the database is dropped.

import { now, sleep, until } from "./clock.mjs";
import { createDatabase, dropDatabase, Monitor, nextXid, settledCommits } from "./databases.mjs";
import { spawnWorker } from "./child.mjs";

export async function withSession(adapter, fn) {
  const db = await createDatabase(adapter.name);
  let child = null;
  let client = null;
  let monitor = null;
  try {
    await adapter.install(db.url);
    const before = await settledCommits(db.name);
    const xidBefore = await nextXid();
    child = await spawnWorker(adapter.name);
    client = adapter.client ? await adapter.client(db.url) : null;
    monitor = new Monitor(db.url);
    const result = await fn({ db, child, client, monitor });
    await child.stop();
    child = null;
    await client?.close();
    client = null;
    const monitorQueries = monitor.queries;
    await monitor.close();
    monitor = null;
    const commits = (await settledCommits(db.name)) - before - monitorQueries;
    const writes = (await nextXid()) - xidBefore;
    return {
      ...result,
      commits,
      writes,
      txPerUnit: commits / result.units,
      writesPerUnit: writes / result.units,
      queriesPerUnit: result.workerQueries / result.units,
    };
  } finally {
    await child?.stop(5000).catch(() => {});
    await client?.close().catch(() => {});
    await monitor?.close().catch(() => {});
    await dropDatabase(db.name);
  }
}

/**
 * Waits until `target` items are done: the worker child's handler count first (cheap, over IPC),
 * then the database every few milliseconds, so the end time is when the last one is committed.
 * Fails when a failure shows up or nothing moves for `stallMs`.
 */
export async function waitUntilDone({ child, monitor, adapter, target, handlerCalls, count, stallMs = 60_000 }) {
  let lastCalls = -1;
  let lastMove = now();
  if (handlerCalls !== null) {
    await until(
      async () => {
        const p = await child.call("progress");
        if (p.errors.length > 0) throw new Error(`worker reported: ${p.errors[0]}`);
        if (p.calls !== lastCalls) {
          lastCalls = p.calls;
          lastMove = now();
        } else if (now() - lastMove > stallMs) {
          throw new Error(`stalled: ${p.calls} of ${handlerCalls} handler calls after ${stallMs} ms without progress`);
        }
        return p.calls >= handlerCalls;
      },
      { everyMs: 20, timeoutMs: 900_000, what: `${handlerCalls} handler calls` },
    );
  }
  let lastDone = -1;
  lastMove = now();
  let polls = 0;
  return until(
    async () => {
      const done = await count();
      if (done >= target) return now();
      if (++polls % 50 === 0) {
        const failed = await monitor.value(adapter.sql.failed);
        if (failed > 0) throw new Error(`${failed} executions failed`);
      }
      if (done !== lastDone) {
        lastDone = done;
        lastMove = now();
      } else if (now() - lastMove > stallMs) {
        throw new Error(`stalled: ${done} of ${target} done after ${stallMs} ms without progress`);
      }
      return null;
    },
    { everyMs: handlerCalls !== null ? 3 : 20, timeoutMs: 900_000, what: `${target} completions` },
  );
}

export { sleep };
