// Migrations: applied once, recorded, safe from many processes at once, confined to the schema.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { migrate, migrations } from "../../src/store/migrate.js";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { quoteSchema } from "../../src/store/schema-name.js";
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
            results.flat().sort(),
            migrations().map((m) => m.version),
          );
        } finally {
          await Promise.all(drivers.map((d) => d.close()));
        }
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
