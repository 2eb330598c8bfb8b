// The embedded database belongs to one process: a second process opening the same folder is
// refused with a clear error instead of corrupting it; after the first closes, it opens.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openEmbedded } from "../../src/client/connection.js";
import { DatabaseInUseError } from "../../src/client/errors.js";

test("a second process cannot open the embedded database another process has open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-lock-"));
  const holder = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { openEmbedded } = await import(${JSON.stringify(new URL("../../src/client/connection.js", import.meta.url).href)});
       const d = await openEmbedded(${JSON.stringify(dir)});
       process.stdout.write("open\\n");
       process.stdin.on("data", async () => { await d.close(); process.exit(0); });`,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on("data", (b: Buffer) => b.toString().includes("open") && resolve());
      holder.on("exit", (code) => reject(new Error(`holder exited early (${code})`)));
    });
    await assert.rejects(
      openEmbedded(dir),
      (e: unknown) => e instanceof DatabaseInUseError && e.code === "DATABASE_IN_USE" && /rhythm dev/.test(e.message),
    );
    holder.stdin!.write("close\n");
    await new Promise((r) => holder.on("exit", r));
    const driver = await openEmbedded(dir);
    assert.deepEqual((await driver.query<{ one: number }>("select 1 as one", [])).rows, [{ one: 1 }]);
    await driver.close();
  } finally {
    holder.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
