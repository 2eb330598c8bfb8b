// The dashboard's Schedules page in headless Chromium: a schedule shows its cron, zone, what it
// starts and its next tick; Pause turns the next tick into "paused" and Resume back; Run now
// starts an execution of the schedule and opens its page. Nothing breaks the CSP.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser } from "playwright-core";
import type { Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { chromiumPath, CHROMIUM_ARGS } from "../support/chromium.js";
import { engine, type EngineFixture } from "../support/engine.js";

const [backend] = await backends();

describe("the Schedules page in Chromium", () => {
  let db: TestDatabase;
  let f: EngineFixture;
  let rhythm: Rhythm;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    const executablePath = chromiumPath();
    db = await backend.open();
    f = await engine(db, { report: "return 1;\n" });
    rhythm = f.rhythm;
    await rhythm.deploy(f.dir);
    server = await startServer(rhythm, { port: 0, token: null });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await f?.close();
    await db?.drop();
  });

  test("lists a schedule; pause, resume and run now from the page", async () => {
    await rhythm.schedule("nightly", { cron: "0 3 * * *", timezone: "Asia/Tokyo", workflow: "report" });
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(30_000);
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(new URL("/schedules", server.url).href);
    const row = page.locator("table.schedules tbody tr", { hasText: "nightly" });
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    assert.match(text, /0 3 \* \* \*/);
    assert.match(text, /Asia\/Tokyo/);
    assert.match(text, /report/);
    assert.match(text, /in \d/);
    await row.getByRole("button", { name: "Pause" }).click();
    await row.locator(".tag", { hasText: "paused" }).waitFor();
    assert.equal((await rhythm.getSchedule("nightly"))!.paused, true);
    await row.getByRole("button", { name: "Resume" }).click();
    await row.getByRole("button", { name: "Pause" }).waitFor();
    assert.equal((await rhythm.getSchedule("nightly"))!.paused, false);
    await row.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").pop()!;
    assert.equal((await rhythm.get(id))!.scheduleName, "nightly");
    assert.deepEqual(violations, []);
  });
});
