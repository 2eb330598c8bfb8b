// The onboarding example end to end, on the embedded database (no Postgres needed): start a
// worker, start the workflow, watch it wait for the "email-verified" signal, send it, and print
// the result. Run it with `npm run example`.

import { Rhythm, type TaskHandler, type TaskOptions } from "rhythm-flow";
import tasks from "./tasks.js";

const rhythm = await Rhythm.connect({ workflows: "examples/onboarding/workflows" });
for (const [name, task] of Object.entries(tasks)) {
  if (typeof task === "function") rhythm.task(name, task as TaskHandler);
  else rhythm.task(name, task.handler as TaskHandler, task.options as TaskOptions);
}
const worker = rhythm.worker({ pollIntervalMs: 200 });
await worker.start();
console.log("worker started (embedded PGlite in ./.rhythm)");

const id = await rhythm.startWorkflow("onboard_user", { email: "ada@example.com", name: "Ada" });
console.log(`started onboard_user ${id}`);

// Wait until the workflow suspends on the signal: its state is now saved in the database and
// it holds no memory in the worker.
let execution = await rhythm.get(id);
while (execution?.status !== "suspended" || !execution.waitingOn?.some((w) => w.description.includes("email-verified"))) {
  await new Promise((r) => setTimeout(r, 100));
  execution = await rhythm.get(id);
}
for (const w of execution.waitingOn ?? [])
  console.log(`suspended: waiting on ${w.description} (onboard_user.flow line ${w.line})`);

console.log('sending signal "email-verified"');
await rhythm.signal(id, "email-verified", { ok: true });

const done = await rhythm.wait(id, { timeout: "30s" });
for (const line of await rhythm.logs(id)) console.log(`  [log] ${line.message}`);
console.log(`${done.status}: ${JSON.stringify(done.output ?? done.error)}`);
await rhythm.close();
process.exitCode = done.status === "completed" ? 0 : 1;
