// The Postgres driver: its relaxed pool (claims and lease renewals) commits without waiting for
// the disk, whatever the connection string says; statements with parameters are prepared.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";

// Node prints a warning once per process: every one this file's connections cause is kept.
const warnings: Error[] = [];
process.on("warning", (w) => warnings.push(w));

if (await postgresAvailable())
  describe("the Postgres driver", () => {
    let db: TestDatabase;
    before(async () => {
      db = await postgresDatabase();
    });
    after(async () => db.drop());

    for (const [what, suffix] of [
      ["a plain URL", ""],
      ["a URL with its own options=", "?options=-c%20search_path%3Dpublic"],
    ]) {
      test(`relaxed statements commit with synchronous_commit off, ordinary ones with it on (${what})`, async () => {
        const driver = new PostgresDriver(db.url! + suffix);
        try {
          for (let i = 0; i < 3; i++) {
            const relaxed = await driver.relaxedQuery<{ synchronous_commit: string }>("show synchronous_commit");
            assert.equal(relaxed.rows[0].synchronous_commit, "off");
          }
          const plain = await driver.query<{ synchronous_commit: string }>("show synchronous_commit");
          assert.equal(plain.rows[0].synchronous_commit, "on");
          // the `set` is awaited before the pool hands the connection out: pg 8.x warns about a
          // query queued behind another ("Calling client.query() when the client is already
          // executing a query is deprecated"), and every process using Postgres printed it
          await new Promise((r) => setImmediate(r));
          assert.deepEqual(
            warnings.map((w) => `${w.name}: ${w.message}`),
            [],
          );
          if (suffix) {
            const path = await driver.relaxedQuery<{ search_path: string }>("show search_path");
            assert.equal(path.rows[0].search_path, "public", "the URL's own options still apply");
          }
        } finally {
          await driver.close();
        }
      });
    }

    test("statements with parameters are prepared once per connection (not `select *` ones), unless turned off", async () => {
      for (const preparedStatements of [true, false]) {
        const driver = new PostgresDriver(db.url!, { preparedStatements });
        try {
          const names = await driver.session(async (s) => {
            for (let i = 0; i < 3; i++) {
              assert.equal((await s.query<{ n: number }>("select $1::int + 1 as n", [i])).rows[0].n, i + 1);
              await s.query("select * from pg_class where oid = $1", [1259]);
            }
            const r = await s.query<{ name: string; statement: string }>(
              "select name, statement from pg_prepared_statements where name like 'rhythm\\_%' order by statement",
            );
            return r.rows.map((row) => row.statement);
          });
          assert.deepEqual(names, preparedStatements ? ["select $1::int + 1 as n"] : []);
        } finally {
          await driver.close();
        }
      }
    });
  });
