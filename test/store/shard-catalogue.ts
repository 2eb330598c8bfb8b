// Where each SQL statement of the engine would run on a distributed Postgres (Citus, docs/scale.md):
// the one source of truth that docs/scale.md's tables repeat and shard-routing.test.ts enforces.
// Every statement of src/store/queries is here; a new one fails the test until it is classified.
//
//   single    every distributed table it touches is filtered by one run's root_id: one shard
//   per-root  a batch whose every row names its run's root_id: the shards of the batch's runs
//             (one when the batch is of one run)
//   multi     scans, or finds rows by execution id alone: every shard (`fix` says what would route it)
//   reference touches only reference tables (or none): any node, no shard

export type Placement = "single" | "per-root" | "multi" | "reference";

/** The tables distributed by root_id and colocated with executions. */
export const DISTRIBUTED = ["executions", "inbox", "timers", "signal_waits", "signals", "logs", "awaiters"] as const;
/** Small global tables, copied to every node. */
export const REFERENCE = ["workflow_versions", "workers", "schedules"] as const;

export interface Entry {
  placement: Placement;
  /** On a path that runs per execution or per step (enqueue, claim, tasks, steps, signals, timers, leases); false: people's reads, operations, admin. */
  hot: boolean;
  /** Why it routes where it does. */
  why: string;
  /** Hot multi-shard statements: what would make them single-shard. */
  fix?: string;
}

const STEP = "the step path is being rewritten: the workflow's root_id is at hand (ActivationInput.rootId)";
const CLAIMED = "Claimed.root_id is at hand; add `root_id = $n` (claims.ts and tasks.ts are being rewritten)";

export const CATALOGUE: Record<string, Entry> = {
  // ── enqueue ──
  Enqueue: {
    placement: "per-root",
    hot: true,
    why: "each row names root_id (a root's own id, or its workflow's root): Citus sends each row to its shard",
  },
  EnqueueAndNotify: { placement: "per-root", hot: true, why: "as Enqueue, with the NOTIFY" },
  DebounceEnqueue: {
    placement: "multi",
    hot: true,
    why: "its conflict target, executions_debounce (kind, name, debounce_key), is a unique index across runs",
    fix: "the key's holder kept in a table distributed by the key (as idempotency keys), read before the insert",
  },
  ByIdempotencyKey: {
    placement: "multi",
    hot: true,
    why: "finds the holder of a key among all runs",
    fix: "a table of keys distributed by the key (idempotency_keys: key → id, root_id), written in the enqueue's transaction",
  },
  // ── claims and leases ──
  Claim: {
    placement: "multi",
    hot: true,
    why: "the queue scan: the runnable rows of a queue are on every shard",
    fix: "claim per shard, against the shard tables of the shards a worker leases (Claims on Citus)",
  },
  InboxFor: { placement: "multi", hot: true, why: "by execution ids of a claim batch", fix: CLAIMED },
  Heartbeat: { placement: "multi", hot: true, why: "by id and claim token", fix: CLAIMED },
  Release: { placement: "multi", hot: true, why: "by id and claim token", fix: CLAIMED },
  ReleaseLost: { placement: "multi", hot: true, why: "by id and claim token", fix: CLAIMED },
  HeldClaims: { placement: "multi", hot: true, why: "by (id, token) pairs", fix: CLAIMED },
  // ── tasks ──
  TasksComplete: { placement: "multi", hot: true, why: "by (id, token) rows", fix: CLAIMED },
  TasksCompleteStandalone: { placement: "multi", hot: true, why: "by (id, token) rows", fix: CLAIMED },
  TaskRetry: { placement: "multi", hot: true, why: "by id and claim token", fix: CLAIMED },
  TaskFail: { placement: "multi", hot: true, why: "by id and claim token", fix: CLAIMED },
  Expired: {
    placement: "multi",
    hot: true,
    why: "scans for leases that ran out, on every shard",
    fix: "inherent: a per-shard sweep (each shard's rows are independent)",
  },
  TaskRequeue: { placement: "multi", hot: false, why: "a person's retry, by id" },
  // ── a workflow step ──
  WakeLock: { placement: "multi", hot: true, why: "by workflow ids", fix: STEP },
  ActivationsSettle: {
    placement: "multi",
    hot: true,
    why: "by workflow ids; the children it inserts name their root",
    fix: STEP,
  },
  InboxConsume: { placement: "multi", hot: true, why: "by inbox seq", fix: STEP },
  FastStep: {
    placement: "single",
    hot: true,
    why: "a step in one statement: the task and its workflow by id and root, the next task and log lines with the root",
  },
  WaitInsert: { placement: "multi", hot: true, why: "root_id filled by the insert trigger", fix: STEP },
  DropHandles: { placement: "multi", hot: true, why: "by execution id", fix: STEP },
  DropAllWaits: { placement: "multi", hot: true, why: "by execution ids", fix: STEP },
  TimerInsert: { placement: "multi", hot: true, why: "root_id filled by the insert trigger", fix: STEP },
  LogInsert: { placement: "multi", hot: true, why: "root_id filled by the insert trigger", fix: STEP },
  SignalsMatch: { placement: "multi", hot: true, why: "by execution ids", fix: STEP },
  SignalRebuffer: { placement: "multi", hot: true, why: "by execution id", fix: STEP },
  Wake: {
    placement: "multi",
    hot: true,
    why: "by the ids of the workflows told (a parent, or awaiters of another run)",
    fix: "Delivery carries the target's root_id (a parent's is its child's; an awaiter's is read with it)",
  },
  InboxInsert: {
    placement: "per-root",
    hot: true,
    why: "each row names its workflow's root (Wake returned it; an operation's rows leave it to the trigger)",
  },
  AwaitersAdd: {
    placement: "multi",
    hot: true,
    why: "marks executions of other runs, found by idempotency key (a cross-run link by nature)",
    fix: "inherent: one statement per awaited run (its root read with it by ByIdempotencyKey)",
  },
  AwaitedOutcomes: { placement: "multi", hot: true, why: "by ids of executions of other runs", fix: "as AwaitersAdd" },
  AwaitersTake: { placement: "multi", hot: true, why: "by execution ids", fix: CLAIMED },
  Notify: { placement: "reference", hot: true, why: "pg_notify only (on Citus: the coordinator's)" },
  NotifyMany: { placement: "reference", hot: true, why: "pg_notify only" },
  VersionProgram: { placement: "reference", hot: true, why: "workflow_versions" },
  VersionNewest: { placement: "reference", hot: true, why: "workflow_versions" },
  // ── signals ──
  LockExecutions: {
    placement: "multi",
    hot: true,
    why: "a client names a workflow by id alone; it reads each target's root",
    fix: "ids that carry their shard (a child's id sharing its root's hash bits), or clients that pass the root",
  },
  SignalsSend: { placement: "per-root", hot: true, why: "each row names its workflow's root (LockExecutions read it)" },
  // ── timers and deadlines ──
  TimersDue: {
    placement: "multi",
    hot: true,
    why: "scans timers due, on every shard",
    fix: "inherent: a per-shard sweep",
  },
  SignalWaitsTimedOut: { placement: "per-root", hot: true, why: "each row names its root (TimersDue returned it)" },
  NextDue: {
    placement: "multi",
    hot: true,
    why: "the next timer and queued row of every shard",
    fix: "inherent: min over shards (a cheap index probe each)",
  },
  DeadlinesDue: {
    placement: "multi",
    hot: true,
    why: "scans deadlines due; joins timers to executions on root_id (colocated)",
    fix: "inherent: a per-shard sweep",
  },
  TimeOut: { placement: "single", hot: true, why: "by id and root (DeadlinesDue returned it)" },
  // ── cancellation ──
  LockExecution: {
    placement: "multi",
    hot: true,
    why: "a client names the execution by id alone; it reads the root",
    fix: "as LockExecutions",
  },
  Cancel: { placement: "single", hot: true, why: "by id and root (LockExecution read it)" },
  Children: { placement: "single", hot: true, why: "a parent's children share its root" },
  // ── schedules, workers, retention ──
  ScheduleDue: { placement: "reference", hot: true, why: "schedules" },
  ScheduleLive: {
    placement: "multi",
    hot: true,
    why: "the live executions of a schedule are roots of their own runs",
    fix: "keep a schedule's live run ids on its schedules row",
  },
  ScheduleMark: {
    placement: "multi",
    hot: true,
    why: "by the ids of the roots a tick started",
    fix: "the tick knows the roots it started (a root's root_id is its id): `root_id = any($2)`",
  },
  ScheduleAdvance: { placement: "reference", hot: true, why: "schedules" },
  ScheduleNext: { placement: "reference", hot: true, why: "schedules" },
  WorkerBeat: {
    placement: "multi",
    hot: true,
    why: "writes the workers row, and reads the next timer, queued row and lease to expire of every shard",
    fix: "inherent: the worker row on the coordinator, the due times a min over shards (an index probe each)",
  },
  PruneBatch: {
    placement: "multi",
    hot: true,
    why: "scans old finished executions; the awaiters check crosses runs",
    fix: "inherent: a per-shard sweep; whole runs deleted together once their root finished",
  },
  // ── reads by people (get, list, dashboard, inspect) ──
  Get: { placement: "multi", hot: false, why: "by id alone (client get/wait)" },
  GetDetailed: { placement: "multi", hot: false, why: "by id alone" },
  ListByParent: { placement: "multi", hot: false, why: "by parent id" },
  ListByStatus: { placement: "multi", hot: false, why: "a page over all runs" },
  List: { placement: "multi", hot: false, why: "a page over all runs" },
  ListByIdPrefix: { placement: "multi", hot: false, why: "by id range" },
  QueuedChildren: { placement: "multi", hot: false, why: "by parent ids" },
  Logs: { placement: "multi", hot: false, why: "by execution id" },
  InspectState: { placement: "multi", hot: false, why: "by id alone" },
  InspectHandles: { placement: "multi", hot: false, why: "by workflow id" },
  Timeline: { placement: "multi", hot: false, why: "by id alone" },
  TimelineLogs: { placement: "multi", hot: false, why: "by id alone" },
  QueueDepths: { placement: "multi", hot: false, why: "counts over all runs" },
  StatusCounts: { placement: "multi", hot: false, why: "counts over all runs" },
  FinishedByQueue: { placement: "multi", hot: false, why: "by ids" },
  VersionList: { placement: "reference", hot: false, why: "workflow_versions" },
  VersionSource: { placement: "reference", hot: false, why: "workflow_versions" },
  VersionUpsert: { placement: "reference", hot: false, why: "workflow_versions" },
  VersionNames: { placement: "reference", hot: false, why: "workflow_versions" },
  LiveWorkers: { placement: "reference", hot: false, why: "workers" },
  WorkerGone: { placement: "reference", hot: false, why: "workers" },
  PruneCount: { placement: "multi", hot: false, why: "counts over all runs" },
  // ── operations on paused runs (rhythm fork, set, retry, upgrade) ──
  OpLock: { placement: "multi", hot: false, why: "by id alone" },
  OpHandleExecutions: { placement: "multi", hot: false, why: "by parent id; awaiters of other runs" },
  OpWriteState: { placement: "multi", hot: false, why: "by id (OpLock read the root: could name it)" },
  OpInsertFork: { placement: "multi", hot: false, why: "reads the original by id; the fork is a new root" },
  OpResume: { placement: "multi", hot: false, why: "by id" },
  OpRequeueTask: { placement: "multi", hot: false, why: "by id" },
  OpVersion: { placement: "reference", hot: false, why: "workflow_versions" },
  OpPausedOf: { placement: "multi", hot: false, why: "a scan of one workflow's runs" },
  OpMove: { placement: "multi", hot: false, why: "by id" },
  OpSetVersion: { placement: "multi", hot: false, why: "by id" },
  // ── schedule administration ──
  ScheduleLock: { placement: "reference", hot: false, why: "schedules" },
  DbNow: { placement: "reference", hot: false, why: "no table" },
  ScheduleUpsert: { placement: "reference", hot: false, why: "schedules" },
  ScheduleDelete: { placement: "reference", hot: false, why: "schedules" },
  ScheduleSetPaused: { placement: "reference", hot: false, why: "schedules" },
  ScheduleList: { placement: "reference", hot: false, why: "schedules" },
  ScheduleGet: { placement: "reference", hot: false, why: "schedules" },
};

/** A table a statement names, with the alias it is read by (the table's name when it has none). */
export interface TableUse {
  table: string;
  alias: string;
  insert: boolean;
}

const NOT_ALIASES = new Set(
  "where set using on join left right inner cross order for group limit returning union select from as values with having window and or on conflict do".split(
    " ",
  ),
);

/** Every use of a table of the schema (`"<schema>".<table>`) in a statement. */
export function tableUses(sql: string, schema: string): TableUse[] {
  const out: TableUse[] = [];
  const re = new RegExp(`(insert\\s+into\\s+)?(?<!')"${schema}"\\.(\\w+)\\b(?!')(?:\\s+(?:as\\s+)?(\\w+))?`, "gi");
  for (const m of sql.matchAll(re)) {
    const alias = m[3] && !NOT_ALIASES.has(m[3].toLowerCase()) ? m[3] : m[2];
    out.push({ table: m[2], alias, insert: m[1] !== undefined });
  }
  return out;
}

/**
 * The uses of distributed tables a statement does not filter by root_id: an insert whose column
 * list lacks it, an alias never compared on `alias.root_id`, a table without an alias whose
 * statement compares no bare `root_id`.
 */
export function unrouted(sql: string, schema: string): string[] {
  const bad: string[] = [];
  for (const u of tableUses(sql, schema)) {
    if (!(DISTRIBUTED as readonly string[]).includes(u.table)) continue;
    if (u.insert) {
      const cols = new RegExp(`"${schema}"\\.${u.table}\\s*(?:as\\s+\\w+\\s*)?\\(([^)]*)\\)`, "i").exec(sql);
      if (!cols || !/\broot_id\b/.test(cols[1])) bad.push(`insert into ${u.table} without root_id`);
      continue;
    }
    const compared =
      u.alias === u.table
        ? /(?<![\w.])root_id\s*(=|in\b)|=\s*(\w+\.)?root_id\b/.test(sql.replace(/\bset\b[\s\S]*?\bwhere\b/gi, "where"))
        : new RegExp(`\\b${u.alias}\\.root_id\\s*(=|in\\b)|=\\s*${u.alias}\\.root_id\\b`).test(sql);
    if (!compared) bad.push(`${u.table}${u.alias === u.table ? "" : ` ${u.alias}`} not filtered by root_id`);
  }
  return bad;
}
