// An activation that did not finish for a reason outside the workflow's own code: its thread died
// (out of memory, a crash), it ran past its time, or the host refused what it produced
// ("Invalid string length"). The worker records it on the execution; a few in a row fail it.

import { RhythmError } from "./rhythm-error.js";

export class ActivationCrashedError extends RhythmError {
  constructor(
    readonly executionId: string,
    readonly reason: string,
  ) {
    super("ACTIVATION_CRASHED", `the activation of workflow execution ${executionId} was lost: ${reason}`);
  }
}

/** Lost activations or expired activation leases in a row after which a workflow fails (ActivationCrashed). */
export const MAX_LOST_ACTIVATIONS = 3;
