// The limits of one execution (SPEC §2.2) and the failures that enforce them. A LimitExceeded is
// not a .flow exception: `catch` never sees it, and the execution fails with a RangeError.

import { instructionOrdinals } from "../compiler/opcodes.js";
import { LimitExceeded } from "./values.js";

export interface Limits {
  /** Instructions one activation may run (default 1,000,000). */
  maxInstructions: number;
  /** Size of the saved state in bytes (default 2 MiB). */
  maxStateBytes: number;
  /** Nested calls (default 1,000). */
  maxCallDepth: number;
  /** Size of a payload leaving the workflow (task and child inputs, its output) in bytes of JSON (default 1 MiB). */
  maxPayloadBytes: number;
  /** Wall-clock time one activation may compute, in ms (default 10,000). */
  maxActivationMs: number;
  /** Bytes of values (strings, arrays, objects) one activation may make (default 256 MiB). */
  maxActivationBytes: number;
  /** Characters of one log line; a longer one is cut and marked (default 16,384). */
  maxLogLineChars: number;
  /** Log lines one activation may write; further ones are dropped and counted (default 1,000). */
  maxLogLines: number;
  /** Log lines one execution may write over all its activations (default 10,000). */
  maxRunLogLines: number;
  /** Characters of log one activation may write; further lines are dropped (default 1 MiB). */
  maxActivationLogChars: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxInstructions: 1_000_000,
  maxStateBytes: 2 * 1024 * 1024,
  maxCallDepth: 1000,
  maxPayloadBytes: 1024 * 1024,
  maxActivationMs: 10_000,
  maxActivationBytes: 256 * 1024 * 1024,
  maxLogLineChars: 16_384,
  maxLogLines: 1000,
  maxRunLogLines: 10_000,
  maxActivationLogChars: 1024 * 1024,
};

const ordinals = new WeakMap<number[], Int32Array>();

/**
 * What a backward jump from `pc` to `target` costs: the instructions between them (the jump
 * included). Only loops and calls make code run long, so the budget is charged there.
 */
export function loopCost(code: number[], target: number, pc: number): number {
  let o = ordinals.get(code);
  if (!o) ordinals.set(code, (o = instructionOrdinals(code)));
  return o[pc] - o[target] + 1;
}

export function instructionLimitExceeded(limits: Limits): never {
  throw new LimitExceeded(
    "instructions",
    `instruction limit exceeded: more than ${limits.maxInstructions} instructions in one activation (an endless loop? raise it with the maxInstructions limit)`,
  );
}

export function callDepthExceeded(limits: Limits): never {
  throw new LimitExceeded(
    "callDepth",
    `call depth limit exceeded: more than ${limits.maxCallDepth} nested calls (raise it with the maxCallDepth limit)`,
  );
}

/** The failure when calls nested through built-ins used up the host's stack first. */
export function hostStackMessage(limits: Limits): string {
  return `call depth limit exceeded: calls nested through built-in functions (callbacks, toString, valueOf, revivers) used up the interpreter's stack before ${limits.maxCallDepth} nested calls`;
}
