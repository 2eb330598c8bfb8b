// rhythm.upgrade on the engine (docs/operations.md), Postgres and PGlite: a paused run moved onto a
// fixed version (a dry run first changes nothing), upgradeAll moving what can move and saying why
// the rest cannot, an upgrade raced with a signal (nothing lost: moved or refused, the run ends on
// the version it says), and a failed run retried onto a fixed version with no task run again.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "./support/until.js";

const V1 = `const quote = await Task.run("quote", {});
const go = await Signal.next("go");
return { quote, go, v: 1 };
`;
const V2 = `const quote = await Task.run("quote", {});
console.log("v2 here");
const go = await Signal.next("go");
return { quote, go, v: 2 };
`;
const BUGGY = `let items = Inputs.items;
const quote = await Task.run("quote", {});
return items.length * quote;
`;
const FIXED = `let items = Inputs.items ?? [];
const quote = await Task.run("quote", {});
return (items ?? []).length * quote;
`;

for (const backend of await backends()) {
  describe(`rhythm.upgrade on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    let quotes = 0;

    before(async () => {
      db = await backend.open();
      f = await engine(db, { flow: V1, buggy: BUGGY });
      rhythm = f.rhythm;
      rhythm.task("quote", async () => {
        quotes++;
        return 7;
      });
      await rhythm.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    const deploy = async (name: string, source: string) => {
      f.write(name, source);
      const deployed = await rhythm.deploy(f.dir);
      return deployed.find((d) => d.name === name)!.version;
    };
    const paused = async () => {
      const id = await rhythm.startWorkflow("flow", {});
      await until("the run to wait for go", async () => (await rhythm.inspect(id).catch(() => null))?.stack[0].line === 2);
      return id;
    };

    test("a dry run says where the run would continue; the upgrade moves it and it runs the new code", async () => {
      const id = await paused();
      const v1 = (await rhythm.get(id))!.version;
      const v2 = await deploy("flow", V2);
      const dry = await rhythm.upgrade(id, { dryRun: true });
      assert.deepEqual(
        [dry.movable, dry.moved, dry.from, dry.to, dry.at?.line, dry.continuesAt?.line, dry.kept],
        [true, false, v1, v2, 2, 3, ["quote", "go"]],
      );
      assert.equal((await rhythm.get(id))!.version, v1, "a dry run changes nothing");
      const done = await rhythm.upgrade(id, { by: "ops" });
      assert.equal(done.moved, true);
      await untilStatus(rhythm, id, "suspended");
      assert.equal((await rhythm.get(id))!.version, v2);
      await rhythm.signal(id, "go", "yes");
      assert.deepEqual((await untilStatus(rhythm, id, "completed")).output, { quote: 7, go: "yes", v: 2 });
      assert.ok(
        (await rhythm.logs(id)).some(
          (l) =>
            l.source === "operation" &&
            /^upgraded by ops from version \w{12} to \w{12}: paused at line 2, continues at line 3$/.test(l.message),
        ),
      );
      await deploy("flow", V1);
    });

    test("upgradeAll leaves a run that cannot move on its version, saying exactly why", async () => {
      const stuck = await paused();
      const v3 = await deploy("flow", V1.replace('await Signal.next("go")', 'await Signal.next("start")'));
      const all = await rhythm.upgradeAll("flow", { to: v3.slice(0, 10) });
      const mine = all.find((r) => r.id === stuck)!;
      assert.equal(mine.moved, false);
      assert.match(
        mine.reason!,
        /no counterpart: no top-level await of `Signal.next\("go"\)` used as const go outside any loop or try/,
      );
      assert.equal((await rhythm.get(stuck))!.version === v3, false, "it keeps its version");
      await assert.rejects(rhythm.upgrade(stuck, { to: "zz" }), { code: "INVALID_ARGUMENT" });
      await rhythm.signal(stuck, "go", 1);
      await untilStatus(rhythm, stuck, "completed");
      await deploy("flow", V1);
    });

    test("an upgrade raced with a signal: moved or refused, the signal is never lost", async () => {
      const ids = [await paused(), await paused(), await paused()];
      await deploy("flow", V2);
      await Promise.all(
        ids.map(async (id) => {
          const [up] = await Promise.allSettled([rhythm.upgrade(id), rhythm.signal(id, "go", id)]);
          const out = (await untilStatus(rhythm, id, "completed")).output as { go: string; v: number };
          assert.equal(out.go, id);
          assert.equal(up.status, "fulfilled");
          const r = (up as PromiseFulfilledResult<Awaited<ReturnType<Rhythm["upgrade"]>>>).value;
          assert.equal(out.v, r.moved ? 2 : 1, r.reason);
        }),
      );
      await deploy("flow", V1);
    });

    test("retry onto a fixed version: a failed run continues on the new code, no task runs again", async () => {
      const id = await rhythm.startWorkflow("buggy", {});
      await untilStatus(rhythm, id, "failed");
      const before = quotes;
      await assert.rejects(rhythm.retry(id, { version: "0123456789" }), /no version 0123456789 of workflow buggy is stored/);
      const fixed = await deploy("buggy", FIXED);
      await rhythm.retry(id, { version: "latest" });
      // the run's own `items` (undefined) is kept by name; the fixed code after the await copes
      assert.equal((await untilStatus(rhythm, id, "completed")).output, 0);
      assert.equal((await rhythm.get(id))!.version, fixed);
      assert.equal(quotes, before, "the quote was delivered again, not asked again");
    });
  });
}
