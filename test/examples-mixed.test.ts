// The mixed example (examples/mixed) as its README runs it: `rhythm dev` (the embedded database,
// the TypeScript task) and the Python worker (found through ./.rhythm/dev.json), then
// `rhythm start --wait`. And in memory with its mocks, like the other examples.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { after, describe, test } from "node:test";
import { runFlowFile, type TaskMock } from "../src/testing/index.js";
import { background } from "./cli/background.js";
import { jsonDocument, rhythmAsync, tempFolder } from "./cli/cli-process.js";
import { exited, pythonMissing, pythonWorker } from "./python/support/python.js";

const EXAMPLE = resolve("examples/mixed");

test("mixed example: in memory with its mocks", async () => {
  const r = await runFlowFile(`${EXAMPLE}/workflows/review_order.flow`, {
    inputs: { orderId: "o-1", email: "ada@example.com", items: ["book", "lamp"] },
    tasks: JSON.parse(readFileSync(`${EXAMPLE}/mocks.json`, "utf8")) as Record<string, TaskMock>,
  });
  assert.deepEqual(r.output, { orderId: "o-1", status: "accepted", totalCents: 5700, score: 0 });
});

if ((await pythonMissing(false)) === null) {
  describe("mixed example: rhythm dev and the Python worker", () => {
    const folder = tempFolder();
    after(() => folder.remove());

    test("runs the TypeScript and the Python task of one workflow", async () => {
      const dev = background(["dev", "--workflows", `${EXAMPLE}/workflows`, "--tasks", `${EXAMPLE}/tasks.ts`], folder.dir);
      let py: ReturnType<typeof pythonWorker> | null = null;
      try {
        await dev.waitFor(/served at postgres:/, 30_000);
        py = pythonWorker(["--tasks", `${EXAMPLE}/fraud_tasks.py`, "--queues", "py"], {}, folder.dir);
        const start = (inputs: unknown) =>
          rhythmAsync(
            ["start", "review_order", "--inputs", JSON.stringify(inputs), "--wait", "--timeout", "60", "--json"],
            folder.dir,
          );
        const accepted = await start({ orderId: "o-1", email: "ada@example.com", items: ["book", "lamp"] });
        assert.equal(accepted.code, 0, accepted.stderr + py.log());
        const a = jsonDocument(accepted.stdout) as { status: string; output: unknown };
        assert.equal(a.status, "completed");
        assert.deepEqual(a.output, { orderId: "o-1", status: "accepted", totalCents: 5700, score: 0 });
        const held = jsonDocument(
          (await start({ orderId: "o-2", email: "x@example.invalid", items: ["chair", "lamp"] })).stdout,
        ) as {
          output: unknown;
        };
        assert.deepEqual(held.output, { orderId: "o-2", status: "held", reasons: ["disposable email", "large order"] });
      } finally {
        py?.kill("SIGTERM");
        const code = py && (await exited(py));
        assert.equal(await dev.stop(), 0);
        if (py) assert.equal(code, 0, py.log());
      }
    });
  });
}
