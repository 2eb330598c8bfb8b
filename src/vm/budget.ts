// The budgets of one activation beyond its instructions (SPEC §2.2): wall-clock time and bytes
// made. Both are checked at checkpoints the instruction budget passes every CHECK_EVERY
// instructions (and when a built-in charges a large amount), so the interpreter's hot path keeps
// a single comparison. The machine has no clock of its own; the wall clock here is deliberate:
// it measures the host's real effort, not the workflow's (virtual or database) time.

import { LimitExceeded } from "./values.js";
import { instructionLimitExceeded, type Limits } from "./limits.js";

/** Instructions between two checks of the clock and the memory counter. */
export const CHECK_EVERY = 10_000;

/** The machine's budget fields. */
export interface BudgetState {
  readonly limits: Limits;
  /** Instructions left (fractional: built-ins charge shares of an instruction per item). */
  budget: number;
  /** The budget value below which the next check runs. */
  checkpoint: number;
  /** Bytes of values made in this activation (an upper bound of what it can hold). */
  allocated: number;
  /** performance.now() past which the activation fails. */
  deadline: number;
}

export function startBudget(m: BudgetState): void {
  m.budget = m.limits.maxInstructions;
  m.allocated = 0;
  m.deadline = performance.now() + m.limits.maxActivationMs;
  m.checkpoint = Math.max(0, m.budget - CHECK_EVERY);
}

/** Runs when the budget passed its checkpoint: fails the activation or sets the next one. */
export function checkBudget(m: BudgetState): void {
  if (m.budget < 0) instructionLimitExceeded(m.limits);
  if (m.allocated > m.limits.maxActivationBytes) memoryLimitExceeded(m);
  if (performance.now() > m.deadline) {
    throw new LimitExceeded(
      "time",
      `activation time limit exceeded: the workflow computed for more than ${m.limits.maxActivationMs} ms without awaiting (raise it with the maxActivationMs limit)`,
    );
  }
  m.checkpoint = Math.max(0, m.budget - CHECK_EVERY);
}

/** NativeContext.spend: charges a built-in's work and what it makes, before it does it. */
export function spend(m: BudgetState, work: number, bytes: number): void {
  m.budget -= work;
  m.allocated += bytes;
  if (m.budget < m.checkpoint) checkBudget(m);
  else if (m.allocated > m.limits.maxActivationBytes) memoryLimitExceeded(m);
}

function memoryLimitExceeded(m: BudgetState): never {
  throw new LimitExceeded(
    "memory",
    `activation memory limit exceeded: the workflow made more than ${m.limits.maxActivationBytes} bytes of values in one activation (raise it with the maxActivationBytes limit)`,
  );
}
