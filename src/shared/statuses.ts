// The states an execution moves through (docs/engine.md draws the machine) and its two kinds, as
// one list each: the types derive from the lists, so a new state cannot be missed anywhere.

export const EXECUTION_STATUSES = ["queued", "running", "suspended", "completed", "failed", "cancelled"] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** Statuses an execution never leaves (its `finished_at` is set). */
export const FINAL_STATUSES = ["completed", "failed", "cancelled"] as const satisfies readonly ExecutionStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const EXECUTION_KINDS = ["workflow", "task"] as const;
export type ExecutionKind = (typeof EXECUTION_KINDS)[number];

export function isExecutionStatus(s: unknown): s is ExecutionStatus {
  return (EXECUTION_STATUSES as readonly unknown[]).includes(s);
}

export function isFinalStatus(s: unknown): s is FinalStatus {
  return (FINAL_STATUSES as readonly unknown[]).includes(s);
}

export function isExecutionKind(s: unknown): s is ExecutionKind {
  return (EXECUTION_KINDS as readonly unknown[]).includes(s);
}
