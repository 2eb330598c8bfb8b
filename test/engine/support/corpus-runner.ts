// Runs language-corpus programs on the real engine the way `rhythm run` runs them in memory:
// - children: every folder's files deployed by name, in one schema per group of folders whose file
//   names do not clash, so `Workflow.run("x")` finds what `rhythm run` finds in the program's folder;
// - signals: all programs are started and their signals sent before any worker runs, so the
//   signals wait in the buffer before the first activation, as `rhythm run` delivers them;
// - tasks: each name `rhythm run` calls is registered with a handler that answers with the mock of
//   that run (`mockOutcome`, the memory host's own code), with the attempt's index among that run's
//   handler calls of the name — calls in creation order (children included: SPEC §5's one counter
//   per name), each retry taking the next — and `retries: 0`, since `rhythm run` calls a mock
//   once unless the call gives `retries`; a failing or missing mock throws the same error record
//   `rhythm run` builds (`no mock for task "x" …` for a missing one), so the TaskError matches;
// - limits: a worker per distinct `limits` header, on a queue of its own;
// - the end: a run is read back when nothing in it is queued or running and no timer is pending.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Rhythm } from "../../../src/index.js";
import { mockOutcome, type TaskMock } from "../../../src/testing/mocks.js";
import type { Driver } from "../../../src/store/driver.js";
import { CORPUS_ROOT, parseHeader, type CorpusCase } from "../../support/corpus.js";
import type { TestDatabase } from "../../support/database.js";
import { connectTo } from "../../support/engine.js";

/** A log line as both hosts record it. */
export interface LogView {
  level: string;
  message: string;
  line: number | null;
  /** console.* or the interpreter's own note. */
  source: string | null;
}

/** A program's run on the engine, in the shape of `rhythm run`'s result. */
export interface EngineResult {
  /** completed | failed | suspended once the run is idle; queued | running | cancelled otherwise. */
  status: string;
  output: unknown;
  error: unknown;
  /** Where a failed workflow threw, as the engine records it (null when it has no place). */
  errorAt: string | null;
  taskCalls: { name: string; inputs: unknown }[];
  rootLogs: LogView[];
  /** Each child workflow's log, `{ workflow, lines }`, for children that logged. */
  childLogs: { workflow: string; lines: LogView[] }[];
  /** What the root waits on, when suspended. */
  waits: { description: string; function: string; line: number; column: number }[];
  /** Set when the run did not become idle before the deadline, or could not start: why. */
  problem?: string;
}

export interface RunOptions {
  /** Task names to register (every name some program calls); each answers per its run's mocks. */
  taskNames: Iterable<string>;
  /** How long every run together may take to become idle (default 90 s). */
  deadlineMs?: number;
  /** Concurrency of each namespace's worker (default 64). */
  concurrency?: number;
  /** Each task handler first sleeps a random 0..jitterMs ms: shuffles when tasks settle, to find
   *  programs whose result depends on it (default 0). */
  jitterMs?: number;
  /** Prefix of the schemas this call creates (default "corpus"); a second call on the same
   *  database gives another. */
  schemaPrefix?: string;
}

interface Namespace {
  schema: string;
  dir: string;
  areas: string[];
  rhythm: Rhythm;
  ledger: Ledger;
}

interface Run {
  c: CorpusCase;
  ns: Namespace;
  id: string | null;
  problem?: string;
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

/**
 * Splits the corpus folders into namespaces (one database schema each) so that workflow names are
 * unique within each: `Workflow.run("x")` then finds what `rhythm run` finds in the program's own
 * folder. (Folders share a schema unless two hold a file of the same name.)
 */
export function namespacesOf(files: Map<string, string[]>): string[][] {
  const spaces: { areas: string[]; names: Set<string> }[] = [];
  for (const [area, list] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const names = list.map((f) => basename(f, ".flow"));
    let space = spaces.find((s) => names.every((n) => !s.names.has(n)));
    if (!space) spaces.push((space = { areas: [], names: new Set() }));
    space.areas.push(area);
    for (const n of names) space.names.add(n);
  }
  return spaces.map((s) => s.areas);
}

/** Every `.flow` file of each corpus folder that loads (children `_x.flow` included), by folder. */
export function loadableFiles(root = CORPUS_ROOT): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const area of readdirSync(root, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    const dir = join(root, area.name);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".flow"))
      .sort()
      .map((f) => join(dir, f))
      .filter((f) => !parseHeader(readFileSync(f, "utf8"), f).check);
    if (files.length > 0) out.set(area.name, files);
  }
  return out;
}

/**
 * Runs `cases` on one database: one client per namespace, one worker each (plus one per distinct
 * `limits` header, on a queue of its own), all programs in flight at once.
 */
export async function runOnEngine(
  db: TestDatabase,
  cases: CorpusCase[],
  options: RunOptions,
): Promise<Map<string, EngineResult>> {
  const files = loadableFiles();
  const areasOf = (c: CorpusCase) => dirname(c.name);
  const wanted = new Set(cases.map(areasOf));
  const used = new Map([...files].filter(([area]) => wanted.has(area)));
  const root = mkdtempSync(join(tmpdir(), "rhythm-corpus-engine-"));
  const spaces: Namespace[] = [];
  const extra: Rhythm[] = [];
  try {
    // ── deploy: one schema and one folder per namespace ─────────────────────────────────────
    for (const [i, areas] of namespacesOf(used).entries()) {
      const schema = `${options.schemaPrefix ?? "corpus"}_${i + 1}`;
      const dir = join(root, schema);
      mkdirSync(dir);
      for (const area of areas) for (const f of used.get(area)!) writeFileSync(join(dir, basename(f)), readFileSync(f));
      const rhythm = await connectTo(db, dir, { schema });
      spaces.push({ schema, dir, areas, rhythm, ledger: new Ledger(db.driver, schema) });
      await rhythm.deploy(dir);
    }
    const nsOf = (c: CorpusCase) => spaces.find((s) => s.areas.includes(areasOf(c)))!;

    // ── task handlers: the header's mocks, one counter per task name per run ───────────────
    const byRoot = new Map<string, Run>();
    for (const ns of spaces) {
      for (const name of options.taskNames) {
        ns.rhythm.task(
          name,
          async (inputs, ctx) => {
            if (options.jitterMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * options.jitterMs!));
            const { root: rootId, index } = await ns.ledger.callIndex(ctx.executionId, name, ctx.attempt);
            const run = rootId === null ? undefined : byRoot.get(rootId);
            const mocks = run?.c.header.mocks as Record<string, TaskMock> | undefined;
            const outcome = await mockOutcome(mocks?.[name], name, inputs, index, {
              executionId: ctx.executionId,
              attempt: ctx.attempt,
              parentId: ctx.parentId,
            });
            if (outcome.ok) return outcome.value;
            // Thrown as the record `rhythm run` builds ({ name: "Error", ...fails }): the engine
            // stores a thrown record as { name, message, ...its other fields }.
            throw outcome.error;
          },
          // `rhythm run` calls a mock once and fails its handle at the first failure.
          { retries: 0 },
        );
      }
    }

    // ── start everything, then buffer the signals, then start the workers ──────────────────
    const queueOf = (c: CorpusCase) => (c.header.limits ? `limits-${JSON.stringify(c.header.limits)}` : undefined);
    const runs: Run[] = [];
    for (const c of cases) {
      const ns = nsOf(c);
      const run: Run = { c, ns, id: null };
      runs.push(run);
      try {
        const queue = queueOf(c);
        run.id = await ns.rhythm.startWorkflow(
          basename(c.name, ".flow"),
          (c.header.inputs ?? {}) as object,
          queue ? { queue } : {},
        );
        byRoot.set(run.id, run);
      } catch (e) {
        run.problem = `the engine refused to start it: ${(e as Error).message}`;
      }
    }
    for (const ns of spaces) {
      const signals = runs
        .filter((r) => r.ns === ns && r.id !== null)
        .flatMap((r) =>
          // forced: like rhythm run's --signal, a name the program never waits on is buffered
          // (some programs test just that), where signal() would refuse it (UNKNOWN_SIGNAL)
          ((r.c.header.signals ?? []) as [string, unknown][]).map(([name, payload]) => ({
            id: r.id!,
            name,
            payload,
            force: true,
          })),
        );
      if (signals.length > 0) await ns.rhythm.signalMany(signals);
    }
    const concurrency = options.concurrency ?? 64;
    for (const ns of spaces) await ns.rhythm.worker({ concurrency, pollIntervalMs: 100 }).start();
    // Interpreter limits are a worker's: a worker per distinct `limits` header, on its own queue
    // (children inherit it; tasks stay on the default queue).
    const limitQueues = new Map<string, { ns: Namespace; limits: object }>();
    for (const r of runs) {
      const q = queueOf(r.c);
      if (q) limitQueues.set(`${r.ns.schema}/${q}`, { ns: r.ns, limits: r.c.header.limits as object });
    }
    for (const [key, { ns, limits }] of limitQueues) {
      const client = await connectTo(db, ns.dir, { schema: ns.schema });
      extra.push(client);
      await client.deploy(ns.dir);
      await client.worker({ queues: [key.slice(ns.schema.length + 1)], limits, concurrency: 8, pollIntervalMs: 100 }).start();
    }

    // ── wait until every run is idle ────────────────────────────────────────────────────────
    const deadline = Date.now() + (options.deadlineMs ?? 90_000);
    const idle = new Map<string, TreeRow[]>();
    for (;;) {
      for (const ns of spaces) {
        const pending = runs.filter((r) => r.ns === ns && r.id !== null && !idle.has(r.id)).map((r) => r.id!);
        if (pending.length === 0) continue;
        for (const [rootId, rows] of await ns.ledger.trees(pending)) if (isIdle(rootId, rows)) idle.set(rootId, rows);
      }
      if (runs.every((r) => r.id === null || idle.has(r.id)) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // ── read every run back ─────────────────────────────────────────────────────────────────
    const results = new Map<string, EngineResult>();
    for (const r of runs) {
      if (r.id === null) {
        results.set(r.c.name, { ...EMPTY, status: "not started", problem: r.problem });
        continue;
      }
      results.set(r.c.name, await readBack(r, idle.get(r.id) ?? null));
    }
    return results;
  } finally {
    for (const c of extra) await c.close();
    for (const ns of spaces) await ns.rhythm.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const EMPTY: EngineResult = {
  status: "",
  output: null,
  error: null,
  errorAt: null,
  taskCalls: [],
  rootLogs: [],
  childLogs: [],
  waits: [],
};

/** Nothing of the run is queued or running and no timer is pending: it can progress no more. */
function isIdle(rootId: string, rows: TreeRow[]): boolean {
  const root = rows.find((r) => r.id === rootId);
  if (!root || !(FINAL.has(root.status) || root.status === "suspended")) return false;
  return rows.every((r) => r.status !== "queued" && r.status !== "running" && !r.timer);
}

async function readBack(r: Run, tree: TreeRow[] | null): Promise<EngineResult> {
  const { rhythm, ledger } = r.ns;
  const e = (await rhythm.get(r.id!))!;
  const logsOf = async (id: string): Promise<LogView[]> =>
    (await rhythm.logs(id)).map(({ level, message, line, source }) => ({ level, message, line, source: source ?? null }));
  const children = (tree ?? (await ledger.trees([r.id!])).get(r.id!) ?? []).filter((x) => x.kind === "workflow" && x.id !== r.id);
  const childLogs: EngineResult["childLogs"] = [];
  for (const child of children) {
    const lines = await logsOf(child.id);
    if (lines.length > 0) childLogs.push({ workflow: child.name, lines });
  }
  const result: EngineResult = {
    status: e.status,
    output: e.output,
    error: e.error,
    errorAt: e.errorAt ?? null,
    taskCalls: await ledger.rootTaskCalls(r.id!),
    rootLogs: await logsOf(r.id!),
    childLogs,
    waits: (e.waitingOn ?? []).map(({ description, function: fn, line, column }) => ({
      description,
      function: fn,
      line,
      column,
    })),
  };
  if (tree === null) result.problem = `not idle at the deadline: ${e.status}${e.blocked ? ` (${e.blocked})` : ""}`;
  return result;
}

interface TreeRow {
  root: string;
  id: string;
  kind: "workflow" | "task";
  name: string;
  status: string;
  timer: boolean;
}

/**
 * What the public API does not say and this suite needs, read from the tables: a run's executions
 * (root, children, their tasks), which task of a run a handler is answering, and the root's tasks
 * in call order (`parent_handle` grows with each call: handles are numbered as they are made).
 */
class Ledger {
  constructor(
    private readonly driver: Driver,
    private readonly schema: string,
  ) {}

  /** Each root's executions (itself included), with whether a timer of theirs is pending. */
  async trees(roots: string[]): Promise<Map<string, TreeRow[]>> {
    const s = this.schema;
    const r = await this.driver.query<TreeRow>(
      `with recursive tree(root, id) as (
         select id, id from ${s}.executions where id = any($1::uuid[])
         union all
         select tree.root, e.id from ${s}.executions e join tree on e.parent_id = tree.id)
       select tree.root, e.id, e.kind, e.name, e.status,
         exists (select 1 from ${s}.timers t where t.execution_id = e.id) as timer
       from tree join ${s}.executions e on e.id = tree.id`,
      [roots],
    );
    const out = new Map<string, TreeRow[]>();
    for (const row of r.rows) out.set(row.root, [...(out.get(row.root) ?? []), row]);
    return out;
  }

  /**
   * The run (root workflow) a task's attempt belongs to, and how many handler calls of the same
   * task name that run made before it: the attempts of the tasks created before it — in creation
   * order: by transaction, then by the calling execution (the root and children started earlier
   * first, as `rhythm run` activates them), then by handle — and its own earlier attempts. (Exact
   * when a task's retries end before the next task of its name starts, as in the corpus.)
   */
  async callIndex(taskId: string, name: string, attempt: number): Promise<{ root: string | null; index: number }> {
    const s = this.schema;
    const r = await this.driver.query<{ root: string | null; id: string; attempt: number }>(
      `with recursive up(id, parent_id) as (
         select p.id, p.parent_id from ${s}.executions t join ${s}.executions p on p.id = t.parent_id where t.id = $1
         union all
         select e.id, e.parent_id from ${s}.executions e join up on e.id = up.parent_id),
       root(id) as (select id from up where parent_id is null),
       tree(id) as (
         select id from root
         union all
         select e.id from ${s}.executions e join tree on e.parent_id = tree.id where e.kind = 'workflow')
       select (select id from root) as root, t.id, t.attempt
       from ${s}.executions t join ${s}.executions p on p.id = t.parent_id
       where t.kind = 'task' and t.name = $2 and t.parent_id in (select id from tree)
       order by t.created_at, p.created_at, p.parent_handle nulls first, t.parent_handle`,
      [taskId, name],
    );
    const at = r.rows.findIndex((row) => row.id === taskId);
    // (fails the task, and so the program's comparison, rather than answer with a wrong mock)
    if (at < 0) throw new Error(`task ${taskId} ("${name}") is not among the calls of a corpus run`);
    const before = r.rows.slice(0, at).reduce((n, row) => n + Math.max(1, row.attempt), 0);
    return { root: r.rows[0].root, index: before + attempt - 1 };
  }

  /** The root's Task.run calls in call order, with the inputs stored for each. */
  async rootTaskCalls(rootId: string): Promise<{ name: string; inputs: unknown }[]> {
    const r = await this.driver.query<{ name: string; inputs: unknown }>(
      `select name, inputs from ${this.schema}.executions where parent_id = $1 and kind = 'task' order by parent_handle`,
      [rootId],
    );
    return r.rows.map(({ name, inputs }) => ({ name, inputs }));
  }
}
