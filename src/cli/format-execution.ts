// How engine commands show executions to people: one execution as labelled lines (with what a
// suspended workflow waits on, the line of its await and, when the local file is that version,
// the line itself; then its log), and a list as a table. --json output never comes through here.

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
  extra: { logs?: LogLine[]; sourceLine?: (w: WaitingOn) => string | null } = {},
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
  for (const [i, err] of (e.errors ?? []).entries()) rows.push([`attempt ${i + 1}`, errorText(err)]);
  for (const [i, w] of (e.waitingOn ?? []).entries()) {
    rows.push([i === 0 ? "waiting on" : "", `${w.description} at line ${w.line}:${w.column} (in ${w.function})`]);
    const text = extra.sourceLine?.(w);
    if (text != null) rows.push(["", `  ${w.line} | ${text.trim()}`]);
  }
  if (e.blocked) rows.push(["blocked", e.blocked]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (extra.logs && extra.logs.length > 0) {
    lines.push("", "log:");
    for (const l of extra.logs) lines.push(`  ${l.createdAt}${l.line === null ? "" : ` [line ${l.line}]`} ${l.message}`);
  }
  return lines.join("\n");
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
