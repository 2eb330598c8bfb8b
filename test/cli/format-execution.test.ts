// How `rhythm get` shows a workflow to a person: each await with its deadline, the timers and
// Signal.when timeouts with when they fire, the signals nothing has taken, and what it started.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatExecution } from "../../src/cli/format-execution.js";
import type { Execution } from "../../src/index.js";

const NOW = Date.parse("2026-01-01T00:00:00.000Z");

test("a suspended workflow: deadlines, timers, buffered signals, what it started", () => {
  const e: Execution = {
    id: "11111111-1111-4111-8111-111111111111",
    kind: "workflow",
    name: "approval",
    status: "suspended",
    inputs: {},
    output: null,
    error: null,
    queue: "default",
    priority: 0,
    attempt: 1,
    parentId: null,
    version: "abcdef0123456789",
    createdAt: "2025-12-31T23:00:00.000Z",
    startedAt: "2025-12-31T23:00:00.100Z",
    finishedAt: null,
    waitingOn: [{ description: 'signal "decision"', function: "main", line: 7, column: 20, until: "2026-01-03T12:30:00.000Z" }],
    timers: [{ kind: "signal-timeout", signal: "decision", firesAt: "2026-01-03T12:30:00.000Z" }],
    bufferedSignals: [{ name: "comment", payload: { text: "hi" }, sentAt: "2025-12-31T23:30:00.000Z" }],
    children: [
      {
        id: "22222222-2222-4222-8222-222222222222",
        kind: "task",
        name: "notify",
        status: "completed",
        createdAt: "2025-12-31T23:00:00.200Z",
        finishedAt: "2025-12-31T23:00:01.000Z",
      },
      {
        id: "33333333-3333-4333-8333-333333333333",
        kind: "task",
        name: "remind",
        status: "queued",
        createdAt: "2025-12-31T23:00:00.200Z",
        finishedAt: null,
        runAt: "2026-01-02T00:00:00.000Z",
      },
    ],
    childCount: 102,
  };
  const text = formatExecution(e, { now: NOW });
  const lines = text.split("\n");
  assert.ok(
    lines.includes('waiting on  signal "decision" at line 7:20 (in main), until 2026-01-03T12:30:00.000Z (in 2d 12h)'),
    text,
  );
  assert.ok(lines.includes('timers      Signal.when("decision") times out 2026-01-03T12:30:00.000Z (in 2d 12h)'), text);
  assert.ok(
    lines.includes('buffered    signal "comment" {"text":"hi"}, sent 2025-12-31T23:30:00.000Z, not taken by any wait yet'),
    text,
  );
  const started = text.slice(text.indexOf("\nstarted (102):\n") + 1).split("\n");
  assert.deepEqual(started, [
    "started (102):",
    "  ID                                    KIND  NAME    STATUS     DUE / FINISHED",
    "  22222222-2222-4222-8222-222222222222  task  notify  completed  2025-12-31T23:00:01.000Z",
    "  33333333-3333-4333-8333-333333333333  task  remind  queued     runs 2026-01-02T00:00:00.000Z (in 1d)",
    "  … and 100 more: rhythm list --parent 11111111-1111-4111-8111-111111111111",
  ]);
});
