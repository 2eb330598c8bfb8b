// Migrations: applied once, recorded, safe from many processes at once, confined to the schema.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Rhythm } from "../../src/index.js";
import { migrate, migrations } from "../../src/store/migrate.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { until } from "../engine/support/until.js";
import { backends, type TestDatabase } from "../support/database.js";

for (const backend of await backends()) {
  describe(`migrations on ${backend.kind}`, () => {
    let db: TestDatabase;
    before(async () => {
      db = await backend.open();
    });
    after(async () => db.drop());

    test("apply every migration once, then nothing", async () => {
      const first = await migrate(db.driver, "rhythm");
      assert.deepEqual(
        first,
        migrations().map((m) => m.version),
      );
      assert.deepEqual(await migrate(db.driver, "rhythm"), []);
      const recorded = await db.driver.query<{ version: number }>(`select version from "rhythm".migrations order by version`);
      assert.deepEqual(
        recorded.rows.map((r) => r.version),
        first,
      );
    });

    test("a second schema is independent of the first", async () => {
      await migrate(db.driver, "other_app");
      const tables = await db.driver.query<{ table_schema: string }>(
        `select distinct table_schema from information_schema.tables where table_name = 'executions' order by 1`,
      );
      assert.deepEqual(
        tables.rows.map((r) => r.table_schema),
        ["other_app", "rhythm"],
      );
    });

    if (backend.kind === "postgres") {
      test("five processes migrating at once apply each migration exactly once", async () => {
        const drivers = Array.from({ length: 5 }, () => new PostgresDriver(db.url!));
        try {
          const results = await Promise.all(drivers.map((d) => migrate(d, "concurrent")));
          assert.deepEqual(
            results.flat().sort((a, b) => a - b),
            migrations().map((m) => m.version),
          );
        } finally {
          await Promise.all(drivers.map((d) => d.close()));
        }
      });

      test("a connect whose migration fails closes what it opened", async () => {
        // a schema whose migrations table is not Rhythm's: reading it fails
        await db.driver.query(`create schema broken`);
        await db.driver.query(`create table broken.migrations (id int)`);
        const url = new URL(db.url!);
        url.searchParams.set("application_name", "rhythm-broken-connect");
        await assert.rejects(Rhythm.connect({ databaseUrl: url.href, schema: "broken" }), /column "version" does not exist/);
        // the failed client's pool is closed, not left holding its connection
        // (a pool left open keeps its idle connection for 10 s; a closed one's backend exits at once)
        await until(
          "the failed connect's session to end",
          async () => {
            const left = await db.driver.query<{ n: string }>(
              `select count(*) as n from pg_stat_activity where application_name = 'rhythm-broken-connect'`,
            );
            return Number(left.rows[0].n) === 0;
          },
          3000,
        );
      });
    }
  });
}

test("schema names are validated before they reach SQL", () => {
  assert.equal(quoteSchema("rhythm_2"), '"rhythm_2"');
  for (const bad of ['x"; drop table y; --', "Upper", "1abc", "", "a".repeat(64)]) {
    assert.throws(() => quoteSchema(bad), RangeError);
  }
});
