// Task handlers a process registers (`rhythm.task(name, handler, options)`), with their options.

import {
  concurrencyOf,
  rateLimitOf,
  type Concurrency,
  type ConcurrencyOption,
  type RateLimit,
  type RateLimitOption,
} from "../shared/flow-control.js";
import { InvalidArgumentError } from "../shared/rhythm-error.js";
import type { RetriesOption } from "../shared/retries.js";

export interface TaskContext {
  executionId: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** The workflow that started this task, if any. */
  parentId: string | null;
  /** Fired on cancellation, timeout or lease loss: stop and clean up. */
  signal: AbortSignal;
  /** Extends the lease (by the task's timeout) for long-running work. */
  heartbeat(): Promise<void>;
  /** A line in the execution's log. */
  log(message: string): void;
}

export type TaskHandler = (inputs: any, ctx: TaskContext) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface TaskOptions {
  /** Queue tasks of this name go to when the caller names none (default "default"). */
  queue?: string;
  /** Retries after the first attempt (default 3), or { limit, initial, max, factor }. */
  retries?: RetriesOption;
  /** Lease per attempt: a duration (seconds or "30s"). An attempt that overruns it is aborted and retried. */
  timeout?: number | string;
  /**
   * A number: at most this many attempts of this task at once in one worker. `{ key, limit }`: a
   * concurrency key given to every execution of this task queued where it is registered (see
   * docs/flow-control.md), across all workers.
   */
  concurrency?: number | ConcurrencyOption;
  /** `{ key, limit, per }`: a rate limit given to every execution queued where it is registered. */
  rateLimit?: RateLimitOption;
}

/** A registration's per-worker limit (its `concurrency` when a number). */
export function perWorkerLimit(options: TaskOptions | undefined): number | undefined {
  return typeof options?.concurrency === "number" ? options.concurrency : undefined;
}

export interface Registration {
  name: string;
  handler: TaskHandler;
  options: TaskOptions;
}

export class TaskRegistry {
  private readonly tasks = new Map<string, Registration>();
  /** Moves at every registration (activation threads keep a copy of the task defaults). */
  version = 0;

  register(name: string, handler: TaskHandler, options: TaskOptions = {}): void {
    this.tasks.set(name, { name, handler, options });
    this.version++;
  }

  get(name: string): Registration | undefined {
    return this.tasks.get(name);
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }
}

/** A registration's concurrency key and rate limit, as stored with the executions queued under it. */
export function registeredFlowControl(
  name: string,
  options: TaskOptions | undefined,
): { concurrency: Concurrency | null; rateLimit: RateLimit | null } {
  const fail = (message: string): never => {
    throw new InvalidArgumentError(`task "${name}": ${message}`);
  };
  const c = options?.concurrency;
  return {
    concurrency: typeof c === "object" && c !== null ? concurrencyOf(c, "concurrency", fail) : null,
    rateLimit: options?.rateLimit !== undefined ? rateLimitOf(options.rateLimit, "rateLimit", fail) : null,
  };
}
