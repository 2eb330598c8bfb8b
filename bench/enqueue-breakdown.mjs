// Where S1's enqueue time goes: `queueTasks` of 20,000 tasks (one call, as S1) on the product's
// schema, interleaved with the same on a schema without the two list indexes every insert feeds
// (executions_list, executions_status_list) — what a narrower queue table that keeps the listing
// elsewhere would save. Run: `npm run bench:enqueue`.

import { createDatabase, dropCreated, dropDatabase } from "./lib/databases.mjs";
import { summarize } from "./lib/stats.mjs";

const { Rhythm } = await import("../dist/src/index.js");
const N = Number(process.env.ENQUEUE_TASKS ?? 20_000);
const ROUNDS = Number(process.env.ENQUEUE_ROUNDS ?? 3);
const LIST_INDEXES = ["executions_list", "executions_status_list"];

async function once(withoutListIndexes) {
  const db = await createDatabase("enqueue");
  const rhythm = await Rhythm.connect({ databaseUrl: db.url });
  try {
    if (withoutListIndexes) {
      const pg = (await import("pg")).default;
      const c = new pg.Client({ connectionString: db.url });
      c.on("error", () => {}); // (the database is dropped with its connections after the run)
      await c.connect();
      for (const i of LIST_INDEXES) await c.query(`drop index rhythm.${i}`);
      await c.end();
    }
    const inputs = (n) => Array.from({ length: n }, (_, i) => ({ i }));
    await rhythm.queueTasks("bench-task", inputs(1000)); // warm: the prepared statement, the caches
    const t0 = performance.now();
    await rhythm.queueTasks("bench-task", inputs(N));
    return (N / (performance.now() - t0)) * 1000;
  } finally {
    await rhythm.close();
    await dropDatabase(db.name);
  }
}

const rates = { full: [], lean: [] };
try {
  for (let r = 0; r < ROUNDS; r++) {
    rates.full.push(await once(false));
    rates.lean.push(await once(true));
  }
} finally {
  await dropCreated();
}
const fmt = (x) => Math.round(x).toLocaleString("en-US");
console.log(`queueTasks of ${N.toLocaleString("en-US")} tasks, tasks/s, ${ROUNDS} interleaved rounds`);
console.log(`product schema:           ${rates.full.map(fmt).join(" · ")} (median ${fmt(summarize(rates.full).median)})`);
console.log(`without the list indexes: ${rates.lean.map(fmt).join(" · ")} (median ${fmt(summarize(rates.lean).median)})`);
