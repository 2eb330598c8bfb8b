// The public API of SPEC §4: connect, register tasks, run workers, start workflows, queue tasks,
// signal, inspect, wait, list and cancel. Errors are typed RhythmErrors with stable codes.

import { debounceOf, runTimeoutMs } from "./flow-control-checks.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compileFlow, type CompiledFlow } from "../compiler/index.js";
import { FlowLoadError } from "../lang/index.js";
import type { Driver, Queryable } from "../store/driver.js";
import type { Execution } from "../store/execution.js";
import { migrate } from "../store/migrate.js";
import { Store, type Enqueued } from "../store/store.js";

export type { Enqueued };
export type { EnqueueOptions, TaskEnqueueOptions, WorkflowEnqueueOptions };
export type { DebounceOptions } from "./flow-control-checks.js";
import type { EnqueueItem, ListFilter } from "../store/types.js";
import type { LiveWorker } from "../store/workers.js";
import { ProgramCache } from "../worker/program-cache.js";
import { TaskRegistry, registeredFlowControl, type TaskHandler, type TaskOptions } from "../worker/registry.js";
import { durationArgument as duration } from "../shared/durations.js";
import { isExecutionId } from "../shared/ids.js";
import { retryPolicy } from "../shared/retries.js";
import { Worker, type WorkerOptions } from "../worker/worker.js";
import { tracedEnqueue } from "../worker/telemetry.js";
import { chooseDatabase, describeTarget, firstContact, openDriver } from "./connection.js";
import { folderCheckOptions } from "./flow-folder.js";
import { FinishWatcher } from "./finish-watcher.js";
import { waitForFinish } from "./wait.js";
import { ExecutionNotFoundError, InvalidArgumentError, RetryRefusedError, WorkflowNotFoundError } from "./errors.js";
import { changeNotice, type ChangeNotice } from "./changes.js";
import { queueOverview, type QueueOverview } from "./queues.js";
import { ThroughputMeter, type Throughput } from "./throughput.js";
import type { QueueDepth, Timeline, VersionSummary } from "../store/overview.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, jsonInput } from "./json-input.js";
import { checkedResult } from "./task-output.js";
import {
  prune,
  ScheduleNotFoundError,
  setSchedule,
  triggerSchedule,
  type PruneOptions,
  type Schedule,
  type ScheduleOptions,
} from "./schedules.js";
import {
  checkedPayloadLimit,
  checkedSchema,
  common,
  isThenable,
  checkedListFilter,
  knownOptions,
  refuse,
  requireList,
  requireName,
  timeoutMs,
  type EnqueueOptions,
  type TaskEnqueueOptions,
  type WorkflowEnqueueOptions,
} from "./enqueue-checks.js";
import { inspectExecution, type ExecutionInspection } from "./inspect.js";
import {
  forkExecution,
  retryWorkflow,
  setVariable,
  type ForkResult,
  type SetVariableOptions,
  type VariableChange,
} from "./operations.js";
import { upgradeAll, upgradeExecution, type RunUpgrade, type UpgradeOptions } from "./upgrade.js";
import type { ShowLimits } from "../vm/show-value.js";

export interface ConnectOptions {
  /**
   * Postgres URL. Default: RHYTHM_DATABASE_URL, else a running `rhythm dev` in this folder, else
   * embedded PGlite in ./.rhythm/. An empty string counts as not given. DATABASE_URL is not read:
   * to use your app's database, pass it here (Rhythm keeps to its own schema).
   */
  databaseUrl?: string;
  /**
   * Folder of .flow files deployed when a worker starts (default "./workflows"); `false`: workers
   * deploy nothing (the workflows are deployed otherwise: `rhythm deploy`, `deploy(dir)`).
   */
  workflows?: string | false;
  /** Schema holding all of Rhythm's tables (default "rhythm"). */
  schema?: string;
  /**
   * Largest payload, in bytes of JSON (default 1 MiB): workflow and task inputs and signal payloads
   * given to this client, results its task handlers return, and task inputs and outputs its
   * workers' workflows produce. Larger ones are refused before anything is written.
   */
  maxPayloadBytes?: number;
  /**
   * Statements run as named prepared statements, parsed and planned once per connection (default
   * true, or RHYTHM_PREPARED_STATEMENTS=off). Turn off behind a pooler that does not keep them
   * across transactions, such as PgBouncer in transaction mode before 1.21.
   */
  preparedStatements?: boolean;
}

export class Rhythm {
  private readonly registry = new TaskRegistry();
  private readonly programs: ProgramCache;
  private readonly localWorkers = new Set<Worker>();
  private deployedFrom: string | null = null;
  private readonly finishes: FinishWatcher;
  private meter: Promise<ThroughputMeter> | null = null;

  private readonly store: Store;

  private constructor(
    /** The connection this client (and its workers) use. */
    readonly driver: Driver,
    schema: string,
    private readonly options: ConnectOptions,
    private readonly ownsDriver = true,
    private readonly where = "a database given by its driver",
  ) {
    this.store = new Store(driver, schema);
    this.programs = new ProgramCache(this.store);
    this.finishes = new FinishWatcher(driver, this.store.channel);
  }

  /**
   * A client over a driver you already have (a shared PGlite, say); `close()` leaves the driver
   * open. Applies migrations like `connect`.
   */
  static async connectWith(driver: Driver, options: Omit<ConnectOptions, "databaseUrl"> = {}): Promise<Rhythm> {
    const schema = checkedSchema(options.schema);
    checkedPayloadLimit(options.maxPayloadBytes);
    await firstContact(driver, "the driver's connection string", () => migrate(driver, schema));
    return new Rhythm(driver, schema, options, false);
  }

  /**
   * Connects (embedded PGlite when no URL is configured) and applies migrations. A server that
   * cannot be used throws DatabaseNotFoundError (`DATABASE_NOT_FOUND`), DatabaseUnreachableError
   * (`DATABASE_UNREACHABLE`) or DatabaseAuthError (`DATABASE_AUTH_FAILED`), each saying what to do.
   */
  static async connect(options: ConnectOptions = {}): Promise<Rhythm> {
    const schema = checkedSchema(options.schema);
    checkedPayloadLimit(options.maxPayloadBytes);
    const choice = chooseDatabase(options.databaseUrl);
    const driver = await openDriver(choice, { preparedStatements: options.preparedStatements });
    try {
      await firstContact(driver, choice.from, () => migrate(driver, schema));
    } catch (e) {
      // the pool (or the embedded database and its lock file) is not left behind
      await driver.close().catch(() => {});
      throw e;
    }
    return new Rhythm(driver, schema, options, true, describeTarget(options.databaseUrl));
  }

  /**
   * Which database this client uses, for people: `embedded PGlite in ./.rhythm/data`, a
   * Postgres URL with its password hidden, or a `rhythm dev` server.
   */
  describeDatabase(): string {
    return this.where;
  }

  private get maxPayloadBytes(): number {
    return this.options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  }

  // ── workflows and tasks ───────────────────────────────────────────────────────────────────

  /** Registers a task handler: `async (inputs, ctx) => output`. */
  task(name: string, handler: TaskHandler, options: TaskOptions = {}): this {
    requireName(name, "task name");
    if (typeof handler !== "function") throw new InvalidArgumentError(`task "${name}": the handler must be a function`);
    knownOptions(options, "task", `task "${name}"`);
    retryPolicy(options.retries, `task "${name}"`);
    if (options.timeout !== undefined) timeoutMs(options.timeout, `task "${name}": timeout`);
    if (options.queue !== undefined) requireName(options.queue, `task "${name}": queue`);
    if (typeof options.concurrency !== "object" || options.concurrency === null) {
      if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1))
        throw new InvalidArgumentError(`task "${name}": concurrency must be a positive integer or { key, limit }`);
    }
    registeredFlowControl(name, options); // a bad key or rate limit is refused here
    // A result that cannot be stored fails the attempt at once (retrying would return it again).
    const limit = this.maxPayloadBytes;
    // (no async wrapper: a handler's promise is continued, a plain value checked at once)
    const checked: TaskHandler = (inputs, ctx) => {
      const result = handler(inputs, ctx);
      return isThenable(result)
        ? Promise.resolve(result).then((value) => checkedResult(value, name, limit))
        : checkedResult(result, name, limit);
    };
    this.registry.register(name, checked, options);
    return this;
  }

  /** Stores every .flow of a folder by (name, sha256 of source); returns what was stored. */
  async deploy(dir = this.options.workflows || "workflows"): Promise<{ name: string; version: string }[]> {
    if (!existsSync(dir)) return [];
    const flows: (CompiledFlow & { name: string })[] = [];
    const errors: FlowLoadError[] = [];
    // what `rhythm check` checks: the standard library's use, and Workflow.run names in the folder
    // or already stored
    const checks = folderCheckOptions(dir, await this.store.workflowNames());
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith(".flow"))
      .sort()) {
      const path = join(dir, file);
      try {
        flows.push({ name: basename(file, ".flow"), ...compileFlow(readFileSync(path, "utf8"), path, checks) });
      } catch (e) {
        if (e instanceof FlowLoadError) errors.push(e);
        else throw e;
      }
    }
    // Nothing invalid is stored, and nothing is stored while any file is invalid.
    if (errors.length > 0) throw new FlowLoadError(errors.flatMap((e) => e.errors));
    await this.store.upsertVersions(
      flows.map((f) => ({ name: f.name, version: f.version, source: f.source, program: f.program })),
    );
    this.programs.noteDeployed(flows.map((f) => f.name));
    this.deployedFrom = dir;
    return flows.map((f) => ({ name: f.name, version: f.version }));
  }

  /** A worker for this process's registered tasks (and any workflow). Call start() on it. */
  worker(options: WorkerOptions = {}): Worker {
    const rhythm = this;
    knownOptions(options, "worker", "worker");
    if (options.queues !== undefined) {
      if (!Array.isArray(options.queues) || options.queues.length === 0)
        throw new InvalidArgumentError("worker: queues must be a non-empty array of queue names");
      for (const q of options.queues) requireName(q, "worker: a queue name");
    }
    // Workflows this worker runs are held to the client's payload limit too.
    const limits = { maxPayloadBytes: this.maxPayloadBytes, ...options.limits };
    const w = new Worker(this.store, this.registry, this.programs, { ...options, limits });
    const start = w.start.bind(w);
    // Workers deploy the workflow folder when they start (SPEC §3, versions), within the start's
    // wait for a database that cannot be reached yet.
    const deploys = this.options.workflows !== false;
    w.start = () => start(() => (deploys && rhythm.deployedFrom === null ? rhythm.deploy() : Promise.resolve()));
    this.localWorkers.add(w);
    return w;
  }

  async startWorkflow(name: string, inputs: unknown = {}, options: WorkflowEnqueueOptions = {}): Promise<string> {
    return (await this.startWorkflows(name, [inputs], options))[0];
  }

  /** Starts several executions of one workflow in one round trip. */
  async startWorkflows(name: string, inputsList: unknown[], options: WorkflowEnqueueOptions = {}): Promise<string[]> {
    return (await this.enqueueWorkflows(name, inputsList, options)).map((e) => e.id);
  }

  /**
   * startWorkflow, saying whether it started one: `created` is false when `idempotencyKey` was
   * taken, and `id` is then the execution that has the key (which may have finished). Known from
   * the insert itself, with no read more.
   */
  async enqueueWorkflow(name: string, inputs: unknown = {}, options: WorkflowEnqueueOptions = {}): Promise<Enqueued> {
    return (await this.enqueueWorkflows(name, [inputs], options))[0];
  }

  private async enqueueWorkflows(name: string, inputsList: unknown[], options: WorkflowEnqueueOptions): Promise<Enqueued[]> {
    requireName(name, "workflow name");
    knownOptions(options, "startWorkflow", `workflow "${name}"`);
    requireList(inputsList, "startWorkflows");
    const version = await this.store.newestVersion(name);
    if (!version) throw new WorkflowNotFoundError(name);
    const items = inputsList.map((inputs, i): EnqueueItem => {
      if (inputs === null || typeof inputs !== "object" || Array.isArray(inputs))
        throw new InvalidArgumentError(`workflow inputs must be an object (item ${i})`);
      const copy = jsonInput(inputs, `inputs of workflow "${name}"`, this.maxPayloadBytes);
      const what = `workflow "${name}"`;
      const flowControl = { runTimeoutMs: runTimeoutMs(options.timeout, what), debounce: debounceOf(options, what) };
      return { kind: "workflow", name, version, inputs: copy, ...flowControl, ...common(options, what) };
    });
    return this.enqueue(items, options.tx);
  }

  async queueTask(name: string, inputs: unknown = null, options: TaskEnqueueOptions = {}): Promise<string> {
    return (await this.queueTasks(name, [inputs], options))[0];
  }

  /** Queues several tasks of one name in one round trip. An unregistered name waits for a worker that has it. */
  async queueTasks(name: string, inputsList: unknown[], options: TaskEnqueueOptions = {}): Promise<string[]> {
    return (await this.enqueueTasks(name, inputsList, options)).map((e) => e.id);
  }

  /** queueTask, saying whether it queued one (see enqueueWorkflow). */
  async enqueueTask(name: string, inputs: unknown = null, options: TaskEnqueueOptions = {}): Promise<Enqueued> {
    return (await this.enqueueTasks(name, [inputs], options))[0];
  }

  private async enqueueTasks(name: string, inputsList: unknown[], options: TaskEnqueueOptions): Promise<Enqueued[]> {
    requireName(name, "task name");
    knownOptions(options, "queueTask", `task "${name}"`);
    requireList(inputsList, "queueTasks");
    const reg = this.registry.get(name)?.options;
    // Retries and timeout given with the call are stored with the task; otherwise the worker that
    // runs it applies its registration's, wherever the task was queued from.
    const policy = options.retries === undefined ? null : retryPolicy(options.retries, `task "${name}"`);
    const timeout = options.timeout;
    const registered = registeredFlowControl(name, reg);
    const items = inputsList.map((inputs): EnqueueItem => {
      const copy = jsonInput(inputs, `inputs of task "${name}"`, this.maxPayloadBytes);
      return {
        kind: "task",
        name,
        inputs: copy ?? null,
        maxAttempts: policy?.maxAttempts ?? null,
        backoff: policy?.backoff ?? null,
        timeoutMs: timeout === undefined ? null : timeoutMs(timeout, `task "${name}": timeout`),
        ...common({ ...options, queue: options.queue ?? reg?.queue }, `task "${name}"`),
        debounce: debounceOf(options, `task "${name}"`),
        // a registration's key and rate limit, where the call gives none
        ...(options.concurrency === undefined && { concurrency: registered.concurrency }),
        ...(options.rateLimit === undefined && { rateLimit: registered.rateLimit }),
      };
    });
    return this.enqueue(items, options.tx);
  }

  private enqueue(items: EnqueueItem[], tx: EnqueueOptions["tx"]): Promise<Enqueued[]> {
    // the caller's trace goes with what it starts (docs/telemetry.md)
    return tracedEnqueue(items, () => this.enqueueTraced(items, tx));
  }

  private enqueueTraced(items: EnqueueItem[], tx: EnqueueOptions["tx"]): Promise<Enqueued[]> {
    if (!tx) return this.store.enqueue(items);
    const q: Queryable = {
      query: async <T>(sql: string, params?: unknown[]) => {
        const r = await tx.query(sql, params);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      },
    };
    return this.store.enqueue(items, q);
  }

  // ── signals and control ───────────────────────────────────────────────────────────────────

  /**
   * Sends a signal to a workflow. A name its version never waits on is refused with
   * UnknownSignalError (`UNKNOWN_SIGNAL`, naming the signals it does wait on) — a typo would
   * otherwise wait in its buffer for ever — unless a wait of that version computes its name
   * (`Signal.next(kind + "-done")`), or `force: true` is given.
   */
  async signal(id: string, name: string, payload: unknown = null, options: { force?: boolean } = {}): Promise<void> {
    requireName(name, "signal name");
    const copy = jsonInput(payload, `payload of signal "${name}"`, this.maxPayloadBytes);
    refuse(await this.store.signal([{ id, name, payload: copy, force: options.force === true }]));
  }

  /**
   * Sends many signals in one transaction (one statement for a signal to each of thousands of
   * workflows). All or nothing: when one target is unknown, not a workflow, finished, or never
   * waits on that name (see signal; `force` per signal), nothing is sent and that target's error
   * is thrown. Signals to one workflow keep their order.
   */
  async signalMany(signals: { id: string; name: string; payload?: unknown; force?: boolean }[]): Promise<void> {
    if (!Array.isArray(signals)) throw new InvalidArgumentError("signalMany takes an array of { id, name, payload }");
    const items = signals.map((s, n) => {
      if (s === null || typeof s !== "object") throw new InvalidArgumentError(`signal ${n}: expected { id, name, payload }`);
      requireName(s.name, "signal name");
      return {
        id: s.id,
        name: s.name,
        payload: jsonInput(s.payload ?? null, `payload of signal "${s.name}"`, this.maxPayloadBytes),
        force: s.force === true,
      };
    });
    refuse(await this.store.signal(items));
  }

  /** Cancels queued work, stops running handlers (AbortSignal) and cancels child workflows. */
  async cancel(id: string): Promise<Execution> {
    const cancelled = await this.store.cancel(id);
    if (cancelled === null) throw new ExecutionNotFoundError(id);
    return (await this.get(id))!;
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────

  /**
   * One execution, or null. For a workflow, also what it started (`children`, the first 100 of
   * `childCount`), its timers and Signal.when timeouts not yet fired (`timers`), the signals no
   * wait has taken (`bufferedSignals`), and when each await's deadline falls (`waitingOn[].until`).
   */
  async get(id: string): Promise<Execution | null> {
    return this.store.get(id);
  }

  async logs(id: string) {
    return this.store.logs(id);
  }

  /**
   * A paused workflow's stacks (function, line, column, source line, the variables in scope by
   * name with their values) and what it awaits (tasks, children, timers, signals, with their
   * ids), read from its saved state. Throws ExecutionNotFoundError, NotAWorkflowError, or
   * NothingToInspectError when it has no saved state (not started, or finished).
   */
  async inspect(id: string, limits?: Partial<ShowLimits>): Promise<ExecutionInspection> {
    return inspectExecution(this.store, id, limits);
  }

  // ── operations on paused runs (SPEC §10, docs/operations.md; logic in client/operations.ts) ──

  /** A new execution with a copy of a paused (or failed) workflow's state and version. */
  fork(id: string, options: { by?: string } = {}): Promise<ForkResult> {
    return forkExecution(this.store, id, options);
  }

  /** Sets a variable of a suspended (or failed) workflow by name, in a frame (default 0); logged. */
  setVariable(id: string, name: string, value: unknown, options: SetVariableOptions = {}): Promise<VariableChange> {
    return setVariable(this.store, id, name, value, { limits: { maxPayloadBytes: this.maxPayloadBytes }, ...options });
  }

  /**
   * Retries a failed execution: a task gets one more attempt (retryTask); a workflow continues
   * from its last saved state, the await whose failure it did not catch given a new attempt.
   */
  async retry(id: string, options: { by?: string; version?: string } = {}): Promise<Execution> {
    const e = isExecutionId(id) ? await this.store.get(id, false) : null;
    if (!e) throw new ExecutionNotFoundError(id);
    if (e.kind === "task") return this.retryTask(id);
    await retryWorkflow(this.store, id, options);
    return (await this.get(id))!;
  }

  /**
   * Moves a suspended workflow onto another version (default the newest) when the await it is
   * paused at has one counterpart there and its variables map by name; else it keeps its version
   * and the answer says why. `dryRun` only says.
   */
  upgrade(id: string, options: UpgradeOptions = {}): Promise<RunUpgrade> {
    return upgradeExecution(this.store, id, options);
  }

  /** `upgrade` for every suspended run of a workflow on another version (oldest first). */
  upgradeAll(name: string, options: UpgradeOptions & { limit?: number } = {}): Promise<RunUpgrade[]> {
    return upgradeAll(this.store, name, options);
  }

  /** The workers running now (each writes its row every 10 s), oldest first. */
  async workers(): Promise<LiveWorker[]> {
    return this.store.liveWorkers();
  }

  async list(filter: ListFilter = {}): Promise<Execution[]> {
    checkedListFilter(filter);
    return this.store.list(filter);
  }

  // ── for people: what the dashboard and the HTTP API read ──────────────────────────────────

  /**
   * Executions whose id begins with `prefix` (at least 4 hex digits, dashes allowed: the short
   * ids people copy), by id, at most `limit` (default 20).
   */
  async searchIds(prefix: string, limit = 20): Promise<Execution[]> {
    if (typeof prefix !== "string" || !/^[0-9a-f-]+$/i.test(prefix) || prefix.replaceAll("-", "").length < 4)
      throw new InvalidArgumentError("searchIds: give at least 4 hex digits of an execution id");
    if (prefix.replaceAll("-", "").length > 32) throw new InvalidArgumentError("searchIds: an execution id has 32 hex digits");
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000))
      throw new InvalidArgumentError("searchIds: limit must be an integer from 1 to 1000");
    return this.store.listByIdPrefix(prefix, limit);
  }

  /**
   * What a workflow started, for a timeline: its tasks and child workflows (the first 500, in the
   * order started, with attempts, times and every attempt's error; values as JSON text cut at
   * 2,000 characters), its signal waits, and its and its children's latest log lines. Its pending
   * timers and buffered signals are in get()'s answer; fired timers and taken signals leave no row.
   */
  async timeline(id: string): Promise<Timeline> {
    const t = await this.store.timeline(id);
    if (!t) throw new ExecutionNotFoundError(id);
    return t;
  }

  /** Every queue with work or a worker: what waits and runs, by name, and what no running worker will take. */
  async queues(): Promise<QueueOverview[]> {
    const [depths, workers] = await Promise.all([this.store.queueDepths(), this.store.liveWorkers()]);
    return queueOverview(depths, workers);
  }

  /** Queued and running work by queue, kind and name (the Prometheus endpoint's queue depths). */
  queueDepths(): Promise<QueueDepth[]> {
    return this.store.queueDepths();
  }

  /** How many executions are queued, running and suspended, counting at most `cap` (default 10,000) of each. */
  async statusCounts(cap = 10_000): Promise<Record<"queued" | "running" | "suspended", number>> {
    if (!(Number.isInteger(cap) && cap >= 1)) throw new InvalidArgumentError("statusCounts: cap must be a positive integer");
    const counts = await this.store.statusCounts(["queued", "running", "suspended"], cap);
    return { queued: counts.get("queued") ?? 0, running: counts.get("running") ?? 0, suspended: counts.get("suspended") ?? 0 };
  }

  /**
   * Executions finished per queue over the last five minutes, as this client saw them finish
   * (measuring starts at the first call; `since` says when).
   */
  async throughput(): Promise<Throughput> {
    this.meter ??= (async () => {
      const meter = new ThroughputMeter((ids) => this.store.finishedByQueue(ids));
      await this.finishes.subscribe((payload) => {
        const notice = changeNotice(payload);
        if (notice?.type === "finished") meter.note(notice.ids);
      });
      return meter;
    })();
    try {
      return (await this.meter).read();
    } catch (e) {
      this.meter = null;
      throw e;
    }
  }

  /**
   * Calls `listener` with what the database says changed (work queued, executions finished,
   * timers, cancellations; after a reconnect, `reconnected`: anything may have). A claim or a
   * workflow suspending sends nothing. One LISTEN per client, shared with wait(); resolves to the
   * unsubscribe function.
   */
  async onChange(listener: (notice: ChangeNotice) => void): Promise<() => void> {
    return this.finishes.subscribe((payload) => {
      const notice = changeNotice(payload);
      if (notice) listener(notice);
    });
  }

  /** Every stored workflow version, by name, newest first (without sources). */
  async workflowVersions(): Promise<VersionSummary[]> {
    return this.store.versionList();
  }

  /** The source of one stored version, or null. */
  async workflowSource(
    name: string,
    version: string,
  ): Promise<{ name: string; version: string; source: string; deployedAt: string } | null> {
    requireName(name, "workflow name");
    if (typeof version !== "string" || !/^[0-9a-f]{64}$/.test(version))
      throw new InvalidArgumentError("version must be a sha256 in hex (64 characters)");
    return this.store.versionSource(name, version);
  }

  /**
   * Queues a failed task that no workflow waits for again, for one more attempt (its earlier
   * errors stay in `errors`), and returns it. A task a workflow started cannot be retried so: the
   * workflow has already been told of the failure. Throws ExecutionNotFoundError or
   * RetryRefusedError (`RETRY_REFUSED`, saying why).
   */
  async retryTask(id: string): Promise<Execution> {
    if (await this.store.requeueTask(id)) return (await this.get(id))!;
    const e = await this.store.get(id, false);
    if (!e) throw new ExecutionNotFoundError(id);
    if (e.kind !== "task") throw new RetryRefusedError(id, "it is a workflow; only a failed task can be retried");
    if (e.status !== "failed") throw new RetryRefusedError(id, `it is ${e.status}; only a failed task can be retried`);
    throw new RetryRefusedError(id, `workflow ${e.parentId} started it and has already been told of its failure`);
  }

  /** Resolves when the execution finishes; woken by notifications, not polling. */
  async wait(id: string, options: { timeout?: number | string } = {}): Promise<Execution> {
    const timeoutMs = options.timeout === undefined ? null : duration(options.timeout, "wait: timeout");
    return waitForFinish(this.finishes, (id) => this.store.get(id, false), id, timeoutMs);
  }

  /** Stops every worker of this client, then closes the database connection. */
  // ── schedules and retention (client/schedules.ts, docs/schedules.md) ─────────────────────
  /** Creates or replaces the schedule `name`: its workflow or task starts at each tick of its cron. */
  schedule = (name: string, options: ScheduleOptions): Promise<Schedule> =>
    setSchedule(this.store, name, options, this.maxPayloadBytes);
  /** Deletes a schedule (executions it started are left as they are). */
  unschedule = async (name: string): Promise<void> => void (await this.scheduleOr(name, this.store.schedules().delete(name)));
  /** Every schedule, by name, with its next fire time. */
  schedules = (): Promise<Schedule[]> => this.store.schedules().list();
  getSchedule = (name: string): Promise<Schedule | null> => this.store.schedules().get(name);
  /** Pause: no tick fires; resume: ticks fire from now on (not those of the pause). */
  pauseSchedule = (name: string) => this.scheduleOr(name, this.store.schedules().setPaused(name, true));
  resumeSchedule = (name: string) => this.scheduleOr(name, this.store.schedules().setPaused(name, false));
  /** Starts the schedule's workflow or task now, once; returns the execution's id. */
  triggerSchedule = (name: string): Promise<string> => triggerSchedule(this.store, name);
  /** Deletes finished executions older than `olderThan` now (`dryRun`: counts them). */
  prune = (options: PruneOptions) => prune(this.store, options);
  private async scheduleOr<T>(name: string, found: Promise<T | null | false>): Promise<T> {
    return (await found) || Promise.reject(new ScheduleNotFoundError(name));
  }

  async close(): Promise<void> {
    await Promise.all([...this.localWorkers].map((w) => w.stop()));
    if (this.meter) (await this.meter.catch(() => null))?.stop();
    await this.finishes.close();
    if (this.ownsDriver) await this.driver.close();
  }
}
