// The pure part of an activation: the machine started (or restored) from a program, given its
// settlements, run, and its result turned into what the step writes. It touches no database and
// no worker state, so it runs the same in the worker's own thread or in an activation thread
// (activation-thread.ts).

import type { Program } from "../compiler/index.js";
import type { ActivationWrite, EnqueueItem } from "../store/types.js";
import { planEffects, type EffectsPlan, type TaskDefaults } from "../vm/effects-plan.js";
import { Machine, type Limits, type Settlement } from "../vm/machine.js";
import type { SavedState } from "../vm/snapshot.js";
import type { Activated, ActivationInput } from "./activation.js";

/** Log text one activation may hand its step, in characters: more is lost (ActivationCrashed), not written. */
export const MAX_ACTIVATION_LOG_CHARS = 32 * 1024 * 1024;

export interface ProgramHost {
  /** Whether a workflow of that name is deployed (Workflow.run of an unknown name throws at the call). */
  hasWorkflow(name: string): boolean;
  taskDefaults: TaskDefaults;
  limits: Partial<Limits> | undefined;
}

export function activateProgram(program: Program, input: ActivationInput, env: ProgramHost): Activated {
  // Workflow time is the database's clock, read at claim and advanced by the local clock.
  const localAtClaim = Date.now();
  const host = {
    now: () => input.dbNow + (Date.now() - localAtClaim),
    random: Math.random,
    hasWorkflow: env.hasWorkflow,
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
          limits: env.limits,
        })
      : Machine.restore(program, input.state as SavedState, { host, limits: env.limits });
  // what the inbox held arrived first; then this step's own settlements, in delivery order
  const settlements: Settlement[] = [];
  for (const s of input.inbox) settlements.push(settlementOf(s.handle, s.ok, s.value));
  for (const s of input.handed) settlements.push(settlementOf(s.handle, s.ok, s.value));
  const result = machine.activate(settlements);
  const plan = planEffects(result, input, env.taskDefaults);
  let logChars = 0;
  for (const l of plan.logs) logChars += l.message.length;
  // a bound on what leaves the activation, whatever the machine's own limits: the step writes it
  if (logChars > MAX_ACTIVATION_LOG_CHARS)
    throw new RangeError(`the activation logged ${logChars} characters (at most ${MAX_ACTIVATION_LOG_CHARS} are written)`);
  return {
    write: writeOf(input, plan),
    toParent: plan.toParent,
    status: result.status,
    facts: {
      workflow: input.name,
      version: input.version,
      file: program.file,
      first: input.state === null,
      errorAt: plan.outcome.status === "failed" ? plan.outcome.errorAt : null,
    },
  };
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
            debounce: s.debounce,
            concurrency: s.concurrency,
            rateLimit: s.rateLimit,
            parentId: input.id,
            parentHandle: s.handle,
            rootId: input.rootId,
          }
        : {
            kind: "workflow",
            name: s.name,
            inputs: s.inputs,
            queue: s.queue,
            priority: s.priority,
            runAt: s.runAt,
            idempotencyKey: s.idempotencyKey,
            debounce: s.debounce,
            runTimeoutMs: s.timeoutMs,
            concurrency: s.concurrency,
            rateLimit: s.rateLimit,
            parentId: input.id,
            parentHandle: s.handle,
            rootId: input.rootId,
          },
    ),
    timers: plan.timers,
    signalWaits: plan.signalWaits,
    dropped: plan.dropped,
    ignored: plan.ignored,
    logs: plan.logs.map((l) => ({ level: l.level, message: l.message, line: l.line, source: l.source })),
  };
}
