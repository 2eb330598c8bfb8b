// Checks of what a caller hands the client (names, lists, enqueue options, limits): each bad value
// becomes an InvalidArgumentError naming it, before anything is written.

import type { EnqueueItem, ListFilter } from "../store/types.js";
import type { Refusal } from "../store/signals.js";
import { stringProblem } from "../shared/json-check.js";
import { DEFAULT_SCHEMA, quoteSchema } from "../store/schema-name.js";
import { durationArgument as duration } from "../shared/durations.js";
import type { RetriesOption } from "../shared/retries.js";
import { isExecutionId } from "../shared/ids.js";
import { EXECUTION_STATUSES, isExecutionKind, isExecutionStatus } from "../shared/statuses.js";
import type { TaskOptions } from "../worker/registry.js";
import type { WorkerOptions } from "../worker/worker.js";
import type { DebounceOptions } from "./flow-control-checks.js";
import { concurrencyOf, rateLimitOf, type ConcurrencyOption, type RateLimitOption } from "../shared/flow-control.js";
import {
  ExecutionFinishedError,
  ExecutionNotFoundError,
  InvalidArgumentError,
  NotAWorkflowError,
  UnknownSignalError,
} from "./errors.js";

/** Options of startWorkflow / queueTask. */
export interface EnqueueOptions {
  queue?: string;
  priority?: number;
  /** When to run: a Date, ISO string or epoch ms. */
  runAt?: Date | string | number;
  /** Or a delay from now: seconds or "10s", "5m". */
  delay?: number | string;
  /** A second enqueue with the same key returns the first execution's id. */
  idempotencyKey?: string;
  /**
   * At most `limit` (default 1) executions with this key run at once, across all workers: a task
   * while an attempt runs, a workflow from its first activation until it finishes (docs/flow-control.md).
   */
  concurrency?: ConcurrencyOption;
  /** At most `limit` starts per `per` (a duration) for this key, across all workers. */
  rateLimit?: RateLimitOption;
  /** SPEC §9: starts with this key before the first has started are one execution (client/flow-control-checks.ts). */
  debounce?: DebounceOptions;
  /** Enqueue inside your own transaction (a `pg` client in BEGIN): it commits or rolls back with it. */
  tx?: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }> };
}

/** Options of startWorkflow. */
export interface WorkflowEnqueueOptions extends EnqueueOptions {
  /** The whole run fails with a Timeout this long after its first activation began (SPEC §9). */
  timeout?: number | string;
}

export interface TaskEnqueueOptions extends EnqueueOptions {
  retries?: RetriesOption;
  timeout?: number | string;
}

/** The error of a signal whose target is not a live workflow (nothing was sent). */
export function refuse(refused: Refusal | null): void {
  if (!refused) return;
  if (!refused.row) throw new ExecutionNotFoundError(refused.id);
  if (refused.row.kind !== "workflow") throw new NotAWorkflowError(refused.id);
  const unknown = refused.unknownSignal;
  if (unknown) throw new UnknownSignalError(refused.id, unknown.workflow, unknown.name, unknown.names);
  throw new ExecutionFinishedError(refused.id, refused.row.status);
}

export function checkedSchema(schema = DEFAULT_SCHEMA): string {
  try {
    quoteSchema(schema);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return schema;
}

export function requireList(list: unknown, what: string): void {
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${what}: give an array of inputs, one per execution`);
}

/** Longest task, workflow, queue and signal name or idempotency key (they travel in NOTIFY payloads too). */
export const MAX_NAME_LENGTH = 255;

/** `label` names the value: "task name", `task "x": queue` … */
export function requireName(name: unknown, label: string): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") throw new InvalidArgumentError(`${label} must be a non-empty string`);
  if (name.length > MAX_NAME_LENGTH)
    throw new InvalidArgumentError(`${label} is ${name.length} characters long, over the limit of ${MAX_NAME_LENGTH}`);
  const problem = stringProblem(name);
  if (problem) throw new InvalidArgumentError(`${label} ${problem.replace(/ in JSON$/, "")}`);
}

export function checkedPayloadLimit(limit: unknown): void {
  if (limit !== undefined && !(Number.isSafeInteger(limit) && (limit as number) >= 1))
    throw new InvalidArgumentError("maxPayloadBytes must be a positive whole number of bytes");
}

/** Latest time a runAt or delay may reach: the end of year 9999 (Postgres and Date both hold it). */
const LATEST_RUN_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Priorities and timeouts (in ms) are stored as 32-bit integers. */
const INT32_MAX = 2 ** 31 - 1;

export function timeoutMs(value: number | string, what: string): number {
  const ms = duration(value, what);
  // an attempt's lease of 0 ms has run out before the handler starts: no attempt could succeed
  if (ms <= 0) throw new InvalidArgumentError(`${what} must be more than 0 ms: no attempt could finish within it`);
  if (ms > INT32_MAX) throw new InvalidArgumentError(`${what} must be at most ${INT32_MAX} ms (about 24 days)`);
  return ms;
}

export function common(
  o: EnqueueOptions,
  what: string,
): Pick<EnqueueItem, "queue" | "priority" | "runAt" | "delayMs" | "idempotencyKey" | "concurrency" | "rateLimit"> {
  if (o.runAt !== undefined && o.delay !== undefined)
    throw new InvalidArgumentError(`${what}: give either runAt or delay, not both`);
  if (o.priority !== undefined && !(Number.isInteger(o.priority) && Math.abs(o.priority) <= INT32_MAX))
    throw new InvalidArgumentError(`${what}: priority must be an integer between -${INT32_MAX} and ${INT32_MAX}`);
  if (o.queue !== undefined) requireName(o.queue, `${what}: queue`);
  if (o.idempotencyKey !== undefined) requireName(o.idempotencyKey, `${what}: idempotencyKey`);
  let runAt: number | null = null;
  if (o.runAt !== undefined) {
    runAt = o.runAt instanceof Date ? o.runAt.getTime() : typeof o.runAt === "string" ? Date.parse(o.runAt) : o.runAt;
    if (typeof runAt !== "number" || !Number.isFinite(runAt))
      throw new InvalidArgumentError(`${what}: runAt must be a Date, an ISO time or epoch ms`);
    if (runAt > LATEST_RUN_AT || runAt < 0)
      throw new InvalidArgumentError(`${what}: runAt must be between 1970 and the end of year 9999`);
  }
  const delayMs = o.delay === undefined ? null : duration(o.delay, `${what}: delay`);
  if (delayMs !== null && delayMs > LATEST_RUN_AT - Date.now())
    throw new InvalidArgumentError(`${what}: delay must end before the end of year 9999`);
  return {
    queue: o.queue,
    priority: o.priority,
    runAt,
    delayMs,
    idempotencyKey: o.idempotencyKey ?? null,
    ...flowControl(o, what),
  };
}

/** `concurrency` and `rateLimit` as stored (shared/flow-control.ts has the rules). */
export function flowControl(
  o: Pick<EnqueueOptions, "concurrency" | "rateLimit">,
  what: string,
): Pick<EnqueueItem, "concurrency" | "rateLimit"> {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`${what}: ${message}`);
  };
  return {
    concurrency: o.concurrency === undefined ? null : concurrencyOf(o.concurrency, "concurrency", fail),
    rateLimit: o.rateLimit === undefined ? null : rateLimitOf(o.rateLimit, "rateLimit", fail),
  };
}

/** Every option of a call's type, so a new option cannot be left out of the check below (tsc says so). */
type EveryOption<T> = Record<keyof Required<T>, true>;

const START_WORKFLOW: EveryOption<WorkflowEnqueueOptions> = {
  queue: true,
  priority: true,
  runAt: true,
  delay: true,
  idempotencyKey: true,
  concurrency: true,
  rateLimit: true,
  debounce: true,
  tx: true,
  timeout: true,
};
const QUEUE_TASK: EveryOption<TaskEnqueueOptions> = { ...START_WORKFLOW, retries: true };
const TASK: EveryOption<TaskOptions> = { queue: true, retries: true, timeout: true, concurrency: true, rateLimit: true };
const WORKER: EveryOption<WorkerOptions> = {
  queues: true,
  concurrency: true,
  pollIntervalMs: true,
  shutdownTimeoutMs: true,
  limits: true,
  onError: true,
  onEvent: true,
  isolation: true,
  schedules: true,
  retention: true,
  fastSteps: true,
};

/** The options each API call takes: any other is refused (a misspelt option was ignored silently). */
export const OPTION_NAMES = {
  startWorkflow: Object.keys(START_WORKFLOW),
  queueTask: Object.keys(QUEUE_TASK),
  task: Object.keys(TASK),
  worker: Object.keys(WORKER),
} as const;

/** Refuses options that are not an object, or that name an option `call` does not take (InvalidArgumentError naming it). */
export function knownOptions(options: unknown, call: keyof typeof OPTION_NAMES, what: string): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new InvalidArgumentError(`${what}: options must be an object`);
  const allowed: readonly string[] = OPTION_NAMES[call];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || allowed.includes(key)) continue;
    throw new InvalidArgumentError(`${what}: unknown option "${key}" (${call} takes ${allowed.join(", ")})`);
  }
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** The filter of `list` (a cursor that is not an id would give the first page again: a paginating caller would loop forever). */
export function checkedListFilter(filter: ListFilter): void {
  if (filter.status !== undefined && !isExecutionStatus(filter.status))
    throw new InvalidArgumentError(`list: status must be one of ${EXECUTION_STATUSES.join(", ")}`);
  if (filter.kind !== undefined && !isExecutionKind(filter.kind))
    throw new InvalidArgumentError('list: kind must be "workflow" or "task"');
  if (filter.name !== undefined) requireName(filter.name, "list: name");
  if (filter.queue !== undefined) requireName(filter.queue, "list: queue");
  if (filter.limit !== undefined && !(Number.isInteger(filter.limit) && filter.limit >= 1))
    throw new InvalidArgumentError("list: limit must be a positive integer");
  if (filter.after !== undefined && !isExecutionId(filter.after))
    throw new InvalidArgumentError("list: after must be the id of an execution (the last one of the previous page)");
  if (filter.parentId !== undefined && !isExecutionId(filter.parentId))
    throw new InvalidArgumentError("list: parentId must be the id of an execution");
  if (filter.topLevel !== undefined && typeof filter.topLevel !== "boolean")
    throw new InvalidArgumentError("list: topLevel must be true or false");
  if (filter.topLevel && filter.parentId !== undefined)
    throw new InvalidArgumentError("list: topLevel and parentId exclude each other");
}
