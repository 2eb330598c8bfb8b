// One workflow activation in the engine: restore (or start) the machine from the claimed row,
// deliver the inbox, run, and turn the result into one store transaction (SPEC §3).

import { Machine, type ActivationResult, type Limits, type Settlement } from "../vm/machine.js";
import { taskErrorJson, workflowErrorJson } from "../vm/errors.js";
import type { SavedState } from "../vm/snapshot.js";
import {
  StaleClaimError,
  type ActivationWrite,
  type Claimed,
  type EnqueueItem,
  type InboxItem,
  type Store,
} from "../store/store.js";
import type { ProgramCache } from "./program-cache.js";
import type { TaskRegistry } from "./registry.js";
import { retryPolicy } from "../shared/retries.js";

export async function runActivation(
  store: Store,
  programs: ProgramCache,
  registry: TaskRegistry,
  claimed: Claimed,
  inbox: InboxItem[],
  limits: Partial<Limits> | undefined,
  /** Writes the activation (a worker's group commit); answers false when the claim is gone. */
  commit: (w: ActivationWrite) => Promise<boolean> = (w) =>
    store.commitBatch([{ type: "activation", write: w }]).then(([r]) => r),
): Promise<ActivationResult["status"]> {
  const { write, status } = await computeActivation(programs, registry, claimed, inbox, limits);
  try {
    if (!(await commit(write))) throw new StaleClaimError(claimed.id);
  } catch (e) {
    if (!isDataError(e)) throw e;
    // The database refused what the activation produced (a value out of a column's range, say).
    // Running it again would produce the same thing, and the workflow would be retried forever:
    // it fails with the reason instead, writing none of the refused effects.
    const error = {
      name: "Error",
      type: "Error",
      message: `the workflow's progress could not be saved: ${(e as Error).message}`,
    };
    const failed = await commit({
      ...write,
      enqueue: [],
      timers: [],
      signalWaits: [],
      dropped: [],
      ignored: [],
      logs: [],
      outcome: { status: "failed", error },
      parentError: workflowErrorJson(claimed.name, claimed.id, error),
    });
    if (!failed) throw new StaleClaimError(claimed.id);
    return "failed";
  }
  return status;
}

/** Runs the machine for one claimed activation: what the store is to write, and the outcome. */
export async function computeActivation(
  programs: ProgramCache,
  registry: TaskRegistry,
  claimed: Claimed,
  inbox: InboxItem[],
  limits: Partial<Limits> | undefined,
  /** Inside a transaction that holds the only session (PGlite): only what is cached is used. */
  cachedOnly = false,
): Promise<{ write: ActivationWrite; status: ActivationResult["status"] }> {
  const cached = programs.loaded(claimed.name, claimed.version!);
  if (!cachedOnly) await programs.refreshNames();
  else if (!cached) throw new Error(`workflow "${claimed.name}" is not loaded in this worker`);
  const program = cached ?? (await programs.program(claimed.name, claimed.version!));
  // Workflow time is the database's clock, read at claim and advanced by the local clock.
  const localAtClaim = Date.now();
  const host = {
    now: () => claimed.db_now! + (Date.now() - localAtClaim),
    random: Math.random,
    hasWorkflow: (name: string) => programs.has(name),
  };
  const machine =
    claimed.state === null
      ? Machine.start(program, {
          inputs: claimed.inputs,
          context: {
            executionId: claimed.id,
            workflowName: claimed.name,
            version: claimed.version!,
            attempt: claimed.attempt,
            parentId: claimed.parent_id,
            startedAt: new Date(claimed.started_at!).toISOString(),
          },
          host,
          limits,
        })
      : Machine.restore(program, claimed.state as SavedState, { host, limits });
  const settlements: Settlement[] = inbox.map((i) =>
    i.ok ? { handle: i.handle, ok: true, value: i.value } : { handle: i.handle, ok: false, error: i.value },
  );
  const result = machine.activate(settlements);
  return { write: toWrite(claimed, inbox, result, registry), status: result.status };
}

/** SQLSTATE class 22 (data exception) or 54 (program limit exceeded): the same write fails again. */
function isDataError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("54"));
}

function toWrite(claimed: Claimed, inbox: InboxItem[], r: ActivationResult, registry: TaskRegistry): ActivationWrite {
  const enqueue: EnqueueItem[] = [];
  const timers: ActivationWrite["timers"] = [];
  const signalWaits: ActivationWrite["signalWaits"] = [];
  const logs: ActivationWrite["logs"] = [];
  for (const e of r.effects) {
    switch (e.type) {
      case "task": {
        const o = e.options as {
          queue?: string;
          priority?: number;
          retries?: { limit?: number; initialMs?: number; maxMs?: number; factor?: number };
          timeoutMs?: number;
          runAt?: number;
          idempotencyKey?: string;
        };
        const reg = registry.get(e.name)?.options;
        // Retries given with the call are stored; otherwise the running worker's registration decides.
        const fromRegistration = retryPolicy(reg?.retries, `task "${e.name}"`);
        const maxAttempts =
          o.retries === undefined ? null : o.retries.limit !== undefined ? o.retries.limit + 1 : fromRegistration.maxAttempts;
        const backoff =
          o.retries === undefined
            ? null
            : {
                initialMs: o.retries.initialMs ?? fromRegistration.backoff.initialMs,
                maxMs: o.retries.maxMs ?? fromRegistration.backoff.maxMs,
                factor: o.retries.factor ?? fromRegistration.backoff.factor,
              };
        enqueue.push({
          kind: "task",
          name: e.name,
          inputs: e.inputs,
          queue: o.queue ?? reg?.queue ?? "default",
          priority: o.priority,
          runAt: o.runAt ?? null,
          maxAttempts,
          backoff,
          timeoutMs: o.timeoutMs ?? null,
          idempotencyKey: o.idempotencyKey ?? null,
          parentId: claimed.id,
          parentHandle: e.handle,
        });
        break;
      }
      case "workflow": {
        const o = e.options as { queue?: string; priority?: number; runAt?: number; idempotencyKey?: string };
        enqueue.push({
          kind: "workflow",
          name: e.name,
          inputs: e.inputs,
          queue: o.queue ?? claimed.queue,
          priority: o.priority,
          runAt: o.runAt ?? null,
          idempotencyKey: o.idempotencyKey ?? null,
          parentId: claimed.id,
          parentHandle: e.handle,
        });
        break;
      }
      case "timer":
        timers.push({ handle: e.handle, at: e.at, kind: "timer" });
        break;
      case "signal":
        signalWaits.push({ handle: e.handle, name: e.name });
        if (e.timeoutAt !== null) timers.push({ handle: e.handle, at: e.timeoutAt, kind: "signal-timeout" });
        break;
      case "log":
        logs.push({ level: e.level, message: e.message, line: e.line });
        break;
    }
  }
  const consumed = inbox.map((i) => i.seq);
  const base = {
    id: claimed.id,
    claimToken: claimed.claim_token,
    wakeups: claimed.wakeups,
    consumed,
    enqueue,
    timers,
    signalWaits,
    dropped: r.dropped,
    ignored: r.ignored,
    logs,
  };
  if (r.status === "suspended") return { ...base, outcome: { status: "suspended", state: r.state, waits: r.waits } };
  if (r.status === "completed") return { ...base, outcome: { status: "completed", output: r.output } };
  return {
    ...base,
    outcome: { status: "failed", error: r.error },
    parentError: workflowErrorJson(claimed.name, claimed.id, r.error),
  };
}

export { taskErrorJson };
