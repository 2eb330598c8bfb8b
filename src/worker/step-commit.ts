// One step of the engine, in one transaction the worker owns: task completions and activations
// written (a group commit's batch), the workflows they wake locked and activated right there —
// the VM runs between the store's operations — and the tasks those start inserted already claimed
// by this worker, to run once the transaction commits. The store is a set of named operations on
// plain data; what this worker takes (slots, queues, tasks, programs) is decided here.

import { randomUUID } from "node:crypto";
import { isConnectionError } from "../shared/postgres-errors.js";
import type { Store, StoreTx } from "../store/store.js";
import type { ActivationWrite, Claimed, Delivery, EnqueueItem, LockedRow, Settled } from "../store/types.js";
import { lockedActivation, type Activate, type Activated } from "./activation.js";
import { workflowEvents, type WorkflowEvent } from "./events.js";
import { newsOf, settlementOf } from "./awaited-outcome.js";
import { perWorkerLimit, type TaskRegistry } from "./registry.js";

/** What a group commit hands in: a task attempt that succeeded, or a claimed workflow's activation. */
export type StepItem =
  | {
      type: "complete";
      id: string;
      token: string;
      output: unknown;
      /** No workflow waits for the task (completed by a statement of its own: Store.completeStandalone). */
      standalone: boolean;
    }
  | { type: "activation"; activated: Activated };

/** What this worker takes in a step besides its batch. */
export interface Take {
  /** Free slots: at most this many tasks are inserted claimed for it. */
  slots: number;
  /**
   * Told of the tasks taken when the connection was lost at the commit: the transaction may have
   * gone through, so those tasks may exist, claimed by this worker, which must then run them —
   * else they would wait for their lease to expire.
   */
  inDoubt(tasks: Claimed[]): void;
}

export interface StepPolicy {
  workerId: string;
  queues: readonly string[];
  registry: TaskRegistry;
  /** The lease of tasks taken in a step (they renew theirs while they run). */
  leaseMs: number;
  onError(e: unknown): void;
  /** Told what each activation of a committed step did (see events.ts). */
  onEvent?(event: WorkflowEvent): void;
  /** Told of each activation a step committed, with what it settled (the fast path keeps some: fast-steps.ts). */
  onSettled?(activated: Activated, settled: Settled): void;
}

/**
 * Whether a task an activation starts may be inserted claimed by this worker. A delayed or
 * deduplicated task, one on a queue it does not serve, and one whose registration has its own
 * `concurrency` limit (the usual claim counts those) are queued as usual.
 */
export function claimableHere(i: EnqueueItem, policy: Pick<StepPolicy, "registry" | "queues">): boolean {
  if (i.kind !== "task" || i.runAt != null || (i.delayMs ?? 0) > 0 || i.idempotencyKey) return false;
  // a key's slot and a rate limit's start are taken by a claim (migration 008)
  if (i.concurrency || i.rateLimit) return false;
  const reg = policy.registry.get(i.name);
  return reg !== undefined && perWorkerLimit(reg.options) === undefined && policy.queues.includes(i.queue ?? "default");
}

/** Workflows activated inside one step at most (the rest are delivered and claimed as usual). */
const INLINE_ACTIVATIONS = 200;

export class StepCommit {
  constructor(
    private readonly store: Store,
    private readonly activator: Activate,
    private readonly policy: StepPolicy,
  ) {}

  /**
   * Writes a batch in one transaction: each item's answer, in order (false: its claim was no
   * longer held, and nothing of it was written), and the tasks taken for this worker. Without
   * `take`, nothing is activated or taken: the batch's news is delivered to inboxes.
   */
  async write(items: StepItem[], take: Take | null): Promise<{ written: boolean[]; tasks: Claimed[] }> {
    if (items.length === 0) return { written: [], tasks: [] };
    let taken: Claimed[] = [];
    let settled: [Activated, Settled][] = [];
    let result: { written: boolean[]; tasks: Claimed[] };
    try {
      result = await this.store.transaction(async (tx) => {
        // (run again from the start when the transaction lost a deadlock)
        const step = new Step(tx, this.activator, this.policy, take?.slots ?? 0);
        const r = await step.run(items, take !== null);
        taken = r.tasks;
        settled = step.settled;
        return r;
      });
    } catch (e) {
      if (taken.length > 0 && isConnectionError(e)) take?.inDoubt(taken);
      throw e;
    }
    // committed: what the activations did is news now (once, whatever attempts the step took)
    if (this.policy.onEvent)
      this.report(
        settled.map(([a]) => a),
        this.policy.onEvent,
      );
    for (const [a, s] of settled) this.policy.onSettled?.(a, s);
    return result;
  }

  private report(settled: Activated[], onEvent: (event: WorkflowEvent) => void): void {
    for (const a of settled)
      for (const event of workflowEvents(a.write, a.facts)) {
        try {
          onEvent(event);
        } catch (e) {
          this.policy.onError(e);
        }
      }
  }
}

/** One attempt at a step's transaction. */
class Step {
  private readonly written = new Set<string>();
  private readonly tasks: Claimed[] = [];
  /** The activations this attempt wrote (a stale claim's are not), with what they settled. */
  readonly settled: [Activated, Settled][] = [];

  constructor(
    private readonly tx: StoreTx,
    private readonly activator: Activate,
    private readonly policy: StepPolicy,
    /** Tasks that may still be taken for this worker. */
    private slots: number,
  ) {}

  async run(items: StepItem[], activating: boolean): Promise<{ written: boolean[]; tasks: Claimed[] }> {
    const news: Delivery[] = [];
    // Completions first: an activation of the batch whose workflow they wake sees its wakeups
    // move and is queued again rather than suspended.
    const completions = items.flatMap((i) => (i.type === "complete" ? [i] : []));
    if (completions.length > 0) {
      const outputs = new Map(completions.map((c) => [c.id, c.output ?? null]));
      for (const f of await this.tx.completeTasks(completions)) {
        this.written.add(f.id);
        news.push(...newsOf(f, true, outputs.get(f.id)));
      }
    }
    await this.settle(
      items.flatMap((i) => (i.type === "activation" ? [i.activated] : [])),
      news,
    );
    // the workflows woken here are activated by this worker while their rows are locked (nobody
    // else needs to hear of those)
    if (activating) await this.activateWoken(news);
    else await this.tx.deliver(news);
    return {
      written: items.map((i) => this.written.has(i.type === "complete" ? i.id : i.activated.write.id)),
      tasks: this.tasks,
    };
  }

  /** Settles activations; the outcomes of those that ended are news for their parents. */
  private async settle(activated: Activated[], news: Delivery[]): Promise<void> {
    if (activated.length === 0) return;
    const writes = activated.map((a) => this.withClaims(a.write));
    const settled = await this.tx.settleActivations(writes, this.policy.workerId);
    settled.forEach((s, n) => {
      if (s === null) {
        // a stale claim wrote nothing: the slots its tasks would have taken are free again
        this.slots += writes[n].start.filter((i) => i.claim).length;
        return;
      }
      this.written.add(writes[n].id);
      this.settled.push([activated[n], s]);
      this.tasks.push(...s.dispatched);
      const toParent = activated[n].toParent;
      if (toParent) news.push(...newsOf(s, toParent.ok, toParent.ok ? toParent.value : toParent.error));
      // its calls whose idempotency key a finished execution held settle with that one's outcome
      for (const { handle, outcome } of s.awaitedFinished)
        news.push({ executionId: writes[n].id, handle, ...settlementOf(outcome) });
    });
  }

  /**
   * The tasks of an activation this worker takes at once, within its free slots: inserted claimed
   * by it, to run as soon as the transaction commits (claimableHere). Note that such a task does
   * not queue behind higher-priority work waiting on its queue.
   */
  private withClaims(write: ActivationWrite): ActivationWrite {
    let start = write.start;
    for (let n = 0; n < start.length && this.slots > 0; n++) {
      const i = start[n];
      if (!claimableHere(i, this.policy)) continue;
      if (start === write.start) start = [...start];
      start[n] = { ...i, claim: { workerId: this.policy.workerId, token: randomUUID(), leaseMs: this.policy.leaseMs } };
      this.slots--;
    }
    return start === write.start ? write : { ...write, start };
  }

  /**
   * Delivers the step's news, activating here the workflows it wakes that this worker can run:
   * their rows are locked and read with their inbox in one statement (WakeLock), the news is
   * handed to the activation directly (never written to the inbox and deleted again), and each
   * row is written once, with its outcome and the tasks it starts (ActivationsSettle). The rest
   * (running elsewhere, finished, not loaded here, over INLINE_ACTIVATIONS, or whose activation
   * failed) is delivered to inboxes, and workers hear of it. A workflow step is then five
   * statements: BEGIN, TasksComplete, WakeLock, ActivationsSettle, COMMIT.
   */
  private async activateWoken(news: Delivery[]): Promise<void> {
    if (news.length === 0) return;
    const rows = await this.tx.lockWoken([...new Set(news.map((d) => d.executionId))]);
    const chosen = new Map<string, LockedRow>();
    for (const r of rows) {
      if (chosen.size >= INLINE_ACTIVATIONS) break;
      if (this.runsHere(r)) chosen.set(r.id, r);
    }
    const handed = new Map<string, Delivery[]>();
    const rest: Delivery[] = [];
    for (const d of news) {
      if (!chosen.has(d.executionId)) rest.push(d);
      else handed.set(d.executionId, [...(handed.get(d.executionId) ?? []), d]);
    }
    await this.tx.deliver(rest);
    if (chosen.size === 0) return;
    const activated: Activated[] = [];
    const failed: Delivery[] = [];
    // all at once: the activation threads run them side by side, in the order given
    const runs = [...chosen.values()];
    const outcomes = await Promise.allSettled(runs.map((r) => this.activator.run(lockedActivation(r, handed.get(r.id)!), true)));
    outcomes.forEach((o, n) => {
      if (o.status === "fulfilled") return activated.push(o.value);
      // an activation that could not run here: its settlements go to its inbox after all
      this.policy.onError(o.reason);
      failed.push(...handed.get(runs[n].id)!);
    });
    await this.tx.deliver(failed);
    const more: Delivery[] = [];
    await this.settle(activated, more);
    await this.tx.deliver(more);
  }

  /** A woken workflow this worker activates in the step: runnable, on its queues, its program loaded. */
  private runsHere(r: LockedRow): boolean {
    if (r.kind !== "workflow" || !(r.status === "suspended" || (r.status === "queued" && r.due))) return false;
    return this.policy.queues.includes(r.queue) && r.version !== null && this.activator.loaded(r.name, r.version);
  }
}
