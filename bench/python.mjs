// `npm run bench:python`: the Python worker (python/rhythm_flow, through the SQL worker protocol)
// beside the TypeScript worker (`rhythm worker`), on S1 (drain of N no-op tasks) and S2 (latency of
// one task at a time), on the local Postgres. Both workers run as processes of their own with the
// same concurrency and async no-op handlers; rounds are interleaved (TypeScript, Python, TypeScript
// …), each run on a fresh database. Times come from the database's clock for what the workers do
// (first claim → last completion) and from this process for what a client sees (enqueue → wait()
// returns). Prints a markdown table; `--quick` for a smoke run.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rhythm } from "../dist/src/index.js";
import { createDatabase, dropCreated, dropDatabase } from "./lib/databases.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 1 : 3;
const S1_TASKS = quick ? 2000 : 20000;
const S2_SAMPLES = quick ? 50 : 300;
const CONCURRENCY = 100;
const log = (m) => process.stderr.write(`${m}\n`);
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, async () => {
    log("interrupted: dropping the databases of this run");
    await dropCreated();
    process.exit(130);
  });

const dir = mkdtempSync(join(tmpdir(), "rhythm-bench-python-"));
// the TypeScript worker through the API (the CLI's worker prints a line per attempt)
writeFileSync(
  join(dir, "ts-worker.mjs"),
  `import { Rhythm } from ${JSON.stringify(join(ROOT, "dist/src/index.js"))};
const rhythm = await Rhythm.connect({ databaseUrl: process.argv[2], workflows: ${JSON.stringify(dir)} });
rhythm.task("noop", async () => null);
const worker = rhythm.worker({ concurrency: ${CONCURRENCY} });
await worker.start();
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, async () => { await worker.stop(); await rhythm.close(); process.exit(0); });
`,
);
writeFileSync(
  join(dir, "noop_tasks.py"),
  'from rhythm_flow import task\n\n\n@task("noop")\nasync def noop(inputs, ctx):\n    return None\n',
);

const WORKERS = {
  typescript: (url) =>
    spawn(process.execPath, [join(dir, "ts-worker.mjs"), url], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] }),
  python: (url) =>
    spawn(
      "/usr/bin/python3",
      [
        "-m",
        "rhythm_flow",
        "worker",
        "--tasks",
        join(dir, "noop_tasks.py"),
        "--concurrency",
        `${CONCURRENCY}`,
        "--database-url",
        url,
        "--log-level",
        "WARNING",
      ],
      {
        cwd: dir,
        env: { ...process.env, PYTHONPATH: join(ROOT, "python") },
        stdio: ["ignore", "ignore", "inherit"],
      },
    ),
};

/** A process's CPU time (user + system) so far, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function withDatabase(kind, fn) {
  const db = await createDatabase(`py${kind}`);
  const rhythm = await Rhythm.connect({ databaseUrl: db.url, workflows: dir });
  try {
    return await fn(db.url, rhythm);
  } finally {
    await rhythm.close();
    await dropDatabase(db.name);
  }
}

async function stopWorker(child) {
  child.kill("SIGTERM");
  await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
}

async function untilWorker(rhythm) {
  for (let i = 0; i < 600; i++) {
    if ((await rhythm.workers()).length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the worker did not start");
}

async function s1(kind) {
  return withDatabase(kind, async (url, rhythm) => {
    await rhythm.queueTasks(
      "noop",
      Array.from({ length: S1_TASKS }, (_, i) => ({ i })),
    );
    const child = WORKERS[kind](url);
    let cpuAtStart = null;
    let cpuAtEnd = null;
    try {
      for (;;) {
        const counts = await rhythm.statusCounts(S1_TASKS + 1);
        // the worker's CPU from when it took its first tasks (its start-up left out)
        if (cpuAtStart === null && counts.queued < S1_TASKS) cpuAtStart = cpuMs(child.pid);
        if (counts.queued === 0 && counts.running === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      cpuAtEnd = cpuMs(child.pid);
    } finally {
      await stopWorker(child);
    }
    const db = await import("pg").then((m) => new m.default.Client({ connectionString: url }));
    await db.connect();
    const r = await db.query(
      `select count(*) filter (where status = 'completed')::int as done,
              extract(epoch from max(finished_at) - min(started_at)) * 1000 as ms
       from rhythm.executions`,
    );
    await db.end();
    const { done, ms } = r.rows[0];
    if (done !== S1_TASKS) throw new Error(`S1 ${kind}: ${done} of ${S1_TASKS} completed`);
    return { drain: (S1_TASKS / Number(ms)) * 1000, cpuUs: ((cpuAtEnd - cpuAtStart) * 1000) / S1_TASKS };
  });
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function s2(kind) {
  return withDatabase(kind, async (url, rhythm) => {
    const child = WORKERS[kind](url);
    const start = [];
    const seen = [];
    try {
      await untilWorker(rhythm);
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < 10 + S2_SAMPLES; i++) {
        const t0 = performance.now();
        const id = await rhythm.queueTask("noop", { i });
        const e = await rhythm.wait(id, { timeout: 30 });
        const t1 = performance.now();
        if (e.status !== "completed") throw new Error(`S2 ${kind}: ${e.status}`);
        if (i >= 10) {
          seen.push(t1 - t0);
          start.push(Date.parse(e.startedAt) - Date.parse(e.createdAt));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await stopWorker(child);
    }
    start.sort((a, b) => a - b);
    seen.sort((a, b) => a - b);
    return {
      startP50: quantile(start, 0.5),
      startP99: quantile(start, 0.99),
      seenP50: quantile(seen, 0.5),
      seenP95: quantile(seen, 0.95),
      seenP99: quantile(seen, 0.99),
    };
  });
}

const results = { typescript: [], python: [] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of ["typescript", "python"]) {
      log(`round ${round}/${ROUNDS} · S1 · ${kind}`);
      const a = await s1(kind);
      log(`round ${round}/${ROUNDS} · S2 · ${kind}`);
      const b = await s2(kind);
      results[kind].push({ ...a, ...b });
      log(`  ${JSON.stringify({ ...a, ...b })}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const fmt = (v, d) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(d));
const rows = [
  ["S1 drain, tasks/s ↑", "drain", 0],
  ["S1 worker CPU per task, µs ↓ (user + system, 10 ms ticks)", "cpuUs", 0],
  ["S2 enqueue→start p50, ms ↓ (database clock, whole ms)", "startP50", 1],
  ["S2 enqueue→start p99, ms ↓", "startP99", 1],
  ["S2 enqueue→completion seen p50, ms ↓", "seenP50", 2],
  ["S2 enqueue→completion seen p95, ms ↓", "seenP95", 2],
  ["S2 enqueue→completion seen p99, ms ↓", "seenP99", 2],
];
console.log(
  `S1 ${S1_TASKS.toLocaleString("en-US")} tasks, S2 ${S2_SAMPLES} samples, concurrency ${CONCURRENCY}, ${ROUNDS} interleaved round(s); medians, min–max in brackets.\n`,
);
console.log("| metric | TypeScript worker | Python worker | Python ÷ TypeScript |");
console.log("| --- | --- | --- | --- |");
for (const [label, key, d] of rows) {
  const cell = (kind) => {
    const xs = results[kind].map((r) => r[key]);
    return `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;
  };
  const ratio = median(results.python.map((r) => r[key])) / median(results.typescript.map((r) => r[key]));
  console.log(`| ${label} | ${cell("typescript")} | ${cell("python")} | ${ratio.toFixed(2)}× |`);
}
