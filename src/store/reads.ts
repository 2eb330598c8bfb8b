// Reads: one execution (for a person: with what it started, its timers and its buffered
// signals), a page of them (with what blocks each), an execution's log, log lines written by
// task handlers, and what `rhythm inspect` needs (a saved state, its program, its handles).

import type { Db } from "./db.js";
import { toExecution, withDetails, type DetailsRow, type Execution, type ExecutionRow } from "./execution.js";
import type { ListFilter, LogSource } from "./types.js";
import { explainBlocked, liveWorkers } from "./workers.js";
import type { ExecutionKind, ExecutionStatus } from "../shared/statuses.js";

/** Children a detailed get lists at most (a fan-out of thousands is for `list({ parentId })`). */
export const DETAILED_CHILDREN = 100;

/**
 * One execution; `explain` also says what blocks it (Execution.blocked: two more reads) and, for
 * a workflow, what it started, its pending timers and its buffered signals (in the same read).
 */
export async function get(db: Db, id: string, explain: boolean): Promise<Execution | null> {
  if (!explain) {
    const r = await db.run<ExecutionRow>("Get", [id]);
    return r.rows[0] ? toExecution(r.rows[0]) : null;
  }
  const row = (await db.run<ExecutionRow & DetailsRow>("GetDetailed", [id, DETAILED_CHILDREN])).rows[0];
  if (!row) return null;
  const e = toExecution(row);
  if (e.kind === "workflow") withDetails(e, row, row.waits);
  await blocked(db, [e]);
  return e;
}

export async function list(db: Db, filter: ListFilter, after: string | null): Promise<Execution[]> {
  const { status = null, name = null, queue = null, kind = null, parentId = null, topLevel = false, limit = 100 } = filter;
  // the shape of the filter picks the statement, and so the index (queries/reads.ts)
  const r =
    parentId !== null
      ? await db.run<ExecutionRow>("ListByParent", [parentId, status, name, queue, kind, after, limit])
      : status !== null
        ? await db.run<ExecutionRow>("ListByStatus", [status, name, queue, kind, after, limit, topLevel])
        : await db.run<ExecutionRow>("List", [name, queue, kind, after, limit, topLevel]);
  const executions = r.rows.map(toExecution);
  await blocked(db, executions);
  return executions;
}

/** Executions whose id begins with `prefix` (hex digits and dashes of a uuid), by id. */
export async function listByIdPrefix(db: Db, prefix: string, limit: number): Promise<Execution[]> {
  const hex = prefix.replaceAll("-", "").toLowerCase();
  const uuid = (digits: string) => digits.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
  const r = await db.run<ExecutionRow>("ListByIdPrefix", [uuid(hex.padEnd(32, "0")), uuid(hex.padEnd(32, "f")), limit]);
  const executions = r.rows.map(toExecution);
  await blocked(db, executions);
  return executions;
}

/** Says, on the executions given, which ones no running worker will move (Execution.blocked). */
async function blocked(db: Db, executions: Execution[]): Promise<void> {
  const suspended = executions.filter((e) => e.status === "suspended").map((e) => e.id);
  if (suspended.length === 0 && !executions.some((e) => e.status === "queued")) return;
  const children =
    suspended.length === 0
      ? []
      : (
          await db.run<{ id: string; kind: ExecutionKind; name: string; queue: string; parent_id: string }>("QueuedChildren", [
            suspended,
          ])
        ).rows.map((c) => ({ id: c.id, kind: c.kind, name: c.name, queue: c.queue, parentId: c.parent_id }));
  explainBlocked(executions, await liveWorkers(db), children);
}

export interface LogLine {
  level: string;
  message: string;
  line: number | null;
  /** "console" (a workflow's console.*), "runtime" (the interpreter's own), "task" (ctx.log); absent on lines written before Rhythm recorded it. */
  source?: LogSource;
  createdAt: string;
}

export async function logs(db: Db, id: string): Promise<LogLine[]> {
  const r = await db.run<{ level: string; message: string; line: number | null; source: LogSource | null; created_at: Date }>(
    "Logs",
    [id],
  );
  return r.rows.map((l) => ({
    level: l.level,
    message: l.message,
    line: l.line,
    ...(l.source === null ? {} : { source: l.source }),
    createdAt: new Date(l.created_at).toISOString(),
  }));
}

/** A workflow's saved state with the source and program of its version (all null when absent). */
export interface SavedStateRead {
  id: string;
  kind: ExecutionKind;
  name: string;
  status: ExecutionStatus;
  version: string | null;
  /** Opaque here: the interpreter's saved state (null when there is none). */
  state: unknown;
  source: string | null;
  program: unknown;
}

export async function savedState(db: Db, id: string): Promise<SavedStateRead | null> {
  const r = await db.run<SavedStateRead>("InspectState", [id]);
  return r.rows[0] ?? null;
}

/** What the store knows of an execution's handles: the execution each started, when each timer fires. */
export async function handleInfo(db: Db, id: string, handles: number[]): Promise<Map<number, { id?: string; until?: string }>> {
  const out = new Map<number, { id?: string; until?: string }>();
  if (handles.length === 0) return out;
  const r = await db.run<{ handle: number; id: string | null; fire_at: Date | string | null }>("InspectHandles", [id, handles]);
  for (const row of r.rows) {
    const info = out.get(row.handle) ?? {};
    if (row.id !== null) info.id = row.id;
    if (row.fire_at !== null) info.until = new Date(row.fire_at).toISOString();
    out.set(row.handle, info);
  }
  return out;
}

/** A line a task handler wrote (ctx.log). */
export async function appendTaskLog(db: Db, id: string, message: string): Promise<void> {
  await db.run("LogInsert", [JSON.stringify([{ execution_id: id, level: "log", message, line: null, source: "task" }])]);
}
