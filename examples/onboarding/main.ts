// The onboarding example end to end: register the tasks, start a worker, start the workflow,
// watch it wait for the "email-verified" signal, send it, and print the result. Run it with
// `npm run example` (on the embedded database, or on RHYTHM_DATABASE_URL when it is set).

import { Rhythm } from "rhythm-flow";
import tasks from "./tasks.js";

// No databaseUrl: RHYTHM_DATABASE_URL when it is set, else the embedded PGlite in ./.rhythm
const rhythm = await Rhythm.connect({ workflows: "examples/onboarding/workflows" });
rhythm.task("create-account", tasks["create-account"]);
rhythm.task("send-email", tasks["send-email"].handler, tasks["send-email"].options); // { retries: 5, timeout: "30s" }
rhythm.task("create-project", tasks["create-project"]);

const worker = rhythm.worker({ pollIntervalMs: 200 });
await worker.start(); // deploys every .flow of the workflows folder, then runs tasks and workflows
console.log(`worker started (${rhythm.describeDatabase()})`);

const id = await rhythm.startWorkflow("onboard_user", { email: "ada@example.com", name: "Ada" });
console.log(`started onboard_user ${id}`);

// Wait until the workflow suspends on the signal: its state is now saved in the database and
// the worker holds nothing for it.
let execution = await rhythm.get(id);
while (!execution?.waitingOn?.some((w) => w.description === 'signal "email-verified"')) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  execution = await rhythm.get(id);
}
for (const w of execution.waitingOn ?? [])
  console.log(`suspended: waiting on ${w.description} (onboard_user.flow line ${w.line})`);

console.log('sending signal "email-verified"');
await rhythm.signal(id, "email-verified", { ok: true });

const done = await rhythm.wait(id, { timeout: "30s" });
for (const line of await rhythm.logs(id)) console.log(`  [log] ${line.message}`);
console.log(`${done.status}: ${JSON.stringify(done.output ?? done.error)}`);
await rhythm.close(); // stops the worker, then closes the connection
process.exitCode = done.status === "completed" ? 0 : 1;
