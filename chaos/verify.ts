// The chaos run's verdict, read from the database once the work has drained: every planned
// execution reached its expected state and output (lost / wrong), no activation was applied twice
// (duplicates), nothing was left waiting (stranded), and every task handler that ran again did so
// because the worker of its previous attempt was SIGKILLed (the ledger).

import type pg from "pg";
import type { Kill, UnexpectedExit } from "./fleet.js";
import type { LedgerRow } from "./ledger.js";
import { fatalMessage, flaky, slow, standalone, step, type Plan, type PlannedWorkflow } from "./plan.js";

interface Row {
  id: string;
  kind: "workflow" | "task";
  name: string;
  status: string;
  inputs: Record<string, unknown> & { key?: string; x?: number; i?: number; n?: number };
  output: unknown;
  error: { message?: string } | null;
  errors: { name?: string; message?: string; attempt?: number }[];
  attempt: number;
  parent_id: string | null;
  parent_handle: number | null;
  waits: unknown;
  worker_id: string | null;
}

export type Category = "lost" | "wrong" | "duplicates" | "stranded" | "reruns";

export interface Verdict {
  violations: Record<Category, string[]>;
  counts: {
    executions: number;
    rootWorkflows: number;
    childWorkflows: number;
    workflowTasks: number;
    standaloneTasks: number;
    taskStarts: number;
    rerunsAfterKill: number;
    plannedRetries: number;
    claimsWithoutStart: number;
  };
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

/** JSON with object keys sorted: jsonb does not keep the key order a workflow wrote. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

export async function verify(db: pg.Pool, plan: Plan, kills: Kill[], crashes: UnexpectedExit[]): Promise<Verdict> {
  const violations: Verdict["violations"] = { lost: [], wrong: [], duplicates: [], stranded: [], reruns: [] };
  const rows = (
    await db.query<Row>(
      `select id, kind, name, status, inputs, output, error, errors, attempt, parent_id, parent_handle, waits, worker_id
       from rhythm.executions`,
    )
  ).rows;
  const logs = (await db.query<{ execution_id: string; message: string }>(`select execution_id, message from rhythm.logs`)).rows;
  const ledger = (await db.query<LedgerRow>(`select execution_id, attempt, pid, phase, at from public.chaos_ledger`)).rows;

  const byParent = new Map<string, Row[]>();
  const roots = new Map<string, Row[]>();
  for (const r of rows) {
    if (r.parent_id) byParent.set(r.parent_id, [...(byParent.get(r.parent_id) ?? []), r]);
    else {
      const k = `${r.kind}:${r.inputs?.key}`;
      roots.set(k, [...(roots.get(k) ?? []), r]);
    }
  }
  const logsOf = new Map<string, string[]>();
  for (const l of logs) logsOf.set(l.execution_id, [...(logsOf.get(l.execution_id) ?? []), l.message]);
  const accounted = new Set<string>();

  // (parent, handle) names one effect of one activation: two executions for it mean an
  // activation's effects were written twice.
  const seen = new Map<string, string>();
  for (const r of rows) {
    if (!r.parent_id) continue;
    const k = `${r.parent_id}#${r.parent_handle}`;
    if (seen.has(k))
      violations.duplicates.push(`two executions for handle ${r.parent_handle} of ${r.parent_id}: ${seen.get(k)} and ${r.id}`);
    else seen.set(k, r.id);
  }

  const checkTask = (t: Row, where: string) => {
    accounted.add(t.id);
    const x = Number(t.inputs.x);
    const i = Number(t.inputs.i);
    const expect: Record<string, () => [string, unknown]> = {
      step: () => ["completed", step(x, i)],
      slow: () => ["completed", slow(x, i)],
      flaky: () => ["completed", flaky(x)],
      fatal: () => ["failed", fatalMessage(x)],
    };
    const e = expect[t.name];
    if (!e) return violations.wrong.push(`${where}: unexpected task "${t.name}" (${t.id})`);
    const [status, value] = e();
    if (t.status !== status) violations.wrong.push(`${where}: task ${t.name} ${t.id} is ${t.status}, expected ${status}`);
    else if (status === "completed" && canonical(t.output) !== canonical(value))
      violations.wrong.push(`${where}: task ${t.name} ${t.id} returned ${JSON.stringify(t.output)}, expected ${value}`);
    else if (status === "failed" && t.error?.message !== value)
      violations.wrong.push(`${where}: task ${t.name} ${t.id} failed with ${JSON.stringify(t.error)}, expected "${value}"`);
  };

  const checkWorkflow = (w: Row, p: PlannedWorkflow) => {
    accounted.add(w.id);
    const where = `${p.name} ${p.key} (${w.id})`;
    const x = p.expected;
    if (w.status !== x.status)
      violations.wrong.push(`${where}: ${w.status}, expected ${x.status} ${JSON.stringify(w.error ?? "")}`);
    else if (x.status === "completed" && canonical(w.output) !== canonical(x.output))
      violations.wrong.push(`${where}: output ${JSON.stringify(w.output)}, expected ${JSON.stringify(x.output)}`);
    else if (x.status === "failed" && w.error?.message !== x.errorMessage)
      violations.wrong.push(`${where}: error ${JSON.stringify(w.error)}, expected message "${x.errorMessage}"`);
    // console.log lines: each expected exactly once (an activation applied twice writes them twice)
    const got = logsOf.get(w.id) ?? [];
    const counts = new Map<string, number>();
    for (const m of got) counts.set(m, (counts.get(m) ?? 0) + 1);
    for (const line of x.logs) {
      const n = counts.get(line) ?? 0;
      if (n === 0) violations.lost.push(`${where}: log line missing: ${line}`);
      if (n > 1) violations.duplicates.push(`${where}: log line written ${n} times: ${line}`);
      counts.delete(line);
    }
    for (const [line] of counts) violations.wrong.push(`${where}: unexpected log line: ${line}`);
    // what it started: exactly the planned tasks and children
    const kids = byParent.get(w.id) ?? [];
    const tasks = kids.filter((k) => k.kind === "task");
    const byName = new Map<string, number>();
    for (const t of tasks) byName.set(t.name, (byName.get(t.name) ?? 0) + 1);
    for (const name of new Set([...byName.keys(), ...Object.keys(x.tasks)])) {
      const n = byName.get(name) ?? 0;
      const want = x.tasks[name] ?? 0;
      if (n < want) violations.lost.push(`${where}: started ${n} "${name}" tasks, expected ${want}`);
      if (n > want) violations.duplicates.push(`${where}: started ${n} "${name}" tasks, expected ${want}`);
    }
    tasks.forEach((t) => checkTask(t, where));
    const children = kids.filter((k) => k.kind === "workflow");
    for (const c of x.children) {
      const found = children.filter((k) => k.inputs?.key === c.key);
      if (found.length === 0) violations.lost.push(`${where}: child ${c.key} was never started`);
      if (found.length > 1) violations.duplicates.push(`${where}: child ${c.key} started ${found.length} times`);
      found.forEach((f) => checkWorkflow(f, c));
    }
    for (const k of children)
      if (!x.children.some((c) => c.key === k.inputs?.key)) violations.wrong.push(`${where}: unexpected child ${k.inputs?.key}`);
  };

  for (const p of plan.workflows) {
    const found = roots.get(`workflow:${p.key}`) ?? [];
    if (found.length === 0) violations.lost.push(`${p.name} ${p.key}: no execution`);
    if (found.length > 1) violations.duplicates.push(`${p.name} ${p.key}: ${found.length} executions`);
    found.forEach((w) => checkWorkflow(w, p));
  }
  for (const t of plan.standalone) {
    const found = roots.get(`task:${t.key}`) ?? [];
    if (found.length === 0) violations.lost.push(`standalone ${t.key}: no execution`);
    if (found.length > 1) violations.duplicates.push(`standalone ${t.key}: ${found.length} executions`);
    for (const r of found) {
      accounted.add(r.id);
      if (r.status !== "completed") violations.wrong.push(`standalone ${t.key} (${r.id}): ${r.status}, expected completed`);
      else if (r.output !== standalone(t.n))
        violations.wrong.push(`standalone ${t.key} (${r.id}): output ${JSON.stringify(r.output)}, expected ${t.expected}`);
    }
  }
  for (const r of rows) if (!accounted.has(r.id)) violations.wrong.push(`unplanned execution ${r.kind} ${r.name} ${r.id}`);

  // Stranded: anything not final once the run has drained, and anything left behind for finished
  // executions (a settlement, timer, wait or signal nobody will ever read).
  for (const r of rows.filter((r) => !FINAL.has(r.status)))
    violations.stranded.push(
      `${r.kind} ${r.name} ${r.inputs?.key ?? ""} ${r.id} is still ${r.status}` +
        (r.status === "suspended" ? `, waiting on ${JSON.stringify(r.waits)}` : "") +
        (r.status === "running" ? ` (claimed by ${r.worker_id})` : ""),
    );
  const leftovers = await db.query<{ what: string; execution_id: string; status: string }>(
    `select 'inbox' as what, x.execution_id, e.status from rhythm.inbox x join rhythm.executions e on e.id = x.execution_id
     union all select 'timer', x.execution_id, e.status from rhythm.timers x join rhythm.executions e on e.id = x.execution_id
     union all select 'signal wait', x.execution_id, e.status from rhythm.signal_waits x join rhythm.executions e on e.id = x.execution_id
     union all select 'buffered signal', x.execution_id, e.status from rhythm.signals x join rhythm.executions e on e.id = x.execution_id`,
  );
  for (const l of leftovers.rows) violations.stranded.push(`${l.what} left for ${l.status} execution ${l.execution_id}`);

  // The ledger: a handler start for an attempt after an earlier start of the same task is a
  // re-run; it is allowed only when the earlier attempt threw on purpose or its worker was killed
  // after that attempt started.
  const ledgerOf = new Map<string, LedgerRow[]>();
  for (const l of ledger) ledgerOf.set(l.execution_id, [...(ledgerOf.get(l.execution_id) ?? []), l]);
  const taskRows = new Map(rows.filter((r) => r.kind === "task").map((r) => [r.id, r]));
  let rerunsAfterKill = 0;
  let plannedRetries = 0;
  let claimsWithoutStart = 0;
  let taskStarts = 0;
  const afterCrash = new Map<number, number>();
  for (const [id, entries] of ledgerOf) {
    const t = taskRows.get(id);
    if (!t) {
      violations.wrong.push(`ledger rows for ${id}, which is not a task execution`);
      continue;
    }
    const starts = entries.filter((e) => e.phase === "start").sort((a, b) => a.attempt - b.attempt);
    taskStarts += starts.length;
    for (let k = 1; k < starts.length; k++) {
      if (starts[k].attempt === starts[k - 1].attempt) {
        violations.duplicates.push(
          `task ${t.name} ${id}: attempt ${starts[k].attempt} ran in two workers at once (pids ${starts[k - 1].pid} and ${starts[k].pid})`,
        );
        continue;
      }
      const prev = starts[k - 1];
      const threw = entries.some((e) => e.attempt === prev.attempt && e.phase === "threw");
      // the kill must fall between the earlier attempt's start and this re-run's start (ledger
      // times are the database's clock, kill times this machine's: the same clock here)
      const killed = kills.some(
        (x) => x.pid === prev.pid && x.at >= new Date(prev.at).getTime() - 50 && x.at <= new Date(starts[k].at).getTime() + 50,
      );
      if (threw) plannedRetries++;
      else if (killed) rerunsAfterKill++;
      else if (crashes.some((c) => c.pid === prev.pid)) afterCrash.set(prev.pid, (afterCrash.get(prev.pid) ?? 0) + 1);
      else {
        const finished = entries.some((e) => e.attempt === prev.attempt && e.phase === "finish");
        const err = t.errors.find((e) => e.attempt === prev.attempt);
        violations.reruns.push(
          `task ${t.name} ${id}: attempt ${starts[k].attempt} (pid ${starts[k].pid}) re-ran the handler after attempt ${prev.attempt} ` +
            `(pid ${prev.pid}, not killed${finished ? ", its handler had finished" : ""}) ended with ${err ? `${err.name}: ${err.message}` : "no recorded error"}`,
        );
      }
    }
    claimsWithoutStart += t.attempt - new Set(starts.map((s) => s.attempt)).size;
    if (t.status === "completed" && !entries.some((e) => e.attempt === t.attempt && e.phase === "finish"))
      violations.wrong.push(`task ${t.name} ${id}: completed by attempt ${t.attempt}, whose handler never finished`);
  }
  // a worker that died by itself is a violation of its own (worker problems); its attempts run again
  for (const [pid, n] of afterCrash)
    violations.reruns.push(
      `${n} task handlers re-ran because worker pid ${pid} died by itself, not by a SIGKILL (see worker problems)`,
    );
  for (const t of taskRows.values())
    if (FINAL.has(t.status) && !ledgerOf.has(t.id))
      violations.wrong.push(`task ${t.name} ${t.id}: ${t.status} without any handler run`);

  return {
    violations,
    counts: {
      executions: rows.length,
      rootWorkflows: rows.filter((r) => r.kind === "workflow" && !r.parent_id).length,
      childWorkflows: rows.filter((r) => r.kind === "workflow" && r.parent_id).length,
      workflowTasks: rows.filter((r) => r.kind === "task" && r.parent_id).length,
      standaloneTasks: rows.filter((r) => r.kind === "task" && !r.parent_id).length,
      taskStarts,
      rerunsAfterKill,
      plannedRetries,
      claimsWithoutStart,
    },
  };
}
