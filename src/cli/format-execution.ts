// How engine commands show executions to people: one execution as labelled lines (with what a
// suspended workflow waits on, the line of its await and, when the local file is that version,
// the line itself, and until when; its timers and buffered signals; the tasks and children it
// started; then its log), and a list as a table. --json output never comes through here.

import type { Execution, WaitingOn } from "../store/execution.js";

export interface LogLine {
  level: string;
  message: string;
  line: number | null;
  createdAt: string;
}

/** The first characters of a version hash, enough to tell versions apart in a listing. */
export function shortVersion(version: string | null): string {
  return version === null ? "-" : version.slice(0, 12);
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

function errorText(error: unknown): string {
  if (error !== null && typeof error === "object") {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (typeof message === "string") return typeof name === "string" ? `${name}: ${message}` : message;
  }
  return json(error);
}

export function formatExecution(
  e: Execution,
  extra: { logs?: LogLine[]; sourceLine?: (w: WaitingOn) => string | null; now?: number } = {},
): string {
  const rows: [string, string][] = [
    ["id", e.id],
    [e.kind, e.kind === "workflow" ? `${e.name} (version ${shortVersion(e.version)})` : e.name],
    ["status", e.status],
    ["queue", `${e.queue}  priority ${e.priority}  attempt ${e.attempt}`],
  ];
  if (e.parentId) rows.push(["parent", e.parentId]);
  rows.push(["created", e.createdAt]);
  if (e.runAt) rows.push(["runs at", e.runAt]);
  if (e.startedAt) rows.push(["started", e.startedAt]);
  if (e.finishedAt) rows.push(["finished", e.finishedAt]);
  rows.push(["inputs", json(e.inputs)]);
  if (e.status === "completed") rows.push(["output", json(e.output)]);
  if (e.error !== null) rows.push(["error", errorText(e.error)]);
  if (e.errorAt) rows.push(["at", e.errorAt]);
  for (const [i, err] of (e.errors ?? []).entries()) rows.push([`attempt ${i + 1}`, errorText(err)]);
  const now = extra.now ?? Date.now();
  for (const [i, w] of (e.waitingOn ?? []).entries()) {
    const until = w.until ? `, until ${when(w.until, now)}` : "";
    rows.push([i === 0 ? "waiting on" : "", `${w.description} at line ${w.line}:${w.column} (in ${w.function})${until}`]);
    const text = extra.sourceLine?.(w);
    if (text != null) rows.push(["", `  ${w.line} | ${text.trim()}`]);
  }
  if (e.blocked) rows.push(["blocked", e.blocked]);
  for (const [i, t] of (e.timers ?? []).entries())
    rows.push([
      i === 0 ? "timers" : "",
      `${t.kind === "signal-timeout" ? `Signal.when("${t.signal}") times out` : "timer fires"} ${when(t.firesAt, now)}`,
    ]);
  for (const [i, b] of (e.bufferedSignals ?? []).entries())
    rows.push([i === 0 ? "buffered" : "", `signal "${b.name}" ${json(b.payload)}, sent ${b.sentAt}, not taken by any wait yet`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (e.children && e.children.length > 0) {
    lines.push("", `started (${e.childCount ?? e.children.length}):`);
    const table = e.children.map((c) => [
      c.id,
      c.kind,
      c.name,
      c.status,
      c.runAt && Date.parse(c.runAt) > now ? `runs ${when(c.runAt, now)}` : (c.finishedAt ?? ""),
    ]);
    for (const l of alignTable(["ID", "KIND", "NAME", "STATUS", "DUE / FINISHED"], table).split("\n")) lines.push(`  ${l}`);
    const more = (e.childCount ?? 0) - e.children.length;
    if (more > 0) lines.push(`  … and ${more} more: rhythm list --parent ${e.id}`);
  }
  if (extra.logs && extra.logs.length > 0) {
    lines.push("", "log:");
    for (const l of extra.logs) lines.push(`  ${l.createdAt}${l.line === null ? "" : ` [line ${l.line}]`} ${l.message}`);
  }
  return lines.join("\n");
}

/** An ISO time, with how far away it is when it is to come: `2026-01-04T10:00:00.000Z (in 2d 23h)`. */
export function when(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  return ms > 0 ? `${iso} (in ${span(ms)})` : iso;
}

function span(ms: number): string {
  const s = Math.ceil(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 86400), "d"],
    [Math.floor((s % 86400) / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return first < 0
    ? "0s"
    : parts
        .slice(first, first + 2)
        .filter(([n]) => n > 0)
        .map(([n, u]) => `${n}${u}`)
        .join(" ");
}

/** Rows as an aligned table under a header, the last column left ragged. */
export function alignTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join("  ")).join("\n");
}

/** Executions as an aligned table, newest first as listed; then why any of them is blocked. */
export function formatTable(list: Execution[]): string {
  const header = ["ID", "KIND", "NAME", "STATUS", "QUEUE", "ATTEMPT", "CREATED"];
  const rows = list.map((e) => [e.id, e.kind, e.name, e.status, e.queue, String(e.attempt), e.createdAt]);
  const blocked = list.filter((e) => e.blocked).map((e) => `blocked ${e.id}: ${e.blocked}`);
  return [alignTable(header, rows), ...(blocked.length > 0 ? ["", ...blocked] : [])].join("\n");
}
