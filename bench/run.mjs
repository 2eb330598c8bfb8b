// `npm run bench`: Rhythm side by side with graphile-worker, pg-boss and DBOS on the local
// Postgres. Rounds are interleaved (every contender runs a scenario before the next scenario, and
// the whole sequence repeats), each run on a fresh database; prints the markdown report and
// writes it into docs/benchmarks.md. Progress goes to stderr, the report to stdout.

import { fileURLToPath } from "node:url";
import { CONTENDERS, loadContender } from "./contenders/index.mjs";
import { dropCreated } from "./lib/databases.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { pgbenchTps } from "./lib/pgbench.mjs";
import { parseArgs } from "./lib/plan.mjs";
import { fmt, renderReport, writeDocs } from "./lib/report.mjs";
import { SCENARIOS, takesPart } from "./scenarios/index.mjs";

const DOCS = fileURLToPath(new URL("../docs/benchmarks.md", import.meta.url));
const INTRO = `# Benchmarks

Rhythm measured side by side with the Postgres-backed libraries users would pick instead, in the
same run on the same machine.

## How to run

\`\`\`sh
npm run bench                 # full run: 3 interleaved rounds, about 30 minutes on 2 cores today
npm run bench -- --quick      # smoke run with small sizes, one round, about 2 minutes
npm run bench -- --rounds 5 --only rhythm,pg-boss --scenarios s1,s2 --no-write
\`\`\`

It builds Rhythm, installs the bench's own dependencies (\`bench/package.json\`: the peers never
become Rhythm's dependencies), needs a Postgres server at \`postgres://postgres@127.0.0.1:5432\`
(or \`BENCH_DATABASE_URL\`) that may create databases, and \`pgbench\` (Debian: \`postgresql-contrib\`).
Each run creates its own \`bench_<name>_<random>\` database and drops it afterwards. The section
between the markers below is rewritten by every run that is not \`--no-write\`.
`;

// Libraries print progress with console.log (DBOS's migrations, say): stdout is the report's.
console.log = (...args) => console.error(...args);

const opts = parseArgs(process.argv.slice(2));
const { size } = opts;
const log = (msg) => process.stderr.write(`${msg}\n`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    log("interrupted: dropping the databases of this run");
    await dropCreated();
    process.exit(130);
  });
}

const names = opts.only ?? CONTENDERS;
const adapters = {};
// only the contenders that run: the others' libraries need not be installed for `--only rhythm`
for (const name of names) adapters[name] = await loadContender(name);
const scenarios = opts.scenarios ? SCENARIOS.filter((s) => opts.scenarios.includes(s.id)) : SCENARIOS;
const runPgbench = !opts.scenarios || opts.scenarios.includes("pgbench");

const started = new Date();
const machine = await describeMachine();
const results = {};
const pgbench = [];
const failures = [];

for (let round = 1; round <= size.rounds; round++) {
  if (runPgbench) {
    log(`round ${round}/${size.rounds} · pgbench (${size.pgbenchSeconds} s)`);
    pgbench.push(await pgbenchTps(size.pgbenchSeconds));
    log(`  ${fmt(pgbench[pgbench.length - 1])} TPS`);
  }
  for (const scenario of scenarios) {
    for (const name of names) {
      const adapter = adapters[name];
      if (!takesPart(adapter, scenario)) continue;
      log(`round ${round}/${size.rounds} · ${scenario.title} · ${adapter.label}`);
      const t = Date.now();
      let result;
      try {
        result = await scenario.run(adapter, size);
      } catch (e) {
        result = { error: String(e?.message ?? e) };
        failures.push({ scenario: scenario.id, contender: name, round, error: result.error });
        log(`  FAILED: ${result.error}`);
      }
      ((results[scenario.id] ??= {})[name] ??= []).push(result);
      if (!result.error) log(`  ${summaryLine(result)} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }
  }
}

const seconds = (Date.now() - started.getTime()) / 1000;
const args = process.argv.slice(2).join(" ");
const command = `npm run bench${args ? ` -- ${args}` : ""}`;
const shown = Object.fromEntries(names.map((n) => [n, adapters[n]]));
const report = renderReport({ results, pgbench, machine, command, size, adapters: shown, failures, started, seconds });
process.stdout.write(report);
if (opts.write) {
  await writeDocs(DOCS, report, INTRO);
  log(`wrote ${DOCS}`);
}
if (failures.length > 0) {
  log(`${failures.length} run(s) failed: the figures above leave them out`);
  process.exitCode = 1;
}

function summaryLine(r) {
  const keys = [
    "drainRate",
    "enqueueRate",
    "startP50",
    "doneP50",
    "idleQps",
    "stepsPerSec",
    "workflowsPerSec",
    "firstMsPerStep",
    "lastMsPerStep",
    "resumeRate",
    "rssGrowth",
    "txPerUnit",
  ];
  return keys
    .filter((k) => r[k] !== undefined)
    .map((k) => `${k} ${fmt(r[k])}`)
    .join(", ");
}
