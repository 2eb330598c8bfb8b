// What a worker is told when it is made: rhythm.worker(options), `rhythm worker`'s flags.

import type { Limits } from "../vm/machine.js";
import type { IsolationOptions } from "./activation-pool.js";
import type { WorkflowEvent } from "./events.js";
import type { RetentionOptions } from "./retention.js";

export interface WorkerOptions {
  /** Queues this worker serves (default ["default"]). */
  queues?: string[];
  /** Executions run at once (default 10). */
  concurrency?: number;
  /**
   * Longest sleep between rounds when no notification arrives (default 10 s, the worker's beat).
   * Notifications wake the worker at once; what comes due without one (timers, delayed work,
   * expiring leases) is read with each beat and slept until; a LISTEN connection that dropped
   * wakes it once it is back. The poll only catches what none of those announce.
   */
  pollIntervalMs?: number;
  /** How long stop() lets running tasks finish before handing them back (default 10 s). */
  shutdownTimeoutMs?: number;
  /** Interpreter limits for workflow activations. */
  limits?: Partial<Limits>;
  /** Activation threads: how many, their heap limit, how long an activation may run (activation-pool.ts). */
  isolation?: IsolationOptions;
  /** Called with errors the worker survived (database down, a failed activation…). */
  onError?: (error: unknown) => void;
  /**
   * Called with what the workflows this worker runs do, once each activation is committed:
   * started, each console line, then suspended (on what, at which line), completed (the output)
   * or failed (the error, and where it was thrown). `rhythm dev` prints them. An error thrown
   * here goes to onError.
   */
  onEvent?: (event: WorkflowEvent) => void;
  /** Fire due schedules (default true; docs/schedules.md). */
  schedules?: boolean;
  /** Delete finished executions older than this, per status (default: keep them; docs/engine.md). */
  retention?: RetentionOptions;
  /** A workflow step in one statement when possible (default true, or RHYTHM_FAST_STEPS=0; fast-steps.ts). */
  fastSteps?: boolean;
}
