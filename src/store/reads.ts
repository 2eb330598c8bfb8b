// Reads: one execution, a page of them (with what blocks each), an execution's log, and log lines
// written by task handlers.

import type { Db } from "./db.js";
import { toExecution, type Execution, type ExecutionRow } from "./execution.js";
import type { ListFilter } from "./types.js";
import { explainBlocked, liveWorkers } from "./workers.js";
import type { ExecutionKind } from "../shared/statuses.js";

/** One execution; `explain` also says what blocks it (Execution.blocked: two more reads). */
export async function get(db: Db, id: string, explain: boolean): Promise<Execution | null> {
  const r = await db.run<ExecutionRow>("Get", [id]);
  if (!r.rows[0]) return null;
  const e = toExecution(r.rows[0]);
  if (explain) await blocked(db, [e]);
  return e;
}

export async function list(db: Db, filter: ListFilter, after: string | null): Promise<Execution[]> {
  const r = await db.run<ExecutionRow>("List", [
    filter.status ?? null,
    filter.name ?? null,
    filter.queue ?? null,
    filter.kind ?? null,
    after,
    filter.limit ?? 100,
  ]);
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
  createdAt: string;
}

export async function logs(db: Db, id: string): Promise<LogLine[]> {
  const r = await db.run<{ level: string; message: string; line: number | null; created_at: Date }>("Logs", [id]);
  return r.rows.map((l) => ({
    level: l.level,
    message: l.message,
    line: l.line,
    createdAt: new Date(l.created_at).toISOString(),
  }));
}

/** A line a task handler wrote (ctx.log). */
export async function appendTaskLog(db: Db, id: string, message: string): Promise<void> {
  await db.run("LogInsert", [JSON.stringify([{ execution_id: id, level: "log", message, line: null }])]);
}
