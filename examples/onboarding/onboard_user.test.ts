// Tests of the onboarding workflow that run in memory: mocked tasks, virtual time (the 3-day
// timeout takes no time), no database. `node --test` runs them; so does Rhythm's own suite.

import assert from "node:assert/strict";
import { test } from "node:test";
import { runFlowFile } from "rhythm-flow/testing";

const file = "examples/onboarding/workflows/onboard_user.flow";
const inputs = { email: "ada@example.com", name: "Ada" };

test("a verified user gets three projects", async () => {
  const result = await runFlowFile(file, {
    inputs,
    tasks: {
      "create-account": { returns: { id: "u1" } }, // a mock: returns, fails, echo, or a list of those
      "send-email": { returns: { sent: true } },
      "create-project": async (project) => ({ id: `p-${(project as { kind: string }).kind}` }), // or a function
    },
    signals: [["email-verified", { ok: true }]], // waiting in the workflow's buffer when it starts
  });
  assert.equal(result.status, "completed");
  assert.deepEqual(result.output, { userId: "u1", status: "active", projects: ["p-inbox", "p-notes", "p-archive"] });
});

test("without the signal, the timeout sends a reminder", async () => {
  const tasks = { "create-account": { returns: { id: "u1" } }, "send-email": { returns: { sent: true } } };
  const result = await runFlowFile(file, { inputs, tasks });
  assert.deepEqual(result.output, { userId: "u1", status: "unverified" });
  assert.deepEqual(
    result.taskCalls.map((call) => call.name),
    ["create-account", "send-email", "send-email"],
  );
});
