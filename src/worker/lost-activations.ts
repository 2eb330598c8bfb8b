// Poison pills: an activation lost for a reason outside the workflow's code (its thread died or
// overran its time, the host refused what it produced, its lease expired) is counted on the
// workflow's row with the reason and the workflow goes back to its queue; the MAX_LOST_ACTIVATIONS-th
// in a row fails it with ActivationCrashed — through the usual step, so its parent and awaiters
// are told and its waits dropped — instead of running it again forever.

import { MAX_LOST_ACTIVATIONS } from "../shared/activation-crash.js";
import { activationCrashedError } from "../shared/flow-errors.js";
import type { Store } from "../store/store.js";
import type { Claimed } from "../store/types.js";
import { workflowErrorJson } from "../vm/errors.js";
import type { Activated } from "./activation.js";

/** Whether a claimed workflow has lost as many activations as it may: it fails without running again. */
export function lostTooOften(c: Claimed): boolean {
  return c.kind === "workflow" && (c.activation_failures ?? 0) >= MAX_LOST_ACTIVATIONS;
}

/**
 * Records a lost activation of a claimed workflow: given back, counted, or failed when it is the
 * last one allowed (`commit`: the worker's group commit; false when the claim was gone).
 */
export async function loseActivation(
  store: Store,
  c: Claimed,
  reason: string,
  commit: (a: Activated) => Promise<boolean>,
): Promise<void> {
  const lost = (c.activation_failures ?? 0) + 1;
  if (lost < MAX_LOST_ACTIVATIONS) return store.releaseLost(c.id, c.claim_token, reason);
  await commit(crashed(c, lost, reason));
}

/** Fails a workflow claimed after too many lost activations, with the last reason recorded. */
export async function failLost(c: Claimed, commit: (a: Activated) => Promise<boolean>): Promise<void> {
  await commit(crashed(c, c.activation_failures ?? MAX_LOST_ACTIVATIONS, c.activation_error ?? "unknown"));
}

function crashed(c: Claimed, lost: number, reason: string): Activated {
  const error = activationCrashedError(lost, reason);
  return {
    write: {
      id: c.id,
      hold: { kind: "claimed", token: c.claim_token },
      wakeups: c.wakeups,
      // its inbox is dropped with its waits when it ends
      consumed: [],
      outcome: { status: "failed", error, errorAt: null },
      start: [],
      timers: [],
      signalWaits: [],
      dropped: [],
      ignored: [],
      logs: [],
    },
    toParent: { ok: false, error: workflowErrorJson(c.name, c.id, error) },
    status: "failed",
    facts: { workflow: c.name, version: c.version ?? "", file: `${c.name}.flow`, first: c.state === null, errorAt: null },
  };
}
