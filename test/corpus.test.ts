// The language corpus: every program runs twice — straight, and in resume mode (at each
// suspension the state goes through JSON into a fresh machine) — and both must give exactly the
// expected status, output, error, logs and task calls. `check` programs must fail to load with
// the expected errors, and every other program must pass all of `rhythm check`'s checks (the
// standard library's use, and Workflow.run names in its folder).

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { describe, test } from "node:test";
import { folderCheckOptions } from "../src/client/flow-folder.js";
import { checkFlow } from "../src/lang/index.js";
import { runFlowFile, type RunFileResult } from "../src/testing/index.js";
import type { TaskMock } from "../src/testing/mocks.js";
import type { Limits } from "../src/vm/machine.js";
import { loadCorpus, type CorpusCase } from "./support/corpus.js";

const cases = loadCorpus();

function run(c: CorpusCase, resumeMode: boolean): Promise<RunFileResult> {
  const h = c.header;
  return runFlowFile(c.file, {
    inputs: h.inputs ?? {},
    tasks: h.mocks as Record<string, TaskMock> | undefined,
    signals: h.signals as [string, unknown][] | undefined,
    limits: h.limits as Partial<Limits> | undefined,
    resumeMode,
  });
}

function expectResult(c: CorpusCase, r: RunFileResult): void {
  const h = c.header;
  const expectedStatus = (h.status as string | undefined) ?? "completed";
  assert.equal(r.status, expectedStatus, `status (error: ${JSON.stringify(r.error)})`);
  if ("output" in h) assert.deepEqual(r.output, h.output, "output");
  if (h.error) {
    const want = h.error as Record<string, unknown>;
    const got = r.error as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) {
      if (k === "messageIncludes")
        assert.ok(
          String(got?.message).includes(String(v)),
          `message ${JSON.stringify(got?.message)} should include ${JSON.stringify(v)}`,
        );
      else assert.deepEqual(got?.[k], v, `error.${k}`);
    }
  }
  if (h.logs)
    assert.deepEqual(
      r.logs.filter((l) => l.source === "console").map((l) => l.message),
      h.logs,
      "logs",
    );
  if (h.taskCalls) assert.deepEqual(r.taskCalls, h.taskCalls, "taskCalls");
}

/** What `rhythm check` reports for the program, as "line:col message". */
function checked(c: CorpusCase): string[] {
  return checkFlow(c.source, c.file, folderCheckOptions(dirname(c.file))).map((e) => `${e.line}:${e.column} ${e.message}`);
}

function expectCheck(c: CorpusCase): void {
  const errors = checked(c);
  const want = c.header.check as string[];
  assert.equal(errors.length, want.length, `expected ${want.length} errors, got:\n${errors.join("\n")}`);
  want.forEach((w, i) => {
    const [pos, ...rest] = w.split(" ");
    const text = rest.join(" ");
    assert.ok(errors[i].startsWith(pos + " ") && errors[i].includes(text), `error ${i + 1}: expected "${w}", got "${errors[i]}"`);
  });
}

const areas = new Map<string, CorpusCase[]>();
for (const c of cases) {
  const area = c.name.split("/")[0];
  areas.set(area, [...(areas.get(area) ?? []), c]);
}

test("the corpus has at least 300 programs", () => {
  assert.ok(cases.length >= 300, `only ${cases.length} programs`);
});

for (const [area, list] of areas) {
  describe(`corpus: ${area}`, () => {
    for (const c of list) {
      if (c.header.check) {
        test(`${c.name} is rejected`, () => expectCheck(c));
        continue;
      }
      test(`${c.name} passes rhythm check`, () => assert.deepEqual(checked(c), []));
      test(`${c.name}`, async () => expectResult(c, await run(c, false)));
      test(`${c.name} (resume mode)`, async () => expectResult(c, await run(c, true)));
    }
  });
}
