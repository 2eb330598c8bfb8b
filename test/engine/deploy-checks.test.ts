// Deploy (and so worker and dev, which deploy their folder at start) refuses a folder with a file
// that `rhythm check` rejects for what is known before running: an unknown member of a built-in,
// a literal argument the call would refuse, a literal Workflow.run of a name with no .flow in the
// folder nor stored already. Nothing is stored then; the same folder fixed deploys, and a child
// deployed from another folder may be started by name.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FlowLoadError } from "../../src/lang/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";

const PARENT = `
const shipped = await Workflow.run("shipp", { id: Inputs.id })
await Timer.delay("1 h")
return await Task.rn("notify", shipped)
`;

const FIXED = `
const shipped = await Workflow.run("ship", { id: Inputs.id })
await Timer.delay("1h")
return await Task.run("notify", shipped)
`;

const [backend] = (await backends()).filter((b) => b.kind === "pglite");

describe(`deploy checks what is known before running (${backend.kind})`, () => {
  let db: TestDatabase;
  let f: EngineFixture;

  before(async () => {
    db = await backend.open();
    f = await engine(db, { parent: PARENT, ship: "return Inputs.id\n" });
  });
  after(async () => {
    await f.close();
    await db.drop();
  });

  test("a folder with such a file is refused with file:line:col messages, and nothing is stored", async () => {
    await assert.rejects(f.rhythm.deploy(), (e: unknown) => {
      assert.ok(e instanceof FlowLoadError);
      const file = `${f.dir}/parent.flow`;
      assert.deepEqual(
        e.errors.map((x) => x.format()),
        [
          `${file}:2:36 unknown workflow "shipp": there is no shipp.flow in ${f.dir}/ and no workflow of that name is stored; did you mean "ship"?`,
          `${file}:3:19 Timer.delay: the duration must be a duration such as 30 (seconds), "500ms", "10s", "5m", "24h", "7d" or "1h30m", got "1 h"`,
          `${file}:4:19 unknown member \`Task.rn\`; did you mean \`Task.run\`?`,
        ],
      );
      return true;
    });
    await assert.rejects(f.rhythm.startWorkflow("ship", { id: 1 }), /no workflow named "ship" is stored/);
  });

  test("fixed, the folder deploys", async () => {
    f.write("parent", FIXED);
    const stored = await f.rhythm.deploy();
    assert.deepEqual(stored.map((s) => s.name).sort(), ["parent", "ship"]);
  });

  test("a Workflow.run of a workflow stored from another folder deploys; one stored nowhere does not", async () => {
    const other = mkdtempSync(join(tmpdir(), "rhythm-deploy-"));
    try {
      writeFileSync(join(other, "caller.flow"), 'return await Workflow.run("ship", { id: 2 })\n');
      assert.deepEqual(
        (await f.rhythm.deploy(other)).map((s) => s.name),
        ["caller"],
      );
      writeFileSync(join(other, "caller.flow"), 'return await Workflow.run("refund", { id: 2 })\n');
      await assert.rejects(f.rhythm.deploy(other), (e: unknown) => {
        assert.ok(e instanceof FlowLoadError);
        assert.deepEqual(
          e.errors.map((x) => x.message),
          [`unknown workflow "refund": there is no refund.flow in ${other}/ and no workflow of that name is stored`],
        );
        return true;
      });
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
