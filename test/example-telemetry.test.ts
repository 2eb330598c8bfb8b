// examples/telemetry runs: the OpenTelemetry SDK's console exporters print the run's spans, all of
// one trace (the application's span, the start span, the activations of both workflows, both task
// attempts and the handler's own span), and the metrics at shutdown. On the test Postgres server
// when there is one, else on the embedded database in a temporary folder.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { test } from "node:test";
import { backends } from "./support/database.js";

const MAIN = fileURLToPath(new URL("../examples/telemetry/main.js", import.meta.url));

test("the telemetry example prints one trace and the metrics", async () => {
  const backend = (await backends())[0];
  const db = backend.kind === "postgres" ? await backend.open() : null;
  const cwd = mkdtempSync(join(tmpdir(), "rhythm-telemetry-example-"));
  try {
    const env = { ...process.env, RHYTHM_DATABASE_URL: db?.url ?? "" };
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN], { cwd, env, timeout: 60_000, maxBuffer: 1 << 24 });
    assert.match(stdout, /completed: \{"charge":"ch-o-7","tracking":"TRK-o-7"\}/);
    for (const name of [
      "handle checkout request",
      "start checkout",
      "activate checkout",
      "task charge-card",
      "call payment provider",
      "activate ship",
      "task print-label",
    ])
      assert.ok(stdout.includes(`name: '${name}'`), `span ${name}`);
    const traces = new Set([...stdout.matchAll(/traceId: '([0-9a-f]{32})'/g)].map((m) => m[1]));
    assert.equal(traces.size, 1, [...traces].join());
    for (const metric of ["rhythm.executions.started", "rhythm.executions.finished", "rhythm.task.attempt.duration"])
      assert.ok(stdout.includes(`name: '${metric}'`), `metric ${metric}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
    await db?.drop();
  }
});
