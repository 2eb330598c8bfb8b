// The differential test: every corpus program that uses no handles, no clock and no randomness
// also runs as real JavaScript in Node; status, output, error name/message and logs must agree.
// A program opts out only with `//! differential: false` and a comment saying why.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runFlowFile } from "../src/testing/index.js";
import { loadCorpus, type CorpusCase } from "./support/corpus.js";
import { runAsJavaScript } from "./support/js-oracle.js";

const HOST_ONLY = /\b(Task|Workflow|Timer|Signal|Context)\b|Date\.now|Math\.random/;

export function isDifferential(c: CorpusCase): boolean {
  const h = c.header;
  if (h.check || h.differential === false || h.mocks || h.signals || h.limits) return false;
  return !HOST_ONLY.test(c.source.replace(/^\/\/.*$/gm, ""));
}

const cases = loadCorpus().filter(isDifferential);

describe("differential: corpus programs agree with Node", () => {
  test("covers at least 150 programs", () => {
    assert.ok(cases.length >= 150, `only ${cases.length} differential programs`);
  });
  for (const c of cases) {
    test(c.name, async () => {
      const inputs = c.header.inputs ?? {};
      const ours = await runFlowFile(c.file, { inputs });
      const node = await runAsJavaScript(c.source, c.file, inputs);
      assert.equal(ours.status, node.status, `status (ours: ${JSON.stringify(ours.error)}, node: ${JSON.stringify(node.error)})`);
      if (node.status === "completed") assert.deepEqual(ours.output, node.output, "output");
      else {
        const e = ours.error as { name?: string; message?: string };
        assert.equal(e.name, node.error!.name, "error name");
        assert.equal(e.message, node.error!.message, "error message");
      }
      assert.deepEqual(
        ours.logs.filter((l) => l.source === "console").map((l) => l.message),
        node.logs,
        "logs",
      );
    });
  }
});
