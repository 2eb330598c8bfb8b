// `npm run soak:hostile`: a pool of worker processes serves ordinary workflows at a steady rate,
// first alone, then while a stream of hostile workflows arrives (memory bombs, CPU-heavy sorts,
// giant logs, deep recursion, a state the host cannot serialize). Prints ordinary work's latency
// and throughput in both phases, worker processes that exited (target 0), executions left
// unfinished (target 0) and task attempts run more than once. Exits 1 when a target is missed.
// Options: --seconds N (each phase, default 30), --rate N (ordinary workflows/s, default 20),
// --workers N (default 2), --bomb-every MS (default 1500).

import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Rhythm } from "../src/index.js";
import { createDatabase, localServer } from "./postgres.js";

const ORDINARY = `
const a = await Task.run("soak-step", { n: 1 })
const b = await Task.run("soak-step", { n: a })
return await Task.run("soak-step", { n: b })
`;

/** The bombs, by name; each is its own workflow. */
export const BOMBS: Record<string, string> = {
  soak_bomb_log_array: 'console.log(Array.from({ length: 3000 }).fill("x".repeat(2000000))); return 1',
  soak_bomb_arrays: "const a = Array.from({ length: 3000 }, () => Array.from({ length: 2000000 })); return a.length",
  soak_bomb_cpu:
    "const a = Array.from({ length: 2000000 }).fill(0).map(Math.random); for (let i = 0; i < 80; i++) a.slice().sort(); return 1",
  soak_bomb_log_lines: 'const s = "x".repeat(2000000); for (let i = 0; i < 300; i++) console.log(s); return 1',
  soak_bomb_recursion: "function f(n) { return n === 0 ? 0 : 1 + f(n - 1) } return f(1e9)",
  soak_bomb_state:
    'const s = "x".repeat(2000000); const refs = Array.from({ length: 300 }).fill(s); await Timer.delay("10ms"); return refs.length',
};

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function workerProcess(): Promise<void> {
  const rhythm = await Rhythm.connect({ databaseUrl: process.env.SOAK_URL!, workflows: false });
  rhythm.task("soak-step", async (i: { n: number }) => {
    await sleep(5);
    return i.n + 1;
  });
  const worker = rhythm.worker({ concurrency: 20, pollIntervalMs: 200, onError: () => {} });
  await worker.start();
  process.on("message", async (m) => {
    if (m !== "stop") return;
    process.send!({ threadsReplaced: worker.threadsReplaced });
    await rhythm.close();
    process.exit(0);
  });
}

interface PhaseFigures {
  phase: string;
  started: number;
  completed: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

async function main(): Promise<void> {
  const seconds = arg("seconds", 30);
  const rate = arg("rate", 20);
  const workers = arg("workers", 2);
  const bombEvery = arg("bomb-every", 1500);
  const server = localServer();
  const database = await createDatabase(server);
  const dir = mkdtempSync(join(tmpdir(), "rhythm-soak-"));
  writeFileSync(join(dir, "soak_ordinary.flow"), ORDINARY);
  for (const [name, source] of Object.entries(BOMBS)) writeFileSync(join(dir, `${name}.flow`), source);
  const log = (msg: string) => process.stderr.write(`[soak] ${msg}\n`);
  const children: ChildProcess[] = [];
  let exits = 0;
  let stopping = false;
  const replaced: number[] = [];
  const rhythm = await Rhythm.connect({ databaseUrl: database.url, workflows: dir });
  try {
    await rhythm.deploy();
    for (let i = 0; i < workers; i++) {
      const child = fork(fileURLToPath(import.meta.url), ["--worker"], { env: { ...process.env, SOAK_URL: database.url } });
      child.on("message", (m: { threadsReplaced: number }) => replaced.push(m.threadsReplaced));
      child.on("exit", (code, signal) => {
        if (stopping) return;
        exits++;
        log(`worker ${child.pid} exited (${code ?? signal}) during the soak`);
      });
      children.push(child);
    }
    const figures: PhaseFigures[] = [];
    let bombs = 0;
    for (const phase of ["alone", "with bombs"]) {
      log(`${phase}: ${rate} ordinary workflows/s for ${seconds} s`);
      const starts: Promise<string>[] = [];
      const begin = Date.now();
      let nextBomb = begin;
      const names = Object.keys(BOMBS);
      for (let tick = 0; Date.now() - begin < seconds * 1000; tick++) {
        const due = begin + (tick * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
        // not awaited one by one: the rate holds however long a start takes
        starts.push(rhythm.startWorkflow("soak_ordinary", {}));
        if (phase === "with bombs" && Date.now() >= nextBomb) {
          void rhythm.startWorkflow(names[bombs++ % names.length], {});
          nextBomb += bombEvery;
        }
      }
      const ids = await Promise.all(starts);
      // the phase's work drains before the next one starts
      await waitFinished(database.url, ids, 60_000);
      figures.push(await phaseFigures(database.url, phase, ids, seconds));
    }
    log("draining the bombs");
    await waitAllFinished(database.url, 120_000);
    const report = await summary(database.url, figures, bombs, exits);
    stopping = true;
    for (const c of children) c.send("stop");
    await Promise.all(children.map((c) => new Promise((r) => c.once("exit", r))));
    report.threadsReplaced = replaced.reduce((a, b) => a + b, 0);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.workerExits > 0 || report.stranded > 0 || report.tasksRunTwice > 0) process.exitCode = 1;
  } finally {
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await rhythm.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

async function waitFinished(url: string, ids: string[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [{ n }] = await query<{ n: string }>(
      url,
      "select count(*) as n from rhythm.executions where id = any($1::uuid[]) and finished_at is null",
      [ids],
    );
    if (Number(n) === 0) return;
    await sleep(250);
  }
}

async function waitAllFinished(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const [{ n }] = await query<{ n: string }>(url, "select count(*) as n from rhythm.executions where finished_at is null");
    if (Number(n) === 0) return;
    await sleep(500);
  }
}

async function phaseFigures(url: string, phase: string, ids: string[], seconds: number): Promise<PhaseFigures> {
  const [r] = await query<Record<string, string | null>>(
    url,
    `select count(*) filter (where status = 'completed') as completed,
            percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.95) within group (order by ms) as p95,
            percentile_cont(0.99) within group (order by ms) as p99, max(ms) as max
     from (select status, extract(epoch from finished_at - created_at) * 1000 as ms
           from rhythm.executions where id = any($1::uuid[])) x`,
    [ids],
  );
  const ms = (v: string | null) => Math.round(Number(v ?? NaN));
  return {
    phase,
    started: ids.length,
    completed: Number(r.completed),
    perSecond: Math.round((Number(r.completed) / seconds) * 10) / 10,
    p50: ms(r.p50),
    p95: ms(r.p95),
    p99: ms(r.p99),
    max: ms(r.max),
  };
}

async function summary(url: string, phases: PhaseFigures[], bombs: number, workerExits: number) {
  const outcomes = await query<{ name: string; status: string; type: string | null; n: string }>(
    url,
    `select name, status, error->>'type' as type, count(*) as n from rhythm.executions
     where name like 'soak_bomb_%' group by 1, 2, 3 order by 1, 2, 3`,
  );
  const [{ stranded }] = await query<{ stranded: string }>(
    url,
    "select count(*) as stranded from rhythm.executions where finished_at is null",
  );
  const [{ twice }] = await query<{ twice: string }>(
    url,
    "select count(*) as twice from rhythm.executions where kind = 'task' and attempt > 1",
  );
  const reasons = await query<{ reason: string; n: string }>(
    url,
    `select e->>'name' || ': ' || left(e->>'message', 120) as reason, count(*) as n
     from rhythm.executions, json_array_elements(errors) as e where kind = 'task' group by 1 order by 2 desc limit 5`,
  );
  return {
    phases,
    taskErrors: reasons.map((r) => `${r.reason} × ${r.n}`),
    bombs,
    bombOutcomes: outcomes.map((o) => `${o.name}: ${o.status} ${o.type ?? ""} × ${o.n}`.replace("  ", " ")),
    workerExits,
    threadsReplaced: 0,
    stranded: Number(stranded),
    tasksRunTwice: Number(twice),
  };
}

if (process.argv.includes("--worker")) await workerProcess();
else await main();
