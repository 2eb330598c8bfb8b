// One workflow activation in the engine: the machine started (or restored from the saved state),
// given its settlements, run; its result turned by the effects plan (src/vm/effects-plan.ts) into
// what the step's transaction writes (SPEC §3).

import { unsavedProgressError } from "../shared/flow-errors.js";
import { isDataError } from "../shared/postgres-errors.js";
import { retryPolicy } from "../shared/retries.js";
import { registeredFlowControl } from "./registry.js";
import type { ActivationWrite, Claimed, Delivery, EnqueueItem, Hold, InboxItem, LockedRow } from "../store/types.js";
import { planEffects, type EffectsPlan, type ParentSettlement, type TaskDefaults } from "../vm/effects-plan.js";
import { workflowErrorJson } from "../vm/errors.js";
import { Machine, type ActivationResult, type Limits, type Settlement } from "../vm/machine.js";
import type { SavedState } from "../vm/snapshot.js";
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
    state: c.state,
    wakeups: c.wakeups,
    startedAt: c.started_at!,
    dbNow: c.db_now!,
    hold: { kind: "claimed", token: c.claim_token },
    inbox: c.inbox,
    handed: [],
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
    state: r.state,
    // they count as the wakeups Wake would have counted: news from later in the transaction still shows
    wakeups: r.wakeups + handed.length,
    startedAt: r.started_at,
    dbNow: Math.floor(Number(r.db_now)),
    hold: { kind: "locked", handed: handed.length },
    inbox: r.inbox ?? [],
    handed,
  };
}

/** An activation run: what its step writes, and what its parent is told when it ended. */
export interface Activated {
  write: ActivationWrite;
  toParent: ParentSettlement | null;
  status: ActivationResult["status"];
  /** What its events say besides the write (see events.ts). */
  facts: ActivationFacts;
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

  constructor(
    private readonly programs: ProgramCache,
    registry: TaskRegistry,
    private readonly limits: Partial<Limits> | undefined,
  ) {
    // a task started without retries of its own: this worker's registration fills in the rest
    this.taskDefaults = (name) => {
      const reg = registry.get(name)?.options;
      return { queue: reg?.queue, retries: retryPolicy(reg?.retries, `task "${name}"`), ...registeredFlowControl(name, reg) };
    };
  }

  loaded(name: string, version: string): boolean {
    return this.programs.loaded(name, version) !== undefined;
  }

  async run(input: ActivationInput, inTransaction: boolean): Promise<Activated> {
    const cached = this.programs.loaded(input.name, input.version);
    if (!inTransaction) await this.programs.refreshNames();
    else if (!cached) throw new Error(`workflow "${input.name}" is not loaded in this worker`);
    const program = cached ?? (await this.programs.program(input.name, input.version));
    // Workflow time is the database's clock, read at claim and advanced by the local clock.
    const localAtClaim = Date.now();
    const host = {
      now: () => input.dbNow + (Date.now() - localAtClaim),
      random: Math.random,
      hasWorkflow: (name: string) => this.programs.has(name),
    };
    const machine =
      input.state === null
        ? Machine.start(program, {
            inputs: input.inputs,
            context: {
              executionId: input.id,
              workflowName: input.name,
              version: input.version,
              attempt: input.attempt,
              parentId: input.parentId,
              startedAt: new Date(input.startedAt).toISOString(),
            },
            host,
            limits: this.limits,
          })
        : Machine.restore(program, input.state as SavedState, { host, limits: this.limits });
    // what the inbox held arrived first; then this step's own settlements, in delivery order
    const settlements: Settlement[] = [];
    for (const s of input.inbox) settlements.push(settlementOf(s.handle, s.ok, s.value));
    for (const s of input.handed) settlements.push(settlementOf(s.handle, s.ok, s.value));
    const result = machine.activate(settlements);
    const plan = planEffects(result, input, this.taskDefaults);
    const facts: ActivationFacts = {
      workflow: input.name,
      version: input.version,
      file: program.file,
      first: input.state === null,
      errorAt: plan.outcome.status === "failed" ? plan.outcome.errorAt : null,
    };
    return { write: writeOf(input, plan), toParent: plan.toParent, status: result.status, facts };
  }
}

function settlementOf(handle: number, ok: boolean, value: unknown): Settlement {
  return ok ? { handle, ok: true, value } : { handle, ok: false, error: value };
}

/** The plan as the store writes it. */
function writeOf(input: ActivationInput, plan: EffectsPlan): ActivationWrite {
  const o = plan.outcome;
  return {
    id: input.id,
    hold: input.hold,
    wakeups: input.wakeups,
    consumed: input.inbox.map((i) => i.seq),
    outcome:
      o.status === "suspended"
        ? { status: "suspended", state: o.state, waits: o.waits }
        : o.status === "completed"
          ? { status: "completed", output: o.output }
          : { status: "failed", error: o.error, errorAt: o.errorAt },
    start: plan.start.map((s): EnqueueItem =>
      s.kind === "task"
        ? {
            kind: "task",
            name: s.name,
            inputs: s.inputs,
            queue: s.queue,
            priority: s.priority,
            runAt: s.runAt,
            maxAttempts: s.maxAttempts,
            backoff: s.backoff,
            timeoutMs: s.timeoutMs,
            idempotencyKey: s.idempotencyKey,
            concurrency: s.concurrency,
            rateLimit: s.rateLimit,
            parentId: input.id,
            parentHandle: s.handle,
          }
        : {
            kind: "workflow",
            name: s.name,
            inputs: s.inputs,
            queue: s.queue,
            priority: s.priority,
            runAt: s.runAt,
            idempotencyKey: s.idempotencyKey,
            concurrency: s.concurrency,
            rateLimit: s.rateLimit,
            parentId: input.id,
            parentHandle: s.handle,
          },
    ),
    timers: plan.timers,
    signalWaits: plan.signalWaits,
    dropped: plan.dropped,
    ignored: plan.ignored,
    logs: plan.logs.map((l) => ({ level: l.level, message: l.message, line: l.line, source: l.source })),
  };
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
