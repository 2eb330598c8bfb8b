// The scale bench's section of docs/benchmarks.md: its tables from one run's results, written
// between its own markers (the main bench's section has others), and the figures' SVG files.

import { fmt, writeMarkedSection } from "../lib/report.mjs";
import { backlogSpec, finishedSpec, memorySpec, stateSpec, workersSpec, writeSvg } from "./plots.mjs";

export const START = "<!-- bench:scale:start (written by `npm run bench:scale`; edit outside these markers) -->";
export const END = "<!-- bench:scale:end -->";

const MB = 2 ** 20;
const n = (x) => Math.round(x).toLocaleString("en-US");
const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const pct = (x) => `${Math.round(x * 100)} %`;
const img = (file, alt) => `![${alt}](img/${file})`;

const RENDER = {
  workers: (rows) => [
    img("scale-workers.svg", "S1 and S3 throughput and pgbench TPS against worker processes"),
    "",
    table(
      [
        "Worker processes",
        "S1 tasks/s",
        "S3 10-step steps/s",
        "pgbench -N TPS (as many clients)",
        "Machine CPU busy, S1 / S3",
        "Worker CPU ms per task / per step",
      ],
      rows.map((r) => [
        r.k,
        fmt(r.s1.rate),
        fmt(r.s3.rate),
        fmt(r.pgbench),
        `${pct(r.s1.machineBusy)} / ${pct(r.s3.machineBusy)}`,
        `${fmt(r.s1.workerCpuMsPerUnit)} / ${fmt(r.s3.workerCpuMsPerUnit)}`,
      ]),
    ),
  ],
  backlog: (rows) => [
    img("scale-backlog.svg", "Claim statement time and drain rate against queued executions"),
    "",
    table(
      [
        "Queued",
        "Claim statement, mean ms",
        "Tasks per claim",
        "Drain, tasks/s",
        "Drained in the window",
        "Database, MB",
        "Set-based fill, s",
      ],
      rows.map((r) => [
        n(r.backlog),
        fmt(r.claimMs),
        fmt(r.tasksPerClaim),
        fmt(r.drainRate),
        n(r.drained),
        fmt(r.databaseMB),
        fmt(r.fillSeconds),
      ]),
    ),
  ],
  finished: (r) => [
    img("scale-finished.svg", "S1 and S3 on an empty table, with 10M finished rows, and with retention"),
    "",
    `Means of ${r.rounds} interleaved round${r.rounds === 1 ? "" : "s"} (empty table, 10M without retention, 10M with it, …). ${n(r.rows)} finished rows filled in ${fmt(r.fillSeconds)} s (insert, index builds, VACUUM ANALYZE); database ${fmt(r.databaseMB)} MB.`,
    "",
    table(
      ["Table", "S1 tasks/s", "S3 10-step steps/s", "Claim statement, mean ms", "Rows deleted by retention during S1 / S3"],
      [
        ["empty", r.empty, null],
        [`${n(r.rows)} finished`, r.full, null],
        [`${n(r.rows)} finished, retention \`{ completed: "7d" }\``, r.pruned, true],
      ].map(([name, c, ret]) => [
        name,
        fmt(c.s1.rate),
        fmt(c.s3.rate),
        fmt(c.claimMs),
        ret ? `${n(c.s1.deletedDuring)} / ${n(c.s3.deletedDuring)}` : "–",
      ]),
    ),
    "",
    `Retention deleted ${n(r.pruned.deleted)} of ${n(r.pruned.eligible)} eligible rows in this measurement, ${fmt(r.pruned.deletedPerSecond)} rows/s over it.`,
  ],
  state: (rows) => [
    img("scale-state.svg", "Time and WAL per step against saved-state size"),
    "",
    table(
      [
        "State (pad)",
        "Saved state, bytes",
        "One workflow alone, ms per step",
        "Many at once: workflows",
        "Many at once: steps/s",
        "WAL per step, KiB",
      ],
      rows.map((r) => [
        n(r.bytes),
        n(r.stateBytes),
        fmt(r.alone.msPerStep),
        r.parallel,
        fmt(r.many.stepsPerSec),
        fmt(r.many.walPerStep / 1024),
      ]),
    ),
  ],
  memory: (r) => [
    img("scale-memory.svg", "Worker RSS and heap against suspended workflows"),
    "",
    table(
      ["Suspended workflows", "Worker RSS after GC, MB", "JS heap used, MB"],
      r.points.map((p) => [n(p.suspended), fmt(p.rss / MB), fmt(p.heap / MB)]),
    ),
    "",
    `Per suspended workflow: **${fmt(r.rssPerWorkflow)} bytes of RSS**, ${fmt(r.heapPerWorkflow)} bytes of JS heap; ${fmt(r.dbBytesPerWorkflow)} bytes of database. Peak RSS ${fmt(r.peakRss / MB)} MB; started and suspended at ${fmt(r.suspendRate)} workflows/s.`,
  ],
};

const SPECS = {
  workers: ["scale-workers.svg", workersSpec],
  backlog: ["scale-backlog.svg", backlogSpec],
  finished: ["scale-finished.svg", finishedSpec],
  state: ["scale-state.svg", stateSpec],
  memory: ["scale-memory.svg", memorySpec],
};

/** The section's markdown: a header (command, machine, load) then each scenario that ran. */
export function renderScale({ results, scenarios, command, machine, started, seconds, load, failures }) {
  const out = [
    "## Scale: latest run",
    "",
    `Command: \`${command}\` — ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${Math.round(seconds / 60)} min. Load average before / after: ${load.before} / ${load.after} (the machine is shared: other work ran beside it).`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.postgres} (${Object.entries(
      machine.settings,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}); Node ${machine.node}; Rhythm ${machine.rhythm}.`,
  ];
  for (const s of scenarios) {
    if (!results[s.id]) continue;
    out.push("", `### ${s.title}`, "", ...RENDER[s.id](results[s.id]));
  }
  if (failures.length > 0) out.push("", "### Failed", "", ...failures.map((f) => `- ${f.id}: ${f.error.split("\n")[0]}`));
  return `${out.join("\n")}\n`;
}

/** Writes each figure of the scenarios that ran into `dir`. */
export async function writePlots(dir, results) {
  for (const [id, [file, spec]] of Object.entries(SPECS)) if (results[id]) await writeSvg(new URL(file, dir), spec(results[id]));
}

/** Replaces the scale section of docs/benchmarks.md (between START and END). */
export function writeSection(path, section) {
  return writeMarkedSection(path, section, { start: START, end: END });
}
