// `rhythm set`, `rhythm fork` and `rhythm retry` through the built CLI against a Postgres server
// (the CLI runs in its own process; test/engine/operations.test.ts covers the API on PGlite too):
// a variable set with its old value said and logged as the user who asked, a refusal's message
// and exit code, a fork's new id, a failed workflow retried from its failed await.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NonRetryableError, Rhythm } from "../../src/index.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { until, untilStatus } from "../engine/support/until.js";
import { jsonDocument, rhythmAsync, tempFolder } from "./cli-process.js";

// Not spawnSync: it would freeze this process's worker, perhaps inside a transaction holding the
// very row the command needs (the command then waits on its lock until the spawn times out).
const cli = rhythmAsync;

const FLOW = `let discount = Inputs.discount;
const charged = await Task.run("charge", { discount });
const approval = await Signal.next("approve");
return { discount, charged, approval };
`;

const hasServer = await postgresAvailable();

if (hasServer)
  describe("rhythm set, fork, retry", () => {
    let db: TestDatabase;
    let client: Rhythm;
    let folder: { dir: string; remove: () => void };
    let broken = false;
    let charges = 0;

    before(async () => {
      db = await postgresDatabase();
      folder = tempFolder({ "workflows/order.flow": FLOW });
      client = await Rhythm.connect({ databaseUrl: db.url!, workflows: `${folder.dir}/workflows` });
      client.task("charge", async (inputs: { discount: number }) => {
        charges++;
        if (broken) throw new NonRetryableError("card service down");
        return 100 - inputs.discount;
      });
      await client.worker({ pollIntervalMs: 50 }).start();
    });
    after(async () => {
      await client.close();
      await db.drop();
      folder.remove();
    });

    const paused = async () => {
      const id = await client.startWorkflow("order", { discount: 5 });
      await until(
        "the order to wait for approval",
        async () => (await client.inspect(id).catch(() => null))?.stack[0].line === 3,
      );
      return id;
    };

    test("set changes a variable, says the old value, and logs who asked; a bad name is refused with exit 1", async () => {
      const id = await paused();
      const r = await cli(["set", id, "discount=20", "--by", "erin", "--database-url", db.url!], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "discount = 20 (was 5)\nin frame 0: main, line 3; logged as set by erin\n");
      const bad = await cli(["set", id, "discont=1", "--database-url", db.url!], folder.dir);
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        /no variable "discont" is in scope in frame 0 \(main, line 3\): it has discount, charged, approval \(EDIT_REFUSED\)/,
      );
      assert.equal((await cli(["set", id, "discount", "--database-url", db.url!], folder.dir)).code, 2);
      const up = await cli(["upgrade", id, "--dry-run", "--database-url", db.url!], folder.dir);
      assert.equal(up.code, 1);
      assert.match(up.stdout, new RegExp(`^${id}  stays on [0-9a-f]{12}: it already runs that version\n$`));
      assert.equal((await cli(["upgrade", "--all", "--database-url", db.url!], folder.dir)).code, 2);
      await client.signal(id, "approve", true);
      assert.deepEqual((await untilStatus(client, id, "completed")).output, { discount: 20, charged: 95, approval: true });
      assert.ok((await client.logs(id)).some((l) => l.source === "operation" && l.message.endsWith("by erin")));
    });

    test("fork prints the new execution, which runs on its own", async () => {
      const id = await paused();
      const r = await cli(["fork", id, "--json", "--database-url", db.url!], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      const fork = jsonDocument(r.stdout) as { id: string; forkedFrom: string; signalWaits: number };
      assert.deepEqual([fork.forkedFrom, fork.signalWaits], [id, 1]);
      await until("the fork to pause", async () => (await client.get(fork.id))?.status === "suspended");
      await client.signal(fork.id, "approve", "fork");
      assert.deepEqual((await untilStatus(client, fork.id, "completed")).output, { discount: 5, charged: 95, approval: "fork" });
      assert.equal((await client.get(id))!.status, "suspended", "the original is untouched");
    });

    test("retry continues a failed workflow from its failed await once the task is fixed", async () => {
      broken = true;
      const id = await client.startWorkflow("order", { discount: 1 });
      await untilStatus(client, id, "failed");
      broken = false;
      const before = charges;
      const r = await cli(["retry", id, "--json", "--database-url", db.url!], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      assert.notEqual((jsonDocument(r.stdout) as { status: string }).status, "failed");
      await until("the retried order to pause", async () => (await client.get(id))?.status === "suspended");
      assert.equal(charges, before + 1, "only the failed task ran again");
      const again = await cli(["retry", id, "--database-url", db.url!], folder.dir);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /RETRY_REFUSED/);
    });
  });
