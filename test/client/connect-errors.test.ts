// Rhythm.connect (and every CLI command) to a database it cannot use throws a typed error that
// says what to do: DATABASE_NOT_FOUND, DATABASE_UNREACHABLE, DATABASE_AUTH_FAILED — through a
// server that refuses with the SQLSTATE a real one sends, a closed port, and, when a Postgres
// server answers, that server. An empty RHYTHM_DATABASE_URL counts as unset.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { DatabaseAuthError, DatabaseNotFoundError, DatabaseUnreachableError, Rhythm, RhythmError } from "../../src/index.js";
import { closedPort, refusingPostgres } from "../support/fake-postgres.js";
import { postgresAvailable, postgresDatabase } from "../support/database.js";
import { rhythm, rhythmAsync, tempFolder } from "../cli/cli-process.js";

/** What Rhythm.connect threw, checked to be a RhythmError. */
async function refusal(options: Parameters<typeof Rhythm.connect>[0]): Promise<RhythmError> {
  try {
    const r = await Rhythm.connect(options);
    await r.close();
  } catch (e) {
    assert.ok(e instanceof RhythmError, `not a RhythmError: ${String(e)}`);
    return e;
  }
  assert.fail("connect succeeded");
}

const project = tempFolder();
after(() => project.remove());

describe("connecting to a database that cannot be used", () => {
  test("a database that does not exist: DATABASE_NOT_FOUND, with createdb", async () => {
    const server = await refusingPostgres("3D000", 'database "shop" does not exist');
    try {
      const e = await refusal({ databaseUrl: `postgres://postgres@127.0.0.1:${server.port}/shop` });
      assert.ok(e instanceof DatabaseNotFoundError);
      assert.equal(e.code, "DATABASE_NOT_FOUND");
      assert.equal(
        e.message,
        `database "shop" does not exist on 127.0.0.1:${server.port} — create it (createdb -p ${server.port} shop) or fix the databaseUrl option`,
      );
      assert.equal((e.cause as { code?: string }).code, "3D000", "the driver's error is kept as the cause");
    } finally {
      await server.close();
    }
  });

  test("a wrong password: DATABASE_AUTH_FAILED", async () => {
    const server = await refusingPostgres("28P01", 'password authentication failed for user "bob"');
    try {
      const e = await refusal({ databaseUrl: `postgres://bob:secret@127.0.0.1:${server.port}/shop` });
      assert.ok(e instanceof DatabaseAuthError);
      assert.equal(e.code, "DATABASE_AUTH_FAILED");
      assert.equal(
        e.message,
        `password authentication failed for user "bob" on 127.0.0.1:${server.port} — check the password in the databaseUrl option`,
      );
      assert.doesNotMatch(e.message, /secret/);
    } finally {
      await server.close();
    }
  });

  test("a closed port: DATABASE_UNREACHABLE; from RHYTHM_DATABASE_URL the hint names it", async () => {
    const port = await closedPort();
    const e = await refusal({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/shop` });
    assert.ok(e instanceof DatabaseUnreachableError);
    assert.equal(
      e.message,
      `nothing answers at 127.0.0.1:${port} — is Postgres running there? Start it, or fix the databaseUrl option`,
    );
    process.env.RHYTHM_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/shop`;
    try {
      const fromEnv = await refusal({});
      assert.equal(
        fromEnv.message,
        `nothing answers at 127.0.0.1:${port} — is Postgres running there? Start it, or fix RHYTHM_DATABASE_URL, or unset it to use the embedded PGlite in ./.rhythm`,
      );
    } finally {
      delete process.env.RHYTHM_DATABASE_URL;
    }
  });

  test("the CLI prints the error on one line, naming --database-url or RHYTHM_DATABASE_URL, and exits 1", async () => {
    const port = await closedPort();
    const url = `postgres://postgres@127.0.0.1:${port}/shop`;
    const r = rhythm(["list", "--database-url", url], project.dir);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `rhythm list: database ${url}\n` +
        `rhythm list: nothing answers at 127.0.0.1:${port} — is Postgres running there? Start it, or fix --database-url (DATABASE_UNREACHABLE)\n`,
    );
    const server = await refusingPostgres("3D000", 'database "shop" does not exist');
    try {
      const missing = await rhythmAsync(["migrate"], project.dir, {
        RHYTHM_DATABASE_URL: `postgres://postgres@127.0.0.1:${server.port}/shop`,
      });
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr,
        new RegExp(
          `^rhythm migrate: database "shop" does not exist on 127\\.0\\.0\\.1:${server.port} — create it \\(createdb -p ${server.port} shop\\) or fix RHYTHM_DATABASE_URL \\(DATABASE_NOT_FOUND\\)$`,
          "m",
        ),
      );
      // a worker waits for a server that does not answer yet, but not for one that refuses it
      const worker = await rhythmAsync(
        ["worker", "--database-url", `postgres://postgres@127.0.0.1:${server.port}/shop`],
        project.dir,
      );
      assert.equal(worker.code, 1, worker.stderr);
      assert.match(worker.stderr, /does not exist on .* or fix --database-url \(DATABASE_NOT_FOUND\)\n$/);
    } finally {
      await server.close();
    }
  });

  test("an empty RHYTHM_DATABASE_URL counts as unset: the embedded database is used", () => {
    const r = rhythm(["list", "--json"], project.dir, { RHYTHM_DATABASE_URL: "" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^rhythm list: database embedded PGlite in \.\/\.rhythm\/data$/m);
    assert.equal(r.stdout, "[]\n");
  });

  test("DATABASE_URL is not read; with the embedded database the CLI says how to use it", () => {
    const r = rhythm(["list", "--json"], project.dir, { DATABASE_URL: "postgres://app@127.0.0.1:1/app" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /^rhythm list: database embedded PGlite in \.\/\.rhythm\/data \(DATABASE_URL is set, but Rhythm reads RHYTHM_DATABASE_URL: export RHYTHM_DATABASE_URL=\$DATABASE_URL to use that database\)$/m,
    );
  });
});

if (await postgresAvailable())
  describe("on the Postgres server", () => {
    test("a database name the server does not have, and a role it does not know", async () => {
      const db = await postgresDatabase();
      try {
        const server = new URL(db.url!);
        const missing = new URL(server);
        missing.pathname = "/rhythm_no_such_database";
        const e = await refusal({ databaseUrl: missing.href });
        assert.ok(e instanceof DatabaseNotFoundError);
        assert.match(
          e.message,
          /^database "rhythm_no_such_database" does not exist on \S+ — create it \(createdb .*rhythm_no_such_database\)/,
        );
        const stranger = new URL(server);
        stranger.username = "rhythm_no_such_role";
        const refused = await refusal({ databaseUrl: stranger.href });
        assert.ok(refused instanceof DatabaseAuthError);
        assert.match(
          refused.message,
          /refused user "rhythm_no_such_role": role "rhythm_no_such_role" does not exist — check the user/,
        );
      } finally {
        await db.drop();
      }
    });
  });
