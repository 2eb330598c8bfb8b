// A worker's onEvent: what the workflows it runs do, reported once per committed activation —
// started, console lines, suspended on what and where, completed, failed and where — whether an
// activation ran after a claim or inside the step that completed its task.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Rhythm, WorkflowEvent } from "../../src/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until } from "./support/until.js";

const FLOWS = {
  doubler: `console.log("hello", Inputs.n);
const doubled = await Task.run("double", { n: Inputs.n });
const extra = await Signal.next("go");
return doubled + extra;
`,
  oops: `console.warn("about to fail");
const x = null;
return x.y;
`,
};

/** An event without its ids, for comparing sequences. */
function shape(e: WorkflowEvent): unknown[] {
  switch (e.type) {
    case "started":
      return [e.type];
    case "log":
      return [e.type, e.level, e.message, e.line];
    case "suspended":
      return [e.type, e.waits.map((w) => `${w.description} ${w.line}:${w.column} ${w.function}`)];
    case "completed":
      return [e.type, e.output];
    case "failed":
      return [e.type, (e.error as { type?: string }).type, e.errorAt];
  }
}

for (const backend of await backends()) {
  describe(`worker events on ${backend.kind}`, () => {
    let db: TestDatabase;
    let f: EngineFixture;
    let rhythm: Rhythm;
    const events: WorkflowEvent[] = [];
    const of = (id: string) => events.filter((e) => e.executionId === id);

    before(async () => {
      db = await backend.open();
      f = await engine(db, FLOWS);
      rhythm = f.rhythm;
      rhythm.task("double", async (i: { n: number }) => i.n * 2);
      await rhythm.worker({ pollIntervalMs: 100, onEvent: (e) => events.push(e) }).start();
    });
    after(async () => {
      await f.close();
      await db.drop();
    });

    test("started, its console lines, each suspension with its line, then completed: once each", async () => {
      const id = await rhythm.startWorkflow("doubler", { n: 21 });
      await until("the workflow to wait for its signal", () =>
        of(id).some((e) => e.type === "suspended" && e.waits[0].description === 'signal "go"'),
      );
      await rhythm.signal(id, "go", 0.5);
      await rhythm.wait(id, { timeout: "20s" });
      await until("the completion to be told", () => of(id).some((e) => e.type === "completed"));
      assert.deepEqual(of(id).map(shape), [
        ["started"],
        ["log", "log", "hello 21", 1],
        ["suspended", ['task "double" 2:17 main']],
        ["suspended", ['signal "go" 3:15 main']],
        ["completed", 42.5],
      ]);
      const first = of(id)[0];
      assert.equal(first.workflow, "doubler");
      assert.equal(first.file.endsWith("doubler.flow"), true, first.file);
      assert.equal(first.version.length, 64);
    });

    test("a failure says where it was thrown", async () => {
      const id = await rhythm.startWorkflow("oops", {});
      await rhythm.wait(id, { timeout: "20s" });
      await until("the failure to be told", () => of(id).some((e) => e.type === "failed"));
      const [started, log, failed] = of(id);
      assert.deepEqual([started, log].map(shape), [["started"], ["log", "warn", "about to fail", 1]]);
      assert.equal(failed.type, "failed");
      assert.deepEqual(shape(failed).slice(0, 2), ["failed", "TypeError"]);
      assert.match((failed as { errorAt: string }).errorAt, /oops\.flow:3:\d+ \(main\)$/);
    });
  });
}
