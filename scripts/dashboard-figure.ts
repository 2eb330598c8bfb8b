// The figure of docs/dashboard.md: how long the executions list takes with 1,000,000 executions.
// Fills a fresh Postgres database (rhythm_dashboard_figure on the server of RHYTHM_TEST_DATABASE_URL
// or postgres://postgres@127.0.0.1:5432) with generate_series — a fifth of them workflows, the rest
// their tasks, mostly completed, some failed, cancelled, queued, running and suspended, one
// name in a thousand rare — then measures, for the first page and a page 900,000 rows deep:
// the API (GET /api/v1/executions, 50 rows, median and 95th percentile of 30 requests) and the
// page in headless Chromium (navigation until the rows are drawn, median of 7), and prints the
// plans of the list statements. Run: npm run figure:dashboard (about two minutes).

import pg from "pg";
import { chromium } from "playwright-core";
import { Rhythm } from "../src/index.js";
import { startServer } from "../src/server/index.js";
import { statementsFor } from "../src/store/queries/index.js";
import { chromiumPath, CHROMIUM_ARGS } from "../test/support/chromium.js";

const SERVER = process.env.RHYTHM_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const NAME = "rhythm_dashboard_figure";
const URL_ = SERVER.replace(/\/[^/]*$/, `/${NAME}`);
const ROWS = Number(process.env.ROWS ?? 1_000_000);

const FILL = `
insert into rhythm.executions (id, kind, name, version, status, queue, inputs, output, error, attempt, parent_id,
                               parent_handle, created_at, started_at, finished_at, run_at, claim_token, waits)
select md5(i::text)::uuid,
  case when i % 5 = 0 then 'workflow' else 'task' end,
  case when i % 5 = 0 then (array['onboard_user', 'fulfil_order', 'nightly_report'])[1 + (i / 5) % 3]
       when i % 1000 = 1 then 'rare-task'
       else (array['send-email', 'charge-card', 'resize-image'])[1 + i % 3] end,
  case when i % 5 = 0 then 'v1' end,
  st.status,
  case when i % 50 = 3 then 'reports' when i % 12 = 1 then 'emails' else 'default' end,
  jsonb_build_object('n', i, 'email', 'user' || i || '@example.com'),
  case when st.status = 'completed' then jsonb_build_object('ok', true, 'n', i) end,
  case when st.status in ('failed', 'cancelled') then jsonb_build_object('name', 'Error', 'type', 'Error', 'message', 'boom ' || i) end,
  case when st.status = 'queued' then 0 else 1 end,
  case when i % 5 <> 0 then md5((i - i % 5)::text)::uuid end,
  case when i % 5 <> 0 then i % 5 end,
  t.created, t.created + interval '1 s',
  case when st.status in ('completed', 'failed', 'cancelled') then t.created + interval '2 s' end,
  t.created,
  case when st.status = 'running' then gen_random_uuid() end,
  case when st.status = 'suspended' and i % 5 = 0 then
    '[{"description": "signal \\"approval\\"", "function": "main", "line": 12, "column": 15}]'::jsonb end
from generate_series(1, $1::integer) as i,
  lateral (select now() - ($1::integer - i) * interval '2.5 s' as created) t,
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
  let t = Date.now();
  await db.query(FILL, [ROWS]);
  await db.query("vacuum analyze rhythm.executions");
  const size = (await db.query(`select pg_size_pretty(pg_total_relation_size('rhythm.executions')) as s`)).rows[0].s;
  console.log(
    `filled ${ROWS.toLocaleString("en-US")} executions in ${((Date.now() - t) / 1000).toFixed(0)} s (${size} with indexes)`,
  );

  // a cursor 900,000 rows deep (90 % of the way), for every shape of the list
  const deepAll = (
    await db.query(`select id from rhythm.executions order by created_at desc, id desc offset $1 limit 1`, [
      Math.floor(ROWS * 0.9),
    ])
  ).rows[0].id as string;
  const deepTop = (
    await db.query(
      `select id from rhythm.executions where parent_id is null order by created_at desc, id desc offset $1 limit 1`,
      [Math.floor((ROWS / 5) * 0.9)],
    )
  ).rows[0].id as string;
  const deepFailed = (
    await db.query(
      `select id from rhythm.executions where status = 'failed' order by created_at desc, id desc offset $1 limit 1`,
      [Math.floor((ROWS / 33) * 0.9)],
    )
  ).rows[0].id as string;

  const server = await startServer(rhythm, { port: 0, token: null });
  const cases: [string, string][] = [
    ["top-level runs, first page (the dashboard's default)", "topLevel=true"],
    ["top-level runs, 90 % deep", `topLevel=true&after=${deepTop}`],
    ["everything, first page", ""],
    ["everything, 900,000 rows deep", `after=${deepAll}`],
    ["status = failed, first page", "status=failed"],
    ["status = failed, 90 % deep", `status=failed&after=${deepFailed}`],
    ["status = suspended, top-level", "status=suspended&topLevel=true"],
    ["name = rare-task (0.1 % of rows)", "name=rare-task"],
    ["name that no row has (whole index walked)", "name=no-such-name"],
    ["queue = reports (2 %)", "queue=reports"],
  ];
  console.log("\n| list | API median | API p95 | page median |\n| --- | ---: | ---: | ---: |");
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    for (const [label, query] of cases) {
      const api = new URL(`/api/v1/executions?limit=50${query ? `&${query}` : ""}`, server.url).href;
      for (let n = 0; n < 3; n++) await (await fetch(api)).text();
      const times: number[] = [];
      for (let n = 0; n < 30; n++) {
        t = performance.now();
        const r = await fetch(api);
        await r.json();
        times.push(performance.now() - t);
        if (!r.ok) throw new Error(`${label}: ${r.status}`);
      }
      // the page shows the same list: top-level runs by default, everything with all=1
      const params = query.split("&").filter((p) => p !== "" && p !== "topLevel=true");
      if (!query.includes("topLevel=true")) params.push("all=1");
      const pageUrl = new URL(`/?${params.join("&")}`, server.url).href;
      const renders: number[] = [];
      for (let n = 0; n < 8; n++) {
        t = performance.now();
        await page.goto(pageUrl);
        await page.locator("table.executions tbody tr, .empty").first().waitFor({ timeout: 60_000 });
        if (n > 0) renders.push(performance.now() - t);
      }
      const a = stats(times);
      console.log(`| ${label} | ${a.median.toFixed(1)} ms | ${a.p95.toFixed(1)} ms | ${stats(renders).median.toFixed(0)} ms |`);
    }
  } finally {
    await browser.close();
  }

  // the plans, for the record
  const sql = statementsFor("rhythm");
  const plans: [string, string, unknown[]][] = [
    ["List (top-level, deep)", sql.List, [null, null, null, deepTop, 50, true]],
    ["ListByStatus (failed, deep)", sql.ListByStatus, ["failed", null, null, null, deepFailed, 50, false]],
  ];
  for (const [label, text, params] of plans) {
    const plan = await db.query(`explain (analyze, costs off, timing off) ${text}`, params);
    console.log(`\n${label}:\n${plan.rows.map((r) => "  " + r["QUERY PLAN"]).join("\n")}`);
  }
  await server.close();
  await rhythm.close();
  await db.end();
  if (!process.argv.includes("--keep")) {
    const a = new pg.Client({ connectionString: SERVER });
    await a.connect();
    await a.query(`drop database if exists ${NAME} with (force)`);
    await a.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
