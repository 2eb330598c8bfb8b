// The scale figures as SVG, drawn by Vega-Lite (a declarative chart grammar: a spec per figure, no
// drawing code here) and rendered headless by Vega with no browser or canvas: renderer "none",
// then toSVG(). Fonts are named, not measured, so labels lay out the same on every machine.

import { writeFileSync } from "node:fs";
import * as vega from "vega";
import { compile } from "vega-lite";

const BASE = {
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  background: "white",
  config: {
    font: "sans-serif",
    axis: { labelFontSize: 11, titleFontSize: 12 },
    legend: { labelFontSize: 11, labelLimit: 0 },
    axisX: { labelLimit: 0 },
  },
};

/** Renders a Vega-Lite spec to an SVG file. */
export async function writeSvg(path, spec) {
  const view = new vega.View(vega.parse(compile({ ...BASE, ...spec }).spec), { renderer: "none" });
  writeFileSync(path, `${await view.toSVG()}\n`);
  view.finalize();
}

const lines = (title, data, x, y, color, { xScale, yScale, width = 360, height = 220 } = {}) => ({
  title,
  width,
  height,
  data: { values: data },
  mark: { type: "line", point: true },
  encoding: {
    x: { field: x.field, type: "quantitative", title: x.title, scale: xScale, axis: x.axis },
    y: { field: y.field, type: "quantitative", title: y.title, scale: yScale },
    ...(color ? { color: { field: color, type: "nominal", title: null } } : {}),
  },
});

/** Worker processes: S1 tasks/s, S3 steps/s and pgbench TPS against processes (or clients). */
export function workersSpec(rows) {
  const data = rows.flatMap((r) => [
    { n: r.k, series: "Rhythm S1, tasks/s", v: r.s1.rate },
    { n: r.k, series: "Rhythm S3 10-step, steps/s", v: r.s3.rate },
    { n: r.k, series: "pgbench -N, TPS", v: r.pgbench },
  ]);
  return lines(
    "Throughput against worker processes (pgbench: clients)",
    data,
    { field: "n", title: "worker processes / pgbench clients", axis: { values: rows.map((r) => r.k) } },
    { field: "v", title: "per second" },
    "series",
    { xScale: { type: "log", base: 2 }, width: 420 },
  );
}

/** Backlog: claim ms and drain rate against queued executions, side by side. */
export function backlogSpec(rows) {
  const x = { field: "backlog", title: "queued executions", axis: { values: rows.map((r) => r.backlog), format: "~s" } };
  return {
    hconcat: [
      lines("Claim statement, mean ms", rows, x, { field: "claimMs", title: "ms per claim" }, null, {
        xScale: { type: "log" },
        width: 260,
      }),
      lines("Drain rate, one worker", rows, x, { field: "drainRate", title: "tasks/s" }, null, {
        xScale: { type: "log" },
        width: 260,
      }),
    ],
  };
}

/** 10M finished: S1 and S3 rates on an empty table, with 10M rows, with 10M rows and retention. */
export function finishedSpec(r) {
  const cases = [
    ["empty table", r.empty],
    [`${fmtCount(r.rows)} finished`, r.full],
    [`${fmtCount(r.rows)} finished + retention`, r.pruned],
  ];
  const data = cases.flatMap(([name, c]) => [
    { table: name, run: "S1 tasks/s", v: c.s1.rate },
    { table: name, run: "S3 10-step steps/s", v: c.s3.rate },
  ]);
  return {
    title: "One worker against a table full of history",
    data: { values: data },
    width: 170,
    height: 220,
    mark: "bar",
    encoding: {
      column: { field: "run", type: "nominal", title: null },
      x: { field: "table", type: "nominal", title: null, sort: cases.map((c) => c[0]), axis: { labelAngle: -30 } },
      y: { field: "v", type: "quantitative", title: "per second" },
      color: { field: "table", type: "nominal", sort: cases.map((c) => c[0]), legend: null },
    },
    resolve: { scale: { y: "independent" } },
  };
}

/** Per-step cost: ms per step (alone), WAL bytes per step, against state size. */
export function stateSpec(rows) {
  const x = { field: "bytes", title: "state carried (pad), bytes", axis: { values: rows.map((r) => r.bytes), format: "~s" } };
  const ms = rows.flatMap((r) => [
    { bytes: r.bytes, series: "one workflow alone, ms per step", v: r.alone.msPerStep },
    { bytes: r.bytes, series: "many at once, ms of worker time per step", v: 1000 / r.many.stepsPerSec },
  ]);
  const wal = rows.map((r) => ({ bytes: r.bytes, v: r.many.walPerStep / 1024 }));
  const log = { type: "log" };
  return {
    hconcat: [
      lines("Time per step", ms, x, { field: "v", title: "ms" }, "series", { xScale: log, yScale: log, width: 280 }),
      lines("WAL written per step", wal, x, { field: "v", title: "KiB" }, null, { xScale: log, yScale: log, width: 240 }),
    ],
  };
}

/** Memory: worker RSS and JS heap (after GC) against suspended workflows. */
export function memorySpec(r) {
  const data = r.points.flatMap((p) => [
    { n: p.suspended, series: "RSS", v: p.rss / 2 ** 20 },
    { n: p.suspended, series: "JS heap used", v: p.heap / 2 ** 20 },
  ]);
  return lines(
    "Worker memory after GC against suspended workflows",
    data,
    { field: "n", title: "suspended workflows", axis: { format: "~s" } },
    { field: "v", title: "MiB" },
    "series",
    { yScale: { zero: true }, width: 420 },
  );
}

function fmtCount(n) {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}
