// The TypeScript worker's store calls and the SQL worker protocol leave the same flow-control
// state for the same scenario: keyed tasks (limit 2) claimed, completed, retried and released,
// then rate-limited tasks (3 per day) claimed past their limit. After each step, the rows' status,
// parked and holds_slot flags and attempts (as a multiset: which of equal rows a claim takes is
// not fixed), and the rate window's count, must be equal.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { Store } from "../../src/store/store.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { Protocol } from "./support/protocol.js";

/** What a worker does to a claim, whichever way it talks to the database. */
interface Side {
  claim(queue: string, task: string, limit: number): Promise<{ id: string; token: string }[]>;
  complete(c: { id: string; token: string }): Promise<void>;
  retryLater(c: { id: string; token: string }): Promise<void>;
  release(c: { id: string; token: string }): Promise<void>;
}

function typeScriptSide(store: Store): Side {
  return {
    claim: async (queue, task, limit) =>
      (await store.claim("ts", [queue], [task], limit, 30_000)).map((c) => ({ id: c.id, token: c.claim_token })),
    complete: async (c) => assert.deepEqual(await store.completeStandalone([{ id: c.id, token: c.token, output: null }]), [true]),
    retryLater: async (c) =>
      assert.equal(await store.failTask(c.id, c.token, { name: "Flaky", message: "later" }, 3_600_000, null), true),
    release: (c) => store.release(c.id, c.token),
  };
}

function protocolSide(p: Protocol): Side {
  return {
    claim: async (queue, task, limit) =>
      (await p.claim("sql", [queue], [task], limit)).map((c) => ({ id: c.id, token: c.claim_token })),
    complete: async (c) => assert.equal(await p.complete(c.id, c.token, null), true),
    retryLater: async (c) => assert.equal(await p.fail(c.id, c.token, { name: "Flaky", message: "later" }), "retried"),
    release: async (c) => assert.equal(await p.release(c.id, c.token), true),
  };
}

for (const backend of await backends()) {
  describe(`flow control: the TypeScript worker and the SQL protocol on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;

    before(async () => {
      db = await backend.open();
      f = await engine(db, {});
      rhythm = f.rhythm;
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    /** The rows of a queue as a sorted multiset of their flow-control state. */
    const states = async (queue: string) =>
      (
        await db.driver.query<{ s: string }>(
          `select json_build_object('status', status, 'parked', parked, 'holds', holds_slot, 'attempt', attempt)::text as s
           from rhythm.executions where queue = $1`,
          [queue],
        )
      ).rows
        .map((r) => r.s)
        .sort();

    const scenario = async (side: Side, tag: string) => {
      const seen: unknown[] = [];
      const queue = `same-${tag}`;
      await rhythm.queueTasks(
        "keyed",
        Array.from({ length: 5 }, (_, i) => ({ i })),
        { queue, concurrency: { key: `k-${tag}`, limit: 2 }, retries: { limit: 3, initial: "1h" } },
      );
      const first = await side.claim(queue, "keyed", 10);
      seen.push(first.length, await states(queue));
      await side.complete(first[0]);
      seen.push(await states(queue));
      await side.retryLater(first[1]);
      seen.push(await states(queue));
      const second = await side.claim(queue, "keyed", 10);
      seen.push(second.length, await states(queue));
      await side.release(second[0]);
      seen.push(await states(queue));
      const third = await side.claim(queue, "keyed", 10);
      seen.push(third.length, await states(queue));

      const rated = `rated-${tag}`;
      await rhythm.queueTasks(
        "rated",
        Array.from({ length: 5 }, (_, i) => ({ i })),
        { queue: rated, rateLimit: { key: `r-${tag}`, limit: 3, per: "1d" } },
      );
      const r = await side.claim(rated, "rated", 10);
      seen.push(r.length, await states(rated));
      const window = await db.driver.query<{ used: number; ahead: number }>(
        "select used, ahead from rhythm.rate_limits where key = $1",
        [`r-${tag}`],
      );
      seen.push(window.rows[0]);
      return seen;
    };

    test("give the same effects", async () => {
      const byTypeScript = await scenario(typeScriptSide(new Store(db.driver, "rhythm")), "ts");
      const byProtocol = await scenario(protocolSide(new Protocol(db.driver)), "sql");
      assert.deepEqual(byProtocol, byTypeScript);
      // and the scenario did what it says: two holders of five, two claimed after the retry and
      // the completion, one after the release; three of five rated tasks, two sent on
      assert.equal(byTypeScript[0], 2);
      assert.equal(byTypeScript[4], 2);
      assert.equal(byTypeScript[7], 1);
      assert.equal(byTypeScript[9], 3);
      assert.deepEqual(byTypeScript[11], { used: 3, ahead: 2 });
    });
  });
}
