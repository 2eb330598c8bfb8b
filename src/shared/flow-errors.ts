// The error values the hosts themselves settle handles and fail executions with, built in one
// place so the engine and the in-memory host (`rhythm run`) give a workflow the same value.

/** An error as a workflow sees it: `name` and `type` equal (SPEC §2.2), plus its own fields. */
export interface FlowErrorValue {
  name: string;
  type: string;
  message: string;
  [field: string]: unknown;
}

function flowError(type: string, message: string, fields: Record<string, unknown> = {}): FlowErrorValue {
  return { name: type, type, message, ...fields };
}

/** What `Signal.when(name, { timeout })` throws when the timeout passes first. */
export function signalTimeoutError(signal: string): FlowErrorValue {
  return flowError("Timeout", `no "${signal}" signal arrived in time`, { signal });
}

/** A cancelled execution's error, and what a workflow awaiting it gets. */
export function cancelledError(message: string): FlowErrorValue {
  return flowError("Cancelled", message);
}

/** A task attempt whose lease ran out: its worker stopped, or it overran its timeout. */
export function leaseExpiredError(attempt: number): FlowErrorValue {
  return flowError("LeaseExpired", "the attempt's lease expired: its worker stopped or it overran its timeout", { attempt });
}

/** A task attempt that ran past its `timeout`: its handler's AbortSignal fires with it, and the attempt fails with it. */
export function attemptTimeoutError(timeoutMs: number): FlowErrorValue {
  return flowError("Timeout", `the attempt ran longer than its timeout of ${timeoutMs} ms`, { timeoutMs });
}

/** What a task handler's AbortSignal fires with when its task is cancelled or its claim is lost (nothing is recorded). */
export function attemptCancelledError(): FlowErrorValue {
  return cancelledError("the task was cancelled (or its claim was lost)");
}

/** What fails a workflow whose step the database refused (a value out of a column's range, say): running it again would be refused again. */
export function unsavedProgressError(reason: string): FlowErrorValue {
  return flowError("Error", `the workflow's progress could not be saved: ${reason}`);
}

/** What fails a workflow that ran past its `timeout` (SPEC §9): the whole run, its children cancelled. */
export function workflowTimeoutError(timeoutMs: number): FlowErrorValue {
  return flowError("Timeout", `the workflow ran longer than its timeout of ${timeoutMs} ms`, { timeoutMs });
}

/**
 * What fails a workflow whose activations kept being lost — its thread ran out of memory or
 * overran its time, the host refused what it produced, or its lease expired — rather than running
 * it again forever: how many were lost, and the last reason known.
 */
export function activationCrashedError(lost: number, reason: string): FlowErrorValue {
  return flowError("ActivationCrashed", `the workflow's activation was lost ${lost} times; the last time: ${reason}`, {
    lost,
    reason,
  });
}
