// The Python package's own suite (python/tests, pytest against Postgres: a schema per test),
// run from `npm test` with Debian's /usr/bin/python3.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { PYTHON, PYTHON_PACKAGE, pythonMissing } from "./support/python.js";

if ((await pythonMissing()) === null) {
  test("the rhythm_flow pytest suite passes", async () => {
    const child = spawn(PYTHON, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], {
      cwd: PYTHON_PACKAGE,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /\d+ passed/);
  });
}
