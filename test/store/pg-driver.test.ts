// The Postgres driver's relaxed pool (claims and lease renewals): its commits do not wait for the
// disk, whatever the connection string says.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PostgresDriver } from "../../src/store/pg-driver.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";

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
          if (suffix) {
            const path = await driver.relaxedQuery<{ search_path: string }>("show search_path");
            assert.equal(path.rows[0].search_path, "public", "the URL's own options still apply");
          }
        } finally {
          await driver.close();
        }
      });
    }
  });
