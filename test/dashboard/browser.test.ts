// The dashboard in headless Chromium (playwright-core driving the machine's /usr/bin/chromium)
// against a real worker and database: a suspended run shows its paused line and its variables; a signal sent from
// the page resumes it; changes arrive without a reload; cancel works from the page; values that
// hold HTML stay text everywhere (inputs, variables, logs, errors, queue and signal names,
// source) with no dialog and no injected element; nothing breaks the Content-Security-Policy.
// A machine without Chromium fails here with the command that installs it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { NonRetryableError, type Rhythm } from "../../src/index.js";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { backends, type TestDatabase } from "../support/database.js";
import { chromiumPath, CHROMIUM_ARGS } from "../support/chromium.js";
import { engine, type EngineFixture } from "../support/engine.js";
import { untilStatus } from "../engine/support/until.js";

/** Each part tries another way out of text: a tag with a handler, a script, an attribute break. */
const XSS = `<img src=x onerror="window.__xss='img'"><script>window.__xss='script'</script>"'><svg onload="window.__xss='svg'">`;

const FLOWS = {
  approval: `const order = { id: Inputs.orderId, total: Inputs.total };
const notes = ["received"];
console.log("waiting for approval of " + order.id);
const decision = await Signal.next("approval");
notes.push("decided");
return { order: order.id, approved: decision.approved, notes };
`,
  hostile: `// a string in the source: "<img src=x onerror=alert(1)>"
const evil = Inputs.payload;
const nested = { html: evil, list: [evil] };
console.log(evil);
try {
  await Task.run("explode", { html: evil });
} catch (e) {
  console.log("caught " + e.message);
}
// a computed name: any signal name is taken into the buffer
await Signal.next(Inputs.wait);
`,
  fails: `throw Error(Inputs.payload);`,
  versioned: `return "first";
`,
};

const TIMEOUT = 30_000;

const [backend] = await backends();

describe("the dashboard in Chromium", () => {
  let db: TestDatabase;
  let f: EngineFixture;
  let rhythm: Rhythm;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    // fails loudly (with the install command) where there is no Chromium
    const executablePath = chromiumPath();
    db = await backend.open();
    f = await engine(db, FLOWS);
    rhythm = f.rhythm;
    rhythm.task("explode", async (i: { html: string }) => {
      throw new NonRetryableError(i.html);
    });
    let flaky = 0;
    rhythm.task("flaky", async () => {
      if (++flaky === 1) throw new NonRetryableError("the first attempt fails");
      return "second time";
    });
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

  /** A fresh page that records dialogs and CSP violations. */
  async function open(path: string): Promise<{ page: Page; dialogs: string[]; violations: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
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

  test("a suspended run shows the line it is paused on, why, and its variables", async () => {
    const id = await rhythm.startWorkflow("approval", { orderId: "A-7", total: 42 });
    await untilStatus(rhythm, id, "suspended");
    const { page, violations } = await open(`/executions/${id}`);
    try {
      const paused = page.locator(".source tr.line-paused");
      await paused.waitFor();
      assert.equal(await paused.getAttribute("data-line"), "4");
      assert.match((await paused.textContent()) ?? "", /await Signal\.next\("approval"\)/);
      assert.match((await page.locator(".notice-paused").textContent()) ?? "", /Paused at line 4: signal "approval"/);
      assert.match((await page.locator(".logs").textContent()) ?? "", /waiting for approval of A-7/);
      // the variables, read from the saved state, beside it
      const variable = (name: string) => page.locator(".vars tr", { has: page.locator(`th:text-is("${name}")`) }).locator("td");
      await variable("order").waitFor();
      assert.equal(await variable("order").textContent(), '{ id: "A-7", total: 42 }');
      assert.equal(await variable("notes").textContent(), '["received"]');
      assert.equal(await variable("decision").textContent(), "<not initialized yet>");
      assert.equal(await page.locator(".source tr.mark-row-paused").textContent(), 'paused: signal "approval"');
      assert.deepEqual(violations, []);
    } finally {
      await page.context().close();
    }
  });

  test("a signal sent from the page resumes the run, and the page shows it finish without a reload", async () => {
    const id = await rhythm.startWorkflow("approval", { orderId: "B-9", total: 10 });
    await untilStatus(rhythm, id, "suspended");
    const { page, dialogs } = await open(`/executions/${id}`);
    try {
      await page.locator(".source tr.line-paused").waitFor();
      await page.evaluate("window.__sameDocument = true");
      await page.getByRole("button", { name: "Send signal" }).click();
      // the name it waits for is offered
      assert.equal(await page.getByLabel("Signal name").inputValue(), "approval");
      await page.getByLabel("Payload (JSON)").fill('{ "approved": true }');
      await page.getByRole("button", { name: "Send", exact: true }).click();
      await page.getByText('Signal "approval" sent').waitFor();
      await page.locator('.exec-title .badge[data-status="completed"]').waitFor();
      assert.equal(await page.evaluate("window.__sameDocument"), true, "no reload");
      assert.match((await page.locator(".panel", { hasText: "Output" }).textContent()) ?? "", /"approved": true/);
      assert.equal((await rhythm.get(id))!.status, "completed");
      assert.deepEqual(dialogs, []);
    } finally {
      await page.context().close();
    }
  });

  test("the executions list takes new runs and status changes live", async () => {
    const { page } = await open("/");
    try {
      await page.locator("table.executions").waitFor();
      await page.evaluate("window.__sameDocument = true");
      const id = await rhythm.startWorkflow("approval", { orderId: "L-1", total: 1 });
      const row = page.locator("table.executions tbody tr", { hasText: id.slice(0, 8) });
      await row.waitFor();
      await row.locator('.badge[data-status="suspended"]').waitFor();
      await rhythm.signal(id, "approval", { approved: false });
      await row.locator('.badge[data-status="completed"]').waitFor();
      assert.equal(await page.evaluate("window.__sameDocument"), true, "no reload");
    } finally {
      await page.context().close();
    }
  });

  test("cancel from the page asks in the page, then cancels", async () => {
    const id = await rhythm.startWorkflow("approval", { orderId: "C-1", total: 1 });
    await untilStatus(rhythm, id, "suspended");
    const { page, dialogs } = await open(`/executions/${id}`);
    try {
      await page.getByRole("button", { name: "Cancel", exact: true }).click();
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await page.locator('.exec-title .badge[data-status="cancelled"]').waitFor();
      assert.equal((await rhythm.get(id))!.status, "cancelled");
      assert.deepEqual(dialogs, [], "no browser dialog");
    } finally {
      await page.context().close();
    }
  });

  test("a stuck run is found by its status or by a short id, and a failed task is retried from its page", async () => {
    const id = await rhythm.startWorkflow("approval", { orderId: "F-1", total: 5 });
    await untilStatus(rhythm, id, "suspended");
    const { page } = await open("/");
    try {
      await page.locator("table.executions tbody tr").first().waitFor();
      await page.locator(".segmented a", { hasText: "Suspended" }).click();
      await page.waitForURL(/\?status=suspended/);
      const row = page.locator("table.executions tbody tr", { hasText: id.slice(0, 8) });
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", /signal "approval" · line 4/);
      // the search box takes the short id a person copies
      await page.getByLabel("Execution id").fill(id.slice(0, 8));
      await page.getByLabel("Execution id").press("Enter");
      await page.waitForURL(new RegExp(`/executions/${id}$`));
      await page.locator(".source tr.line-paused").waitFor();
    } finally {
      await page.context().close();
    }
    const task = await rhythm.queueTask("flaky", {}, { retries: 0 });
    await untilStatus(rhythm, task, "failed");
    const retry = await open(`/executions/${task}`);
    try {
      await retry.page.getByRole("button", { name: "Retry" }).click();
      await retry.page.getByText("Queued again for one more attempt").waitFor();
      await retry.page.locator('.exec-title .badge[data-status="completed"]').waitFor();
      assert.equal((await rhythm.get(task))!.output, "second time");
    } finally {
      await retry.page.context().close();
    }
  });

  test("a paused run's variable is set and the run forked from its page", async () => {
    const id = await rhythm.startWorkflow("approval", { orderId: "F-2", total: 7 });
    await untilStatus(rhythm, id, "suspended");
    const { page } = await open(`/executions/${id}`);
    try {
      await page.getByRole("button", { name: "Set variable" }).click();
      await page.getByLabel("Variable").selectOption("notes");
      await page.getByLabel("New value (JSON)").fill('["received", "edited"]');
      await page.getByRole("button", { name: "Set", exact: true }).click();
      await page.getByText('notes set (was ["received"])').waitFor();
      assert.deepEqual((await rhythm.inspect(id)).stack[0].variables.notes, ["received", "edited"]);
      await page.getByRole("button", { name: "Fork" }).click();
      await page.getByText(/Forked as [0-9a-f]{8}/).waitFor();
      await page.getByRole("link", { name: "Open it" }).click();
      await page.waitForURL((u) => /\/executions\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(id));
      const forkId = new URL(page.url()).pathname.split("/").pop()!;
      await rhythm.signal(forkId, "approval", { approved: true });
      const done = await untilStatus(rhythm, forkId, "completed");
      assert.deepEqual(done.output, { order: "F-2", approved: true, notes: ["received", "edited", "decided"] });
      assert.ok((await rhythm.logs(id)).some((l) => l.source === "operation" && l.message.endsWith("by dashboard")));
    } finally {
      await page.context().close();
    }
  });

  test("the versions page shows a diff between two versions of a workflow", async () => {
    await rhythm.deploy(f.dir);
    f.write("versioned", `console.log("now with a log line");\nreturn "second";\n`);
    await rhythm.deploy(f.dir);
    const versions = (await rhythm.workflowVersions()).filter((v) => v.name === "versioned");
    assert.equal(versions.length, 2);
    const { page } = await open(`/versions/versioned?v=${versions[0].version}&diff=${versions[1].version}`);
    try {
      await page.locator(".diff").waitFor();
      assert.deepEqual(await page.locator(".diff tr.d-del .code").allTextContents(), ['−return "first";']);
      assert.deepEqual(await page.locator(".diff tr.d-add .code").allTextContents(), [
        '+console.log("now with a log line");',
        '+return "second";',
      ]);
    } finally {
      await page.context().close();
    }
  });

  test("values holding HTML stay text on every page: no dialog, no injected element, no script run", async () => {
    const hostile = await rhythm.startWorkflow("hostile", { payload: XSS, wait: "never" });
    await untilStatus(rhythm, hostile, "suspended");
    await rhythm.signal(hostile, XSS.slice(0, 200), { html: XSS });
    const failed = await rhythm.startWorkflow("fails", { payload: XSS });
    await untilStatus(rhythm, failed, "failed");
    const queued = await rhythm.queueTask("nobody-runs-this", { html: XSS }, { queue: XSS.slice(0, 200) });
    const [explode] = await rhythm.list({ parentId: hostile });

    const pages = [
      ["/", "table.executions tbody tr"],
      ["/?all=1", "table.executions tbody tr"],
      // its variables (read by inspect), log, timeline, inputs and buffered signal
      [`/executions/${hostile}`, ".logs .log, .vars td", ".tl-row"],
      [`/executions/${failed}`, ".notice-danger"],
      [`/executions/${explode.id}`, ".notice-danger"],
      [`/executions/${queued}`, ".notice-warn"],
      ["/queues", "table.queues"],
      ["/versions/hostile", ".source"],
    ] as const;
    for (const [path, ...ready] of pages) {
      const { page, dialogs, violations } = await open(path);
      try {
        for (const selector of ready) for (const part of selector.split(", ")) await page.locator(part).first().waitFor();
        // timeline rows open, so their inputs and errors are in the page too
        await page.evaluate("document.querySelectorAll('details.tl-row').forEach((d) => (d.open = true))");
        await page.waitForTimeout(300);
        const found = (await page.evaluate(`({
          xss: window.__xss ?? null,
          img: document.querySelectorAll("img").length,
          scripts: [...document.scripts].map((s) => s.src),
          injected: document.querySelectorAll("main svg[onload], main [onerror], main script").length,
          text: document.body.innerText,
        })`)) as { xss: string | null; img: number; scripts: string[]; injected: number; text: string };
        assert.equal(found.xss, null, `${path}: a payload ran`);
        assert.equal(found.img, 0, `${path}: an <img> was injected`);
        assert.equal(found.injected, 0, `${path}: an element with a handler was injected`);
        assert.equal(found.scripts.length, 1, `${path}: only the app's script`);
        assert.ok(found.text.includes("<img src=x"), `${path}: the payload is shown as text`);
        if (path === `/executions/${hostile}`) {
          assert.match(
            (await page.locator(".vars").textContent()) ?? "",
            /evil"?<img src=x onerror=/,
            "a variable holds it, as text",
          );
          assert.match(
            (await page.locator(".tl-body").first().textContent()) ?? "",
            /<img src=x onerror=/,
            "the task's inputs and error",
          );
        }
        assert.deepEqual(dialogs, [], `${path}: no dialog`);
        assert.deepEqual(violations, [], `${path}: no CSP violation`);
      } finally {
        await page.context().close();
      }
    }
  });
});
