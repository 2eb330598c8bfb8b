// The caps on what an execution logs (SPEC §2.2 limits): characters per line (a longer line is
// cut and marked), lines per activation and lines per execution (further lines are dropped and
// one runtime line says how many). Lines are formatted only when they will be kept, and
// formatting stops at the cap, so a console.log of a huge value costs no more than the cap.

import type { Limits } from "./limits.js";

/** A line of at most `max` characters, and a marker saying how long it was. */
export function capLine(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max)} … [cut: ${line.length} characters]`;
}

/** Counts an execution's log lines and decides which are kept. */
export class LogCounter {
  /** Lines kept in this activation. */
  activationLines = 0;
  /** Lines dropped in this activation. */
  dropped = 0;
  /** Characters kept in this activation (all of its lines go into one write). */
  activationChars = 0;

  constructor(
    private readonly limits: Limits,
    /** Lines kept by the execution's earlier activations (from its saved state). */
    public runLines: number,
  ) {}

  /** Whether one more line may be written (and counts it either way). */
  take(): boolean {
    if (
      this.activationLines >= this.limits.maxLogLines ||
      this.runLines >= this.limits.maxRunLogLines ||
      this.activationChars >= this.limits.maxActivationLogChars
    ) {
      this.dropped++;
      return false;
    }
    this.activationLines++;
    this.runLines++;
    return true;
  }

  /** The line that says lines were dropped in this activation, if any were. */
  droppedMessage(): string | undefined {
    if (this.dropped === 0) return undefined;
    const which =
      this.runLines >= this.limits.maxRunLogLines
        ? `more than ${this.limits.maxRunLogLines} lines in this execution (the maxRunLogLines limit)`
        : this.activationChars >= this.limits.maxActivationLogChars
          ? `more than ${this.limits.maxActivationLogChars} characters in one activation (the maxActivationLogChars limit)`
          : `more than ${this.limits.maxLogLines} lines in one activation (the maxLogLines limit)`;
    return `${this.dropped} log line${this.dropped === 1 ? "" : "s"} dropped: ${which}`;
  }

  startActivation(): void {
    this.activationLines = 0;
    this.activationChars = 0;
    this.dropped = 0;
  }
}
