// `npm run bench:scale`: how Rhythm's cost grows (issue 17) — worker processes on one Postgres
// beside pgbench, claim latency against the backlog, S1/S3 with 10M finished executions with and
// without retention, per-step cost against saved-state size, and worker memory with 100k suspended
// workflows. Each scenario runs on fresh databases that are dropped afterwards. Writes its own
// section of docs/benchmarks.md and the figures into docs/img/ (unless --no-write); progress goes
// to stderr, the section to stdout.

import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { dropCreated } from "./lib/databases.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { renderScale, writePlots, writeSection } from "./scale/report.mjs";
import backlog from "./scale/backlog.mjs";
import finished from "./scale/finished.mjs";
import memory from "./scale/memory.mjs";
import state from "./scale/state.mjs";
import workers from "./scale/workers.mjs";

const DOCS = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const IMG = new URL("../docs/img/", import.meta.url);
const SCENARIOS = [workers, backlog, finished, state, memory];

const KB = 1000;
export const FULL = {
  workerCounts: [1, 2, 4, 8],
  workersS1Tasks: 60_000,
  workersS3Workflows: 4000,
  pgbenchSeconds: 10,
  backlogs: [10_000, 100_000, 1_000_000],
  backlogSeconds: 10,
  finishedRows: 10_000_000,
  finishedS1Tasks: 20_000,
  finishedS3Workflows: 500,
  finishedRounds: 3,
  stateSizes: [KB, 10 * KB, 100 * KB, 1000 * KB],
  stateSteps: 20,
  stateBudget: 100 * 1000 * KB,
  suspendedWorkflows: 100_000,
  quietMs: 10_000,
};
export const QUICK = {
  workerCounts: [1, 2, 4, 8],
  workersS1Tasks: 10_000,
  workersS3Workflows: 1000,
  pgbenchSeconds: 2,
  backlogs: [1000, 10_000, 100_000],
  backlogSeconds: 2,
  finishedRows: 200_000,
  finishedS1Tasks: 2000,
  finishedS3Workflows: 100,
  finishedRounds: 1,
  stateSizes: [KB, 10 * KB, 100 * KB, 1000 * KB],
  stateSteps: 5,
  stateBudget: 20 * 1000 * KB,
  suspendedWorkflows: 4000,
  quietMs: 2000,
};

const HELP = `usage: npm run bench:scale -- [--quick] [--only workers,backlog,finished,state,memory] [--no-write]
  --quick      small sizes (a smoke run, about 3 minutes)
  --only       scenarios to run (default: all)
  --no-write   print the section without updating docs/benchmarks.md and docs/img/`;

function parseArgs(argv) {
  const opts = { quick: false, only: null, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--no-write") opts.write = false;
    else if (a === "--only" && argv[i + 1]) opts.only = argv[++i].split(",");
    else if (a === "--help" || a === "-h") {
      console.log(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${HELP}`);
  }
  for (const id of opts.only ?? []) if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`no scenario ${id}\n${HELP}`);
  return opts;
}

const log = (msg) => process.stderr.write(`${msg}\n`);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    log("interrupted: dropping the databases of this run");
    await dropCreated();
    process.exit(130);
  });
}

const opts = parseArgs(process.argv.slice(2));
const size = opts.quick ? QUICK : FULL;
const scenarios = opts.only ? SCENARIOS.filter((s) => opts.only.includes(s.id)) : SCENARIOS;
const started = new Date();
const load = { before: loadavg(), after: null };
const machine = await describeMachine();
log(`scale bench: load average ${load.before}, ${os.cpus().length} cores`);
const results = {};
const failures = [];
for (const s of scenarios) {
  log(`${s.title}`);
  const t = Date.now();
  try {
    results[s.id] = await s.run(size, log);
  } catch (e) {
    failures.push({ id: s.id, error: String(e?.stack ?? e) });
    log(`  FAILED: ${e?.stack ?? e}`);
    await dropCreated();
  }
  log(`  (${((Date.now() - t) / 1000).toFixed(0)} s)`);
}
load.after = loadavg();
const seconds = (Date.now() - started.getTime()) / 1000;
const args = process.argv.slice(2).join(" ");
const command = `npm run bench:scale${args ? ` -- ${args}` : ""}`;
const section = renderScale({ results, scenarios, command, machine, started, seconds, load, failures });
process.stdout.write(section);
if (opts.write) {
  await writePlots(IMG, results);
  await writeSection(DOCS, section);
  log(`wrote ${DOCS} and its figures in docs/img/`);
}
if (failures.length > 0) process.exitCode = 1;
