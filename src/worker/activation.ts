// One workflow activation in the engine: the machine started (or restored from the saved state),
// given its settlements, run; its result turned by the effects plan (src/vm/effects-plan.ts) into
// what the step's transaction writes (SPEC §3).

import { unsavedProgressError } from "../shared/flow-errors.js";
import { isDataError } from "../shared/postgres-errors.js";
import { ActivationCrashedError } from "../shared/activation-crash.js";
import { retryPolicy } from "../shared/retries.js";
import { registeredFlowControl } from "./registry.js";
import type { ActivationWrite, Claimed, Delivery, Hold, InboxItem, LockedRow } from "../store/types.js";
import type { ParentSettlement, TaskDefaults } from "../vm/effects-plan.js";
import { workflowErrorJson } from "../vm/errors.js";
import type { ActivationResult, Limits } from "../vm/machine.js";
import { activateProgram } from "./activate-program.js";
import { ActivationPool, threadCount, type IsolationOptions } from "./activation-pool.js";
import type { ActivationFacts } from "./events.js";
import type { ProgramCache } from "./program-cache.js";
import type { TaskRegistry } from "./registry.js";

/** A workflow about to be activated, and how this worker holds it. */
export interface ActivationInput {
  id: string;
  name: string;
  version: string;
  queue: string;
  inputs: unknown;
  attempt: number;
  parentId: string | null;
  /** Its run's root: the tasks and children it starts carry it (docs/scale.md). */
  rootId: string;
  /** null: it starts from its first line. */
  state: unknown;
  /** What the activation saw: its row's count, and the settlements handed to it. */
  wakeups: number;
  startedAt: Date;
  /** The database's clock when it was claimed or locked, whole epoch ms: workflow time. */
  dbNow: number;
  hold: Hold;
  /** Settlements read from its inbox (the activation consumes them). */
  inbox: InboxItem[];
  /** Settlements of its own transaction handed to it directly (they never reach the inbox). */
  handed: Delivery[];
  /** The W3C traceparent its spans join (telemetry.ts), or null. */
  trace: string | null;
  /** Activations of it lost in a row before this one (such a workflow runs on a quarantine thread). */
  lost: number;
  /** This machine's clock when `dbNow` was read, or just after: workflow time resumed later goes on from there. */
  localAt?: number;
}

/** A workflow claimed by Claim (its inbox read after the claim). */
function claimedActivation(c: Claimed): ActivationInput {
  return {
    id: c.id,
    name: c.name,
    version: c.version!,
    queue: c.queue,
    inputs: c.inputs,
    attempt: c.attempt,
    parentId: c.parent_id,
    rootId: c.root_id,
    state: c.state,
    wakeups: c.wakeups,
    startedAt: c.started_at!,
    dbNow: c.db_now!,
    hold: { kind: "claimed", token: c.claim_token },
    inbox: c.inbox,
    handed: [],
    trace: c.trace,
    lost: c.activation_failures ?? 0,
    localAt: Date.now(),
  };
}

/** A woken workflow whose row a step locked: `handed` are that step's settlements for it, in delivery order. */
export function lockedActivation(r: LockedRow, handed: Delivery[]): ActivationInput {
  return {
    id: r.id,
    name: r.name,
    version: r.version!,
    queue: r.queue,
    inputs: r.inputs,
    attempt: Math.max(r.attempt, 1),
    parentId: r.parent_id,
    rootId: r.root_id,
    state: r.state,
    // they count as the wakeups Wake would have counted: news from later in the transaction still shows
    wakeups: r.wakeups + handed.length,
    startedAt: r.started_at,
    dbNow: Math.floor(Number(r.db_now)),
    hold: { kind: "locked", handed: handed.length },
    inbox: r.inbox ?? [],
    handed,
    trace: r.trace,
    lost: 0,
    localAt: Date.now(),
  };
}

/** An activation run: what its step writes, and what its parent is told when it ended. */
export interface Activated {
  write: ActivationWrite;
  toParent: ParentSettlement | null;
  status: ActivationResult["status"];
  /** What its events say besides the write (see events.ts). */
  facts: ActivationFacts;
  /** What it ran from (set by Activator.run): a worker that keeps it resumes it later (fast-steps.ts). */
  input?: ActivationInput;
}

/** What a step needs to activate workflows (Activator; tests may wrap it). */
export interface Activate {
  /** Whether the program is loaded (a step's transaction may hold the only session: PGlite). */
  loaded(name: string, version: string): boolean;
  /** Runs one activation; `inTransaction`: only what is loaded is used. */
  run(input: ActivationInput, inTransaction: boolean): Promise<Activated>;
}

export class Activator implements Activate {
  private readonly taskDefaults: TaskDefaults;
  /** null: activations run on the worker's own thread (isolation `threads: 0`). */
  private readonly pool: ActivationPool | null;

  constructor(
    private readonly programs: ProgramCache,
    private readonly registry: TaskRegistry,
    private readonly limits: Partial<Limits> | undefined,
    isolation?: IsolationOptions,
  ) {
    // a task started without retries of its own: this worker's registration fills in the rest
    this.taskDefaults = (name) => {
      const reg = registry.get(name)?.options;
      return { queue: reg?.queue, retries: retryPolicy(reg?.retries, `task "${name}"`), ...registeredFlowControl(name, reg) };
    };
    this.pool =
      threadCount(isolation) === 0
        ? null
        : new ActivationPool(isolation, limits, {
            names: () => programs.names(),
            defaults: () => ({ version: registry.version, entries: () => this.defaultsTable() }),
          });
  }

  /** Threads replaced since the worker started (died or overran their time). */
  get threadsReplaced(): number {
    return this.pool?.replaced ?? 0;
  }

  loaded(name: string, version: string): boolean {
    return this.programs.loaded(name, version) !== undefined;
  }

  async run(input: ActivationInput, inTransaction: boolean): Promise<Activated> {
    const cached = this.programs.loaded(input.name, input.version);
    if (!inTransaction) await this.programs.refreshNames();
    else if (!cached) throw new Error(`workflow "${input.name}" is not loaded in this worker`);
    const program = cached ?? (await this.programs.program(input.name, input.version));
    if (this.pool) return { ...(await this.pool.run(`${input.name}@${input.version}`, program, input)), input };
    try {
      const activated = activateProgram(program, input, {
        hasWorkflow: (name) => this.programs.has(name),
        taskDefaults: this.taskDefaults,
        limits: this.limits,
      });
      return { ...activated, input };
    } catch (e) {
      // the machine turns the workflow's own errors into its outcome: what escapes is the host's
      throw new ActivationCrashedError(input.id, describeHostError(e));
    }
  }

  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }

  /** The task defaults threads keep (a registration whose retries are refused: why, thrown where used). */
  private defaultsTable(): [string, ReturnType<TaskDefaults> | string][] {
    return this.registry.names().map((name) => {
      try {
        return [name, this.taskDefaults(name)];
      } catch (e) {
        return [name, (e as Error).message];
      }
    });
  }
}

function describeHostError(e: unknown): string {
  try {
    return e instanceof Error ? `${String(e.name)}: ${String(e.message)}`.slice(0, 2000) : String(e).slice(0, 2000);
  } catch {
    return "an error that cannot be described";
  }
}

export class StaleClaimError extends Error {
  constructor(id: string) {
    super(`the claim on execution ${id} is no longer held (its lease expired or it was cancelled)`);
  }
}

/**
 * Runs the activation of a workflow claimed by Claim and commits it (`commit`: the worker's group
 * commit, false when the claim is gone: StaleClaimError). A step the database refuses for its
 * data (SQLSTATE 22, 54) would be refused again: the workflow fails with the reason instead,
 * writing none of the refused effects.
 */
export async function runActivation(
  activator: Activate,
  claimed: Claimed,
  commit: (a: Activated) => Promise<boolean>,
): Promise<ActivationResult["status"]> {
  const activated = await activator.run(claimedActivation(claimed), false);
  try {
    if (!(await commit(activated))) throw new StaleClaimError(claimed.id);
  } catch (e) {
    if (!isDataError(e)) throw e;
    const error = unsavedProgressError((e as Error).message);
    const failed = await commit({
      write: {
        ...activated.write,
        outcome: { status: "failed", error, errorAt: null },
        start: [],
        timers: [],
        signalWaits: [],
        dropped: [],
        ignored: [],
        logs: [],
      },
      toParent: { ok: false, error: workflowErrorJson(claimed.name, claimed.id, error) },
      facts: { ...activated.facts, errorAt: null },
      status: "failed",
    });
    if (!failed) throw new StaleClaimError(claimed.id);
    return "failed";
  }
  return activated.status;
}
