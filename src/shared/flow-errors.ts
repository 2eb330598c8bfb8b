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
