// Makes the screenshots of docs/dashboard.md: seeds the demo shop (scripts/dashboard-demo.ts) in
// an embedded database, serves the dashboard, and photographs its pages with headless Chromium
// (playwright-core driving /usr/bin/chromium, or CHROMIUM). Run: npm run screenshots
// (--out DIR to write elsewhere than docs/img).

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Rhythm } from "../src/index.js";
import { startServer } from "../src/server/index.js";
import { PgliteDriver } from "../src/store/pglite-driver.js";
import { seedDemo } from "./dashboard-demo.js";
import { chromiumPath, CHROMIUM_ARGS } from "../test/support/chromium.js";

const out = process.argv.includes("--out") ? process.argv[process.argv.indexOf("--out") + 1] : "docs/img";

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const driver = await PgliteDriver.open();
  const demo = await seedDemo((workflows) => Rhythm.connectWith(driver, { workflows }));
  const server = await startServer(demo.rhythm, { port: 0, token: null });
  await demo.rhythm.throughput();
  // (Playwright gives the browser an empty profile directory of its own)
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS }).catch(async (e) => {
    await Promise.all([server.close(), demo.close()]);
    throw e;
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 });
    const shoot = async (path: string, name: string, ready: string, full = false) => {
      await page.goto(new URL(path, server.url).href);
      await page.waitForSelector(ready);
      // (the page keeps its event stream open: the network is never idle)
      await page.waitForTimeout(300);
      await page.evaluate("document.fonts.ready");
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: full });
      console.log(`${join(out, `${name}.png`)}`);
    };
    await shoot("/", "dashboard-executions", "table.executions tbody tr");
    await shoot(`/executions/${demo.ids.waitingOnboarding}`, "dashboard-execution", ".line-paused", true);
    await page.goto(new URL(`/executions/${demo.ids.failedOrder}`, server.url).href);
    await page.locator(".timeline details.status-failed").first().waitFor();
    // the failed task's attempts, opened
    await page.evaluate("document.querySelector('.timeline details.status-failed').open = true");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, "dashboard-failed.png"), fullPage: true });
    console.log(join(out, "dashboard-failed.png"));
    await shoot("/queues", "dashboard-queues", "table.queues");
    const onboarding = (await demo.rhythm.workflowVersions()).filter((v) => v.name === "onboard_user");
    await shoot(`/versions/onboard_user?v=${onboarding[0].version}&diff=${onboarding[1].version}`, "dashboard-versions", ".diff");
    await page.setViewportSize({ width: 1024, height: 768 });
    await shoot("/", "dashboard-executions-1024", "table.executions tbody tr");
    // last, since it adds a version: the upgrade's dry run for the blocked report
    await demo.deployNextReport();
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(new URL(`/executions/${demo.ids.blockedReport}`, server.url).href);
    await page.locator(".line-paused").waitFor();
    await page.getByRole("button", { name: "Upgrade", exact: true }).click();
    await page.locator(".upgrade-mapping").waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(out, "dashboard-upgrade.png"), clip: { x: 0, y: 0, width: 1440, height: 560 } });
    console.log(join(out, "dashboard-upgrade.png"));
  } finally {
    await browser.close();
    await server.close();
    await demo.close();
    await driver.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
