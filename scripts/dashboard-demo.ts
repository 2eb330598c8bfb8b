// A small shop's Rhythm, for the dashboard's screenshots: onboarding (two versions), expense
// approvals, orders with a saga and a child workflow per warehouse, a nightly report whose SMS
// task no worker registers, and standalone tasks — runs completed, failed, cancelled, suspended on
// signals, running and blocked. `seedDemo` leaves them in those states with a worker running.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NonRetryableError, Rhythm } from "../src/index.js";

const ONBOARD_V1 = `\`\`\`
description: Create an account, welcome the user, wait for the email to be verified.
\`\`\`
const user = await Task.run("create-account", { email: Inputs.email, name: Inputs.name });
Task.run("send-email", { to: Inputs.email, template: "welcome" }); // fire and forget

let verified = false;
try {
  const click = await Signal.when("email-verified", { timeout: "3d" });
  verified = click.ok === true;
} catch (e) {
  if (e.type !== "Timeout") throw e;
}
if (!verified) return { userId: user.id, status: "unverified" };

const projects = await Promise.all(
  ["inbox", "notes", "archive"].map(async (kind) => (await Task.run("create-project", { owner: user.id, kind })).id),
);
return { userId: user.id, status: "active", projects };
`;

const ONBOARD_V2 = `\`\`\`
description: Create an account, welcome the user, wait for the email to be verified.
\`\`\`
const user = await Task.run("create-account", { email: Inputs.email, name: Inputs.name, plan: Inputs.plan ?? "free" });
Task.run("send-email", { to: Inputs.email, template: "welcome" }); // fire and forget
console.log(\`account \${user.id} created, waiting for \${Inputs.email} to verify\`);

let verified = false;
let reminders = 0;
while (!verified && reminders < 3) {
  try {
    const click = await Signal.when("email-verified", { timeout: "1d" });
    verified = click.ok === true;
  } catch (e) {
    if (e.type !== "Timeout") throw e;
    reminders += 1;
    await Task.run("send-email", { to: Inputs.email, template: "reminder", n: reminders });
  }
}
if (!verified) return { userId: user.id, status: "unverified", reminders };

const projects = await Promise.all(
  ["inbox", "notes", "archive"].map(async (kind) => (await Task.run("create-project", { owner: user.id, kind })).id),
);
return { userId: user.id, status: "active", projects };
`;

const APPROVE = `const request = await Task.run("record-expense", { employee: Inputs.employee, cents: Inputs.cents });
if (Inputs.cents < 10000) return { id: request.id, approved: true, by: "policy" };

await Task.run("notify", { to: Inputs.manager, text: \`Please approve expense \${request.id}\` });
let decision;
try {
  decision = await Signal.when("decision", { timeout: "3d" });
} catch (e) {
  if (e.type !== "Timeout") throw e;
  decision = { approved: false, by: "timeout" };
}
await Task.run("notify", { to: Inputs.employee, text: decision.approved ? "approved" : "rejected" });
return { id: request.id, approved: decision.approved, by: decision.by };
`;

const FULFIL = `// Each completed step pushes its compensation; a failure runs them in reverse (a saga).
const undo = [];
const payment = await Task.run("charge-card", { orderId: Inputs.orderId, cents: Inputs.totalCents, card: Inputs.card });
undo.push(() => Task.run("refund-card", { paymentId: payment.id }));

const reservation = await Task.run("reserve-stock", { items: Inputs.items });
console.log(\`order \${Inputs.orderId}: \${Inputs.items.length} items reserved in \${reservation.warehouses.join(", ")}\`);
const shipments = await Promise.all(
  reservation.warehouses.map((warehouse) => Workflow.run("ship_package", { orderId: Inputs.orderId, warehouse })),
);
return { status: "shipped", tracking: shipments.map((s) => s.tracking) };
`;

const SHIP = `const label = await Task.run("book-courier", { warehouse: Inputs.warehouse }, { retries: 5 });
return { tracking: label.tracking, warehouse: Inputs.warehouse };
`;

const REPORT = `const report = await Task.run("build-report", { day: Inputs.day });
await Task.run("send-sms", { to: "+4930123456", text: \`Report \${Inputs.day}: \${report.orders} orders\` });
return report;
`;

// the next fix, deployed last (after the other screenshots): the blocked report can move onto it
const REPORT_V2 = `const report = await Task.run("build-report", { day: Inputs.day });
console.log(\`report of \${Inputs.day} built: \${report.orders} orders\`);
await Task.run("send-sms", { to: "+4930123456", text: \`Report \${Inputs.day}: \${report.orders} orders\` });
const texted = true;
return { day: report.day, orders: report.orders, texted };
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Demo {
  rhythm: Rhythm;
  /** Ids worth a screenshot. */
  ids: { waitingOnboarding: string; failedOrder: string; blockedReport: string; failedTask: string };
  /** Deploys a second version of nightly_report (for the upgrade's screenshot); its version. */
  deployNextReport(): Promise<string>;
  close(): Promise<void>;
}

/** Seeds the shop on `rhythm` (a fresh database) and leaves a worker running. */
export async function seedDemo(connect: (workflows: string) => Promise<Rhythm>): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-demo-"));
  const write = (name: string, source: string) => writeFileSync(join(dir, `${name}.flow`), source);
  write("onboard_user", ONBOARD_V1);
  write("approve_expense", APPROVE);
  write("fulfil_order", FULFIL);
  write("ship_package", SHIP);
  write("nightly_report", REPORT);
  const rhythm = await connect(dir);
  // the queues page's rates count what finishes from here on
  await rhythm.throughput();
  await rhythm.deploy(dir);
  // the onboarding runs that have finished ran the first version
  const early = await Promise.all(
    ["grace@example.com", "alan@example.com"].map((email) =>
      rhythm.startWorkflow("onboard_user", { email, name: email.split("@")[0].replace(/^./, (c) => c.toUpperCase()) }),
    ),
  );
  await sleep(20);
  write("onboard_user", ONBOARD_V2);
  await rhythm.deploy(dir);

  let payments = 0;
  rhythm
    .task("create-account", async (i: { name: string }) => ({ id: `user-${i.name.toLowerCase()}` }))
    .task("send-email", async () => ({ sent: true }), { retries: 5, timeout: "30s" })
    .task("create-project", async (i: { owner: string; kind: string }) => ({ id: `${i.owner}-${i.kind}` }))
    .task("record-expense", async (i: { cents: number }) => ({ id: `exp-${i.cents}` }))
    .task("notify", async () => ({ sent: true }))
    .task(
      "charge-card",
      async (i: { card: string }, ctx) => {
        if (i.card.startsWith("4000")) {
          if (ctx.attempt < 3) throw new Error("payment gateway timeout (504)");
          throw new NonRetryableError("card declined: insufficient funds");
        }
        return { id: `pay-${++payments}` };
      },
      { retries: { limit: 3, initial: "100ms" } },
    )
    .task("refund-card", async (i: { paymentId: string }) => ({ refunded: i.paymentId }))
    .task("reserve-stock", async (i: { items: string[] }) => ({ id: `res-${i.items.length}`, warehouses: ["berlin", "lyon"] }))
    .task("book-courier", async (i: { warehouse: string }, ctx) => {
      ctx.log(`courier booked for ${i.warehouse}`);
      return { tracking: `TRK-${i.warehouse.toUpperCase()}-${Math.floor(Math.random() * 9000 + 1000)}` };
    })
    .task("build-report", async (i: { day: string }, ctx) => {
      ctx.log(`aggregating orders of ${i.day}`);
      await sleep(120);
      return { day: i.day, orders: 1284, revenueCents: 9_412_300 };
    })
    .task(
      "sync-crm",
      async () => {
        throw new Error("HTTP 503 from crm.example.com: service unavailable");
      },
      { retries: { limit: 2, initial: "100ms" } },
    );
  const worker = rhythm.worker({ concurrency: 20 });
  await worker.start();

  const people = [
    ["ada@example.com", "Ada"],
    ["linus@example.com", "Linus"],
    ["barbara@example.com", "Barbara"],
    ["ken@example.com", "Ken"],
  ];
  const onboard = await Promise.all(
    people.map(([email, name]) => rhythm.startWorkflow("onboard_user", { email, name, plan: "team" })),
  );
  const expenses = await Promise.all(
    [
      ["joan", 4_200],
      ["edsger", 129_900],
      ["margaret", 8_750],
      ["dennis", 54_000],
    ].map(([employee, cents]) =>
      rhythm.startWorkflow("approve_expense", { employee, cents, manager: "tim@example.com", director: "vint@example.com" }),
    ),
  );
  const orders = await Promise.all(
    [
      ["A-1041", "4242 4242", ["mug", "poster"]],
      ["A-1042", "4000 0000", ["hoodie"]],
      ["A-1043", "5555 4444", ["stickers", "mug", "tote"]],
      ["A-1044", "4242 4242", ["notebook"]],
      ["A-1045", "4000 0000", ["poster", "frame"]],
    ].map(([orderId, card, items]) => rhythm.startWorkflow("fulfil_order", { orderId, card, items, totalCents: 4_990 })),
  );
  for (let n = 0; n < 6; n++)
    await rhythm.queueTask("send-email", { to: `customer${n + 1}@example.com`, template: "newsletter" });
  const failedTask = await rhythm.queueTask("sync-crm", { account: "acme-gmbh", fields: ["plan", "seats"] });
  const reports = await Promise.all(["2026-12-05", "2026-12-06"].map((day) => rhythm.startWorkflow("nightly_report", { day })));

  // let everything reach where it waits
  const settled = async (ids: string[], ok: (status: string) => boolean) => {
    for (let i = 0; i < 300; i++) {
      const all = await Promise.all(ids.map((id) => rhythm.get(id)));
      if (all.every((e) => e && ok(e.status))) return;
      await sleep(100);
    }
    throw new Error("the demo did not settle");
  };
  await settled([...early, ...onboard, ...expenses], (s) => s === "suspended" || s === "completed");
  await rhythm.signal(early[0], "email-verified", { ok: true });
  await rhythm.signal(early[1], "email-verified", { ok: true });
  await rhythm.signal(onboard[1], "email-verified", { ok: true });
  await rhythm.signal(expenses[1], "decision", { approved: true, by: "tim@example.com" });
  await rhythm.cancel(onboard[3]);
  await settled([...orders, ...reports, failedTask], (s) => s !== "queued" && s !== "running");
  await settled([early[0], early[1], onboard[1], expenses[1]], (s) => s === "completed");

  return {
    rhythm,
    ids: { waitingOnboarding: onboard[0], failedOrder: orders[1], blockedReport: reports[1], failedTask },
    deployNextReport: async () => {
      write("nightly_report", REPORT_V2);
      return (await rhythm.deploy(dir)).find((d) => d.name === "nightly_report")!.version;
    },
    close: async () => {
      await rhythm.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
