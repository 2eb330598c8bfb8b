// The examples keep working: each runs in memory with its mocks and gives the documented result,
// and each loads under every check of `rhythm check` and deploy.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { folderCheckOptions } from "../src/client/flow-folder.js";
import { checkFlow } from "../src/lang/index.js";
import { runFlowFile, type TaskMock } from "../src/testing/index.js";
// the onboarding example's own tests, which the README shows
import "../examples/onboarding/onboard_user.test.js";

const mocks = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, TaskMock>;
const order = { orderId: "o-1", totalCents: 4200, items: ["book"], address: "Main St" };
const expense = { employee: "e", manager: "m", director: "d", cents: 50000 };

test("onboarding: verified users get three projects", async () => {
  const r = await runFlowFile("examples/onboarding/workflows/onboard_user.flow", {
    inputs: { email: "ada@example.com", name: "Ada" },
    tasks: mocks("examples/onboarding/mocks.json"),
    signals: [["email-verified", { ok: true }]],
  });
  assert.deepEqual(r.output, { userId: "user-42", status: "active", projects: ["p-1", "p-2", "p-3"] });
});

test("onboarding: without the signal, the 3-day timeout sends a reminder", async () => {
  const r = await runFlowFile("examples/onboarding/workflows/onboard_user.flow", {
    inputs: { email: "ada@example.com", name: "Ada" },
    tasks: mocks("examples/onboarding/mocks.json"),
  });
  assert.deepEqual(r.output, { userId: "user-42", status: "unverified" });
  assert.deepEqual(r.taskCalls.at(-1), { name: "send-email", inputs: { to: "ada@example.com", template: "reminder" } });
});

test("order fulfilment: ships from every warehouse through child workflows", async () => {
  const r = await runFlowFile("examples/order-fulfilment/workflows/fulfil_order.flow", {
    inputs: order,
    tasks: mocks("examples/order-fulfilment/mocks.json"),
  });
  assert.deepEqual(r.output, { status: "shipped", tracking: ["TRK-1", "TRK-2"] });
});

test("order fulfilment: a failed child runs the compensations in reverse", async () => {
  const r = await runFlowFile("examples/order-fulfilment/workflows/fulfil_order.flow", {
    inputs: order,
    tasks: mocks("examples/order-fulfilment/mocks-courier-fails.json"),
  });
  assert.deepEqual(r.output, { status: "cancelled", reason: 'workflow "ship_package" failed: no courier available' });
  assert.deepEqual(
    r.taskCalls.slice(-2).map((c) => c.name),
    ["release-stock", "refund-card"],
  );
});

test("approval: a manager's decision, or escalation and rejection after 7 days", async () => {
  const file = "examples/approval/workflows/expense_approval.flow";
  const tasks = mocks("examples/approval/mocks.json");
  const decided = await runFlowFile(file, { inputs: expense, tasks, signals: [["decision", { approved: true, by: "manager" }]] });
  assert.deepEqual(decided.output, { id: "exp-7", approved: true, by: "manager" });
  const ignored = await runFlowFile(file, { inputs: expense, tasks });
  assert.deepEqual(ignored.output, { id: "exp-7", approved: false, by: "timeout" });
  assert.deepEqual(
    ignored.taskCalls.map((c) => (c.inputs as { to?: string }).to ?? c.name),
    ["record-expense", "m", "d", "e"],
  );
});

test("fan-out: batches of tasks, failures collected", async () => {
  const r = await runFlowFile("examples/fan-out/workflows/resize_images.flow", {
    inputs: { images: ["a", "b", "c"], batch: 2 },
    tasks: mocks("examples/fan-out/mocks.json"),
  });
  assert.deepEqual(r.output, {
    results: [
      { url: "a", thumbnail: "t1.jpg" },
      { url: "c", thumbnail: "t3.jpg" },
    ],
    failed: ["b"],
  });
});

test("every example workflow passes rhythm check's checks (its children are in its folder)", () => {
  const folders = readdirSync("examples", { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join("examples", e.name, "workflows"));
  let files = 0;
  for (const dir of folders) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".flow"))) {
      const path = join(dir, file);
      files++;
      assert.deepEqual(checkFlow(readFileSync(path, "utf8"), path, folderCheckOptions(dir)).map(String), [], path);
    }
  }
  assert.ok(files >= 4, `only ${files} example workflows`);
});
