// Turns the rounds' results into the markdown report: the table (Rhythm, each peer, the ratio to
// the best peer), the issue's targets met or not, the machine, the exact command, the settings,
// and where Rhythm's statements go. Also keeps docs/benchmarks.md's generated section current.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { METRICS } from "./metrics.mjs";
import { summarize } from "./stats.mjs";

const PEERS = ["graphile-worker", "pg-boss", "dbos"];
const MB = 2 ** 20;

export function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Median over rounds of one figure, scaled; null when the contender did not run it. */
function stat(results, scenario, contender, key, scale = 1) {
  const runs = results[scenario]?.[contender] ?? [];
  return summarize(runs.filter((r) => !r.error).map((r) => r[key] * scale));
}

function cell(s) {
  if (!s) return "–";
  return s.n > 1 ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.median);
}

function bestPeer(results, m) {
  let best = null;
  for (const p of PEERS) {
    const s = stat(results, m.scenario, p, m.key, m.scale);
    if (!s) continue;
    if (!best || (m.better === "higher" ? s.median > best.s.median : s.median < best.s.median)) best = { peer: p, s };
  }
  return best;
}

function resultsTable(results, labels) {
  const head = ["Figure", "Rhythm", ...PEERS.map((p) => labels[p]), "Rhythm ÷ best peer"];
  const rows = [head, head.map(() => "---")];
  for (const m of METRICS) {
    const r = stat(results, m.scenario, "rhythm", m.key, m.scale);
    const peers = PEERS.map((p) => stat(results, m.scenario, p, m.key, m.scale));
    if (!r && peers.every((p) => !p)) continue;
    const best = bestPeer(results, m);
    const ratio = r && best && best.s.median !== 0 ? `${fmt(r.median / best.s.median)}× (${labels[best.peer]})` : "–";
    rows.push([`${m.label} ${m.better === "higher" ? "↑" : "↓"}`, cell(r), ...peers.map(cell), ratio]);
  }
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

function targets(results, size) {
  const med = (scenario, contender, key, scale = 1) => stat(results, scenario, contender, key, scale)?.median ?? null;
  const best = (scenario, key, better) => bestPeer(results, { scenario, key, better })?.s.median ?? null;
  const n = size.s6Workflows.toLocaleString("en-US");
  const checks = [
    [
      "S1 drain ≥ 1.5× the best peer",
      med("s1", "rhythm", "drainRate"),
      best("s1", "drainRate", "higher"),
      (r, b) => r >= 1.5 * b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} tasks/s (${fmt(r / b)}×)`,
    ],
    [
      "S1 enqueue ≥ the best peer's",
      med("s1", "rhythm", "enqueueRate"),
      best("s1", "enqueueRate", "higher"),
      (r, b) => r >= b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} tasks/s (${fmt(r / b)}×)`,
    ],
    [
      "S1 ≤ 0.05 transactions per task",
      med("s1", "rhythm", "txPerUnit"),
      0.05,
      (r, b) => r <= b,
      (r) => `${fmt(r)} (write transactions: ${fmt(med("s1", "rhythm", "writesPerUnit"))})`,
    ],
    [
      "S2 start p50 ≤ the best peer's",
      med("s2", "rhythm", "startP50"),
      best("s2", "startP50", "lower"),
      (r, b) => r <= b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} ms`,
    ],
    ["S2 start p99 ≤ 6 ms", med("s2", "rhythm", "startP99"), 6, (r, b) => r <= b, (r) => `${fmt(r)} ms`],
    [
      "S3 10-step steps/s ≥ 2× the best peer's",
      med("s3-10", "rhythm", "stepsPerSec"),
      best("s3-10", "stepsPerSec", "higher"),
      (r, b) => r >= 2 * b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} steps/s (${fmt(r / b)}×)`,
    ],
    [
      "S3 ≤ 1 transaction per step",
      med("s3-10", "rhythm", "txPerUnit"),
      1,
      (r, b) => r <= b,
      (r) => `${fmt(r)} (write transactions: ${fmt(med("s3-10", "rhythm", "writesPerUnit"))})`,
    ],
    ["S4 last-100 / first-100 ≤ 1.1", med("s4", "rhythm", "lastOverFirst"), 1.1, (r, b) => r <= b, (r) => fmt(r)],
    [
      "S4 time per step ≤ 0.8× the best peer's and ≤ 0.8 ms (last 100 steps)",
      med("s4", "rhythm", "lastMsPerStep"),
      best("s4", "lastMsPerStep", "lower"),
      (r, b) => r <= 0.8 * b && r <= 0.8,
      (r, b) => `${fmt(r)} vs ${fmt(b)} ms (${fmt(r / b)}×)`,
    ],
    [
      "S5 peak RSS in S1 ≤ the leanest peer's",
      med("s1", "rhythm", "peakRss", 1 / MB),
      best("s1", "peakRss", "lower") && best("s1", "peakRss", "lower") / MB,
      (r, b) => r <= b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} MB`,
    ],
    [
      "S5 peak RSS in S3 ≤ the leanest peer's",
      med("s3-10", "rhythm", "peakRss", 1 / MB),
      best("s3-10", "peakRss", "lower") && best("s3-10", "peakRss", "lower") / MB,
      (r, b) => r <= b,
      (r, b) => `${fmt(r)} vs ${fmt(b)} MB`,
    ],
    [
      `S6 RSS with ${n} suspended within 20 MB of idle`,
      med("s6", "rhythm", "rssGrowth", 1 / MB),
      20,
      (r, b) => r <= b,
      (r) => `+${fmt(r)} MB`,
    ],
    [
      `S6 all ${n} resumed at ≥ 3,000 workflows/s`,
      med("s6", "rhythm", "resumeRate"),
      3000,
      (r, b) => r >= b,
      (r) => `${fmt(r)} workflows/s`,
    ],
    [
      "Idle worker ≤ 0.5 statements/s",
      med("s2", "rhythm", "idleQps"),
      0.5,
      (r, b) => r <= b,
      (r) => `${fmt(r)} /s (best peer: ${fmt(best("s2", "idleQps", "lower"))} /s)`,
    ],
    [
      "S1 with 10,000 concurrency keys ≥ 80 % of S1",
      med("s1k", "rhythm", "drainRate"),
      med("s1", "rhythm", "drainRate"),
      (r, b) => r >= 0.8 * b,
      (r, b) => `${fmt(r)} tasks/s, ${fmt((100 * r) / b)} % of S1`,
    ],
    [
      "Start p99 beside a saturated key ≤ S2's p99",
      med("s2k", "rhythm", "startP99"),
      med("s2", "rhythm", "startP99"),
      (r, b) => r <= b,
      (r, b) => `${fmt(r)} ms (S2: ${fmt(b)} ms)`,
    ],
  ];
  const rows = ["| Target | Rhythm today | Met |", "| --- | --- | --- |"];
  for (const [name, r, b, ok, show] of checks) {
    if (r === null || b === null) rows.push(`| ${name} | not measured | – |`);
    else rows.push(`| ${name} | ${show(r, b)} | ${ok(r, b) ? "yes" : "**no**"} |`);
  }
  return rows.join("\n");
}

/** Rhythm's most frequent worker statements per unit of work, from the last round of each scenario. */
function rhythmStatements(results, scenarioIds) {
  const out = [];
  for (const id of scenarioIds) {
    const runs = (results[id]?.rhythm ?? []).filter((r) => !r.error && r.topQueries);
    const last = runs[runs.length - 1];
    if (!last) continue;
    const unit = id === "s1" || id === "s2" ? "task" : id === "s6" ? "workflow" : "step";
    out.push(`\n**${id}** (per ${unit}, ${fmt(last.queriesPerUnit)} statements in all; mean ms as the worker saw it):\n`);
    out.push("| Statement | Per " + unit + " | Mean ms |", "| --- | --- | --- |");
    for (const q of last.topQueries.slice(0, 8)) {
      const sql = q.sql.replace(/\|/g, "\\|").slice(0, 90);
      out.push(`| \`${sql}${q.sql.length > 90 ? "…" : ""}\` | ${fmt(q.calls / last.units)} | ${fmt(q.ms / q.calls)} |`);
    }
  }
  return out.join("\n");
}

export function renderReport({ results, pgbench, machine, command, size, adapters, failures, started, seconds }) {
  const labels = Object.fromEntries(Object.entries(adapters).map(([k, a]) => [k, a.label]));
  const pg = summarize(pgbench);
  const lines = [
    `## Latest run`,
    "",
    `Command: \`${command}\` — ${size.rounds} interleaved round${size.rounds === 1 ? "" : "s"}, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${Math.round(seconds / 60)} min.`,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; ${machine.postgres} (${Object.entries(
      machine.settings,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}); Node ${machine.node}.`,
    "",
    `Versions: Rhythm ${machine.rhythm}; ${Object.entries(machine.peers)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ")}. Absurd: not run (its SQL schema is not on the npm registry).`,
    "",
    `Reference: pgbench simple-update (\`pgbench -c 2 -j 2 -T ${size.pgbenchSeconds} -N\`) on the same server: **${cell(pg)} TPS**.`,
    "",
    `Sizes: S1 ${size.s1Tasks.toLocaleString("en-US")} tasks; S2 ${size.s2Samples} samples; S3 ${size.s3Workflows.toLocaleString("en-US")} workflows; S4 ${size.s4Steps.toLocaleString("en-US")} steps; S6 ${size.s6Workflows.toLocaleString("en-US")} workflows. Medians over rounds, min–max in brackets; ↑ higher is better, ↓ lower is better.`,
    "",
    resultsTable(results, labels),
    "",
    "### Targets (issues 5, 13 and 17)",
    "",
    targets(results, size),
    "",
    "### Settings of each contender",
    "",
    ...Object.values(adapters).map((a) => `- **${a.label}**: ${a.settings}.`),
  ];
  if (failures.length > 0) {
    lines.push(
      "",
      "### Failed runs",
      "",
      ...failures.map((f) => `- ${f.scenario} / ${f.contender}, round ${f.round}: ${f.error.split("\n")[0]}`),
    );
  }
  lines.push("", "### Where Rhythm's worker statements go", rhythmStatements(results, ["s1", "s3-10", "s4"]));
  return lines.join("\n") + "\n";
}

const START = "<!-- bench:start (written by `npm run bench`; edit outside these markers) -->";
const END = "<!-- bench:end -->";

/** Replaces the generated section of docs/benchmarks.md, keeping everything around it. */
export function writeDocs(path, section, intro) {
  return writeMarkedSection(path, section, { start: START, end: END, intro });
}

/**
 * Replaces the section between `start` and `end` in the page at `path` (appended at its end the
 * first time; a missing page begins with `intro`), prettier-formatted.
 */
export async function writeMarkedSection(path, section, { start, end, intro = "" }) {
  const current = existsSync(path) ? readFileSync(path, "utf8") : `${intro}\n${start}\n${end}\n`;
  const a = current.indexOf(start);
  const b = current.indexOf(end);
  const base = a >= 0 && b > a ? current : `${current.trimEnd()}\n\n${start}\n${end}\n`;
  const i = base.indexOf(start);
  const j = base.indexOf(end);
  let text = `${base.slice(0, i + start.length)}\n\n${section}\n${base.slice(j)}`;
  try {
    // Prettier is a dev dependency of the repository root; with it the page passes `npm run lint`.
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(path)) ?? {};
    text = await prettier.format(text, { ...options, filepath: path });
  } catch {
    // without prettier the page is still valid markdown, only not aligned
  }
  writeFileSync(path, text);
}
