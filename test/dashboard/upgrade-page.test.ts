// The execution page's Upgrade action in headless Chromium, against a real worker and database: a
// run paused on v1, v2 deployed; the page shows the dry run first (from which await to which, the
// variables kept, added and dropped), the confirm moves it, the page shows the new version and the
// run finishes on v2's code. A run whose await has no counterpart shows the exact reason, offers no
// confirm, and keeps its version and state; another site cannot post the upgrade. Values holding
// HTML stay text.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import type { Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { chromiumPath, CHROMIUM_ARGS } from "../support/chromium.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { until, untilStatus } from "../engine/support/until.js";

const V1 = `const order = Inputs.order;
const notes = ["<b>received</b>"];
const go = await Signal.next("go");
return { order, go, notes, v: 1 };
`;
// a statement before the await, one variable gone, one new after it
const V2 = `const order = Inputs.order;
console.log("v2 here");
console.log("still v2");
const go = await Signal.next("go");
const stamp = "v2";
return { order, go, stamp, v: 2 };
`;
const STUCK_V1 = `const a = 1;
const go = await Signal.next("go");
return a;
`;
// the awaited expression changed: no counterpart, so it cannot move
const STUCK_V2 = `const a = 1;
const go = await Signal.next("proceed");
return a + 1;
`;

const [backend] = await backends();

describe("the Upgrade action in Chromium", () => {
  let db: TestDatabase;
  let f: EngineFixture;
  let rhythm: Rhythm;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    const executablePath = chromiumPath();
    db = await backend.open();
    f = await engine(db, { order: V1, stuck: STUCK_V1 });
    rhythm = f.rhythm;
    await rhythm.worker({ pollIntervalMs: 50 }).start();
    server = await startServer(rhythm, { port: 0, token: null });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await f?.close();
    await db?.drop();
  });

  const deploy = async (name: string, source: string) => {
    f.write(name, source);
    return (await rhythm.deploy(f.dir)).find((d) => d.name === name)!.version;
  };
  const pausedAt = async (name: string, line: number, inputs: unknown = {}) => {
    const id = await rhythm.startWorkflow(name, inputs);
    await until("the run to pause", async () => (await rhythm.inspect(id).catch(() => null))?.stack[0].line === line);
    return id;
  };
  async function open(path: string): Promise<{ page: Page; dialogs: string[]; violations: string[] }> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(30_000);
    const dialogs: string[] = [];
    const violations: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(new URL(path, server.url).href);
    return { page, dialogs, violations };
  }

  test("the dry run shows the mapping; the confirm moves the run and it finishes on v2", async () => {
    const id = await pausedAt("order", 3, { order: "<img src=x onerror=\"window.__xss='img'\">" });
    const v1 = (await rhythm.get(id))!.version!;
    const v2 = await deploy("order", V2);
    const { page, dialogs, violations } = await open(`/executions/${id}`);
    try {
      await page.locator(".source tr.line-paused").waitFor();
      await page.evaluate("window.__sameDocument = true");
      await page.getByRole("button", { name: "Upgrade", exact: true }).click();
      // the dry run, before anything moves
      const mapping = page.locator(".upgrade-mapping");
      await mapping.waitFor();
      const row = async (label: string) =>
        (await mapping
          .locator("tr", { has: page.locator(`th:text-is("${label}")`) })
          .locator("td")
          .textContent()) ?? "";
      assert.match(await row("Paused at"), /^line 3: await Signal\.next\("go"\) \(/);
      assert.ok((await row("Paused at")).includes(v1.slice(0, 10)));
      assert.match(await row("Continues at"), /^line 4: await Signal\.next\("go"\) \(/);
      assert.ok((await row("Continues at")).includes(v2.slice(0, 10)));
      assert.equal(await row("Kept"), "order, go");
      assert.equal(await row("Added"), "stamp");
      assert.equal(await row("Dropped"), "notes");
      assert.equal((await rhythm.get(id))!.version, v1, "the dry run moved nothing");
      // the versions offered: latest, and each stored one
      const options = await page.locator(".upgrade-form select option").allTextContents();
      assert.equal(options.length, 3);
      assert.ok(options[0].startsWith(`latest (${v2.slice(0, 10)})`));
      assert.ok(options.some((o) => o.includes(v1.slice(0, 10)) && o.includes("(current)")));

      await page.getByRole("button", { name: `Upgrade to ${v2.slice(0, 10)}` }).click();
      await page.getByText(`Upgraded to ${v2.slice(0, 10)}: continues at line 4`).waitFor();
      // the page shows the new version without a reload
      await page.locator(`.source-panel a:text-is("order.flow @ ${v2.slice(0, 10)}")`).waitFor();
      await page.locator('.exec-title .badge[data-status="suspended"]').waitFor();
      assert.equal(await page.evaluate("window.__sameDocument"), true, "no reload");
      assert.equal((await rhythm.get(id))!.version, v2);

      await rhythm.signal(id, "go", "yes");
      const done = await untilStatus(rhythm, id, "completed");
      assert.deepEqual(done.output, { order: "<img src=x onerror=\"window.__xss='img'\">", go: "yes", stamp: "v2", v: 2 });
      await page.locator('.exec-title .badge[data-status="completed"]').waitFor();
      assert.equal(await page.evaluate("window.__xss"), undefined);
      assert.deepEqual(dialogs, []);
      assert.deepEqual(violations, []);
    } finally {
      await page.context().close();
    }
  });

  test("a run that cannot move shows the reason, offers no confirm, and stays as it was", async () => {
    const id = await pausedAt("stuck", 2);
    const before = await rhythm.get(id);
    const stateBefore = await rhythm.inspect(id);
    const v2 = await deploy("stuck", STUCK_V2);
    const { page, violations } = await open(`/executions/${id}`);
    try {
      await page.locator(".source tr.line-paused").waitFor();
      await page.getByRole("button", { name: "Upgrade", exact: true }).click();
      const reason = page.locator(".upgrade-reason");
      await reason.waitFor();
      const expected = (await rhythm.upgrade(id, { to: v2, dryRun: true })).reason!;
      assert.ok(expected.length > 0);
      assert.equal(await reason.textContent(), expected);
      assert.match(expected, /no counterpart: no top-level await of `Signal.next\("go"\)`/);
      assert.equal(await page.locator(".upgrade-mapping").count(), 0);
      assert.equal(await page.locator(".upgrade-form button.primary").isDisabled(), true);
      // the current version as the target: refused too, with its own reason
      await page.locator(".upgrade-form select").selectOption(before!.version!);
      await page.locator(".upgrade-reason", { hasText: "it already runs that version" }).waitFor();

      // the upgrade route is guarded like the other actions: another site's script or form is refused
      const upgradeUrl = new URL(`/api/v1/executions/${id}/upgrade`, server.url).href;
      const body = JSON.stringify({ to: v2 });
      const crossSite = await fetch(upgradeUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: "https://evil.example" },
        body,
      });
      assert.equal(crossSite.status, 403);
      const form = await fetch(upgradeUrl, { method: "POST", headers: { "Content-Type": "text/plain" }, body });
      assert.equal(form.status, 415);

      const after = await rhythm.get(id);
      assert.deepEqual([after!.version, after!.status], [before!.version, "suspended"]);
      assert.deepEqual(await rhythm.inspect(id), stateBefore);
      assert.deepEqual(violations, []);
    } finally {
      await page.context().close();
    }
  });
});
