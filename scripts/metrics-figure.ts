// The figure of docs/telemetry.md: how long a Prometheus scrape of /metrics takes with 1,000,000
// executions. Fills a fresh Postgres database (rhythm_metrics_figure on the server of
// RHYTHM_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432) with generate_series — the
// statuses in the proportions of the dashboard's figure (93 % completed, 3 % failed, 1.5 %
// suspended, 1 % queued, 0.5 % running, 1 % cancelled) on three queues — then times 20 scrapes
// (median and 95th percentile) and the two statements behind them. Run: npm run figure:metrics.

import pg from "pg";
import { Rhythm } from "../src/index.js";
import { startServer } from "../src/server/index.js";

const SERVER = process.env.RHYTHM_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NAME = "rhythm_metrics_figure";
const URL_ = SERVER.replace(/\/[^/]*$/, `/${NAME}`);
const ROWS = Number(process.env.ROWS ?? 1_000_000);

const FILL = `
insert into rhythm.executions (id, kind, name, status, queue, inputs, attempt, created_at, started_at, finished_at, run_at, claim_token)
select md5(i::text)::uuid, 'task', (array['send-email', 'charge-card', 'resize-image'])[1 + i % 3], st.status,
  case when i % 50 = 3 then 'reports' when i % 12 = 1 then 'emails' else 'default' end,
  jsonb_build_object('n', i), case when st.status = 'queued' then 0 else 1 end,
  now() - ($1::integer - i) * interval '2.5 s', now() - ($1::integer - i) * interval '2.5 s',
  case when st.status in ('completed', 'failed', 'cancelled') then now() end,
  now() - ($1::integer - i) * interval '2.5 s',
  case when st.status = 'running' then gen_random_uuid() end
from generate_series(1, $1::integer) as i,
  lateral (select case when i % 200 = 7 then 'running' when i % 100 = 11 then 'queued' when i % 67 = 5 then 'suspended'
                       when i % 33 = 9 then 'failed' when i % 101 = 13 then 'cancelled' else 'completed' end as status) st`;

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] };
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`drop database if exists ${NAME} with (force)`);
  await admin.query(`create database ${NAME}`);
  await admin.end();
  const rhythm = await Rhythm.connect({ databaseUrl: URL_, workflows: false });
  const db = new pg.Client({ connectionString: URL_ });
  await db.connect();
  try {
    const t0 = Date.now();
    await db.query(FILL, [ROWS]);
    await db.query("vacuum analyze rhythm.executions");
    console.error(`filled ${ROWS} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const server = await startServer(rhythm, { port: 0, token: null });
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      const r = await fetch(new URL("/metrics", server.url));
      const text = await r.text();
      if (i > 0) times.push(performance.now() - t); // the first warms the caches
      bytes = text.length;
    }
    await server.close();
    const s = stats(times);
    console.log(
      `/metrics at ${ROWS.toLocaleString("en")} executions: median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (${bytes} bytes)`,
    );
  } finally {
    await db.end();
    await rhythm.close();
    if (!process.argv.includes("--keep")) {
      const a = new pg.Client({ connectionString: SERVER });
      await a.connect();
      await a.query(`drop database if exists ${NAME} with (force)`);
      await a.end();
    }
  }
}

await main();
