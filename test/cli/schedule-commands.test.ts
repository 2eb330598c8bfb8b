// `rhythm schedule …` and `rhythm prune` through the built CLI, as a user runs them: on a
// Postgres server when one answers, and on the embedded PGlite of a project folder.

import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { planWorker } from "../../src/cli/worker-runtime.js";
import { postgresAvailable, postgresDatabase, type TestDatabase } from "../support/database.js";
import { jsonDocument, rhythm, tempFolder, type CliResult } from "./cli-process.js";

const FILES = { "workflows/nightly.flow": "return Inputs.a;\n" };

function ok(r: CliResult, code = 0): CliResult {
  assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}
const json = <T = Record<string, unknown>>(r: CliResult): T => jsonDocument(ok(r).stdout) as T;

/** Every command on Postgres; on the embedded PGlite (seconds to open per command) the few that show it works there. */
const targets: { kind: string; env: () => Promise<Record<string, string>>; full: boolean }[] = [];
let db: TestDatabase | null = null;
if (await postgresAvailable())
  targets.push({
    kind: "postgres",
    env: async () => ({ RHYTHM_DATABASE_URL: (db ??= await postgresDatabase()).url! }),
    full: true,
  });
targets.push({ kind: "pglite", env: async () => ({}), full: false });

after(async () => {
  await db?.drop();
});

for (const target of targets) {
  describe(`rhythm schedule and prune on ${target.kind}`, () => {
    const project = tempFolder(FILES);
    after(() => project.remove());

    test("set, list, pause, resume, trigger, delete; prune what finished", async () => {
      const env = await target.env();
      const run = (...args: string[]) => rhythm(args, project.dir, env);
      ok(run("deploy"));
      const set = json<{ name: string; workflow: string; nextFireAt: string; inputs: unknown; overlap: string; catchup: string }>(
        run(
          "schedule",
          "set",
          "nightly",
          "--cron",
          "0 3 * * *",
          "--workflow",
          "nightly",
          "--timezone",
          "America/New_York",
          "--inputs",
          '{"a":1}',
          "--catchup",
          "none",
          "--json",
        ),
      );
      assert.equal(set.workflow, "nightly");
      assert.deepEqual(set.inputs, { a: 1 });
      assert.equal(set.catchup, "none");
      assert.equal(set.overlap, "skip");
      // 03:00 in New York: 07:00 or 08:00 UTC
      assert.match(set.nextFireAt, /T0[78]:00:00\.000Z$/);
      if (!target.full) {
        assert.equal(json<{ nextFireAt: string }[]>(run("schedule", "list", "--json"))[0].nextFireAt, set.nextFireAt);
        return;
      }
      assert.equal(run("schedule", "set", "bad", "--cron", "nope", "--task", "t").code, 2);
      assert.equal(run("schedule", "set", "bad", "--cron", "* * * * *").code, 2);
      assert.match(
        ok(run("schedule", "set", "bad", "--cron", "* * * * *", "--workflow", "missing"), 1).stderr,
        /WORKFLOW_NOT_FOUND/,
      );
      const list = json<{ name: string; nextFireAt: string }[]>(run("schedule", "list", "--json"));
      assert.deepEqual(
        list.map((s) => [s.name, s.nextFireAt]),
        [["nightly", set.nextFireAt]],
      );
      ok(run("schedule", "pause", "nightly"));
      assert.match(
        ok(run("schedule", "list")).stdout,
        /nightly\s+0 3 \* \* \*\s+America\/New_York\s+workflow nightly\s+skip\s+none\s+paused/,
      );
      assert.equal(json<{ paused: boolean }>(run("schedule", "resume", "nightly", "--json")).paused, false);
      const { id } = json<{ id: string }>(run("schedule", "trigger", "nightly", "--json"));
      const started = json<{ scheduleName: string; status: string; inputs: unknown }>(run("get", id, "--json"));
      assert.equal(started.scheduleName, "nightly");
      assert.deepEqual(started.inputs, { a: 1 });
      ok(run("schedule", "delete", "nightly"));
      assert.match(ok(run("schedule", "delete", "nightly"), 1).stderr, /SCHEDULE_NOT_FOUND/);
      assert.match(ok(run("schedule", "list")).stdout, /no schedules/);

      // the triggered execution, cancelled, is finished: prune counts it, then deletes it
      ok(run("cancel", id));
      assert.equal(run("prune").code, 2);
      assert.deepEqual(json(run("prune", "--older-than", "1h", "--json")), {
        deleted: 0,
        byStatus: { completed: 0, failed: 0, cancelled: 0 },
        dryRun: false,
      });
      assert.match(ok(run("prune", "--older-than", "0", "--status", "cancelled", "--dry-run")).stdout, /would delete 1 /);
      assert.equal(json<{ deleted: number }>(run("prune", "--older-than", "0s", "--json")).deleted, 1);
      ok(run("get", id), 1);
    });
  });
}

test("rhythm worker --retention: status=age pairs, a bad one refused", async () => {
  const plan = await planWorker({ retention: "completed=7d, failed=30" });
  assert.deepEqual(plan.options.retention, { completed: "7d", failed: 30 });
  assert.equal((await planWorker({})).options.retention, undefined);
  for (const bad of ["running=1d", "completed", "completed=soon", "completed=1d,"])
    await assert.rejects(planWorker({ retention: bad }), /--retention/, bad);
});
