// `rhythm task` and `rhythm start` with the flow-control flags (docs/flow-control.md), on Postgres
// (--database-url) and on the embedded PGlite of the folder: the key and rate limit reach the
// stored execution, `get --json` shows the work queued, and bad flags are refused (exit 2) with
// a message and nothing queued.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { rhythm, tempFolder } from "./cli-process.js";

const FLAGS = [
  "--concurrency-key",
  "customer-3",
  "--concurrency-limit",
  "2",
  "--rate-limit-key",
  "api",
  "--rate-limit",
  "5",
  "--rate-per",
  "1s",
];

if (await postgresAvailable())
  describe("rhythm task/start with flow-control flags on postgres", () => {
    let db: TestDatabase;
    let folder: { dir: string; remove: () => void };
    before(async () => {
      db = await postgresDatabase();
      folder = tempFolder({ "workflows/quick.flow": "return 1;\n" });
    });
    after(async () => {
      folder?.remove();
      await db?.drop();
    });

    const stored = async (id: string) => {
      const c = new pg.Client({ connectionString: db.url! });
      await c.connect();
      try {
        return (
          await c.query(
            "select concurrency_key, concurrency_limit, rate_key, rate_limit, rate_per_ms from rhythm.executions where id = $1",
            [id],
          )
        ).rows[0];
      } finally {
        await c.end();
      }
    };

    test("the flags are stored with the task and the workflow", async () => {
      const url = ["--database-url", db.url!];
      assert.equal(rhythm(["deploy", "--workflows", "workflows", ...url], folder.dir).code, 0);
      for (const args of [
        ["task", "send", ...FLAGS],
        ["start", "quick", ...FLAGS],
      ]) {
        const r = rhythm([...args, ...url], folder.dir);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(await stored(r.stdout.trim()), {
          concurrency_key: "customer-3",
          concurrency_limit: 2,
          rate_key: "api",
          rate_limit: 5,
          rate_per_ms: 1000,
        });
      }
    });

    test("bad flags: exit 2, a message naming them, nothing queued", () => {
      const url = ["--database-url", db.url!];
      for (const [args, message] of [
        [["--concurrency-limit", "2"], /--concurrency-limit goes with --concurrency-key/],
        [["--concurrency-key", "k", "--concurrency-limit", "0"], /--concurrency-limit must be at least 1/],
        [["--rate-limit", "5"], /--rate-limit-key, --rate-limit and --rate-per go together/],
        [["--rate-limit-key", "k", "--rate-limit", "5", "--rate-per", "soon"], /rateLimit\.per must be a duration/],
        [["--concurrency-key", ""], /concurrency\.key must be a non-empty string/],
      ] as const) {
        const r = rhythm(["task", "send", ...args, ...url], folder.dir);
        assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.equal(r.stdout, "");
      }
    });
  });

describe("rhythm task with flow-control flags on the embedded PGlite", () => {
  test("queued with its key; get --json shows it queued", () => {
    const folder = tempFolder();
    try {
      const r = rhythm(["task", "send", "--concurrency-key", "k"], folder.dir);
      assert.equal(r.code, 0, r.stderr);
      const got = rhythm(["get", r.stdout.trim(), "--json"], folder.dir);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(JSON.parse(got.stdout).status, "queued");
    } finally {
      folder.remove();
    }
  });
});
