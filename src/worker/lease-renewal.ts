// Keeps the leases of running task attempts that have no timeout alive, from one timer for the
// whole worker. A timer per attempt (setInterval, then clearInterval) was a tenth of the worker's
// CPU for no-op tasks: ~3 µs per task of timer-list work, 20,000 times per S1 drain.

import type { Store } from "../store/store.js";

export interface LeaseHolder {
  readonly id: string;
  readonly token: string;
  /** When the lease was last taken or extended (Date.now()). */
  renewedAt: number;
  /** The claim is gone or a cancellation was asked for. */
  lost(): void;
}

export class LeaseRenewal {
  private readonly held = new Set<LeaseHolder>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    /** Length of each lease taken or extended here. */
    private readonly leaseMs: number,
  ) {}

  add(h: LeaseHolder): void {
    this.held.add(h);
    // Ticks twice per renewal period, each renewing what is at least a third of a lease old: a
    // lease is extended 1/3 to 1/2 of its length after it was last taken, never near its end.
    // Unref'd: the attempts keep the process alive, not their bookkeeping.
    this.timer ??= setInterval(() => this.tick(), this.leaseMs / 6).unref();
  }

  delete(h: LeaseHolder): void {
    this.held.delete(h);
  }

  /** Stops the timer (the worker stopped); attempts still held are no longer renewed. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.held.clear();
  }

  private tick(): void {
    if (this.held.size === 0) {
      // started again by the next add
      this.close();
      return;
    }
    const now = Date.now();
    for (const h of this.held) {
      if (now - h.renewedAt < this.leaseMs / 3) continue;
      h.renewedAt = now;
      this.store.heartbeat(h.id, h.token, this.leaseMs).then(
        (r) => {
          if (!r.held || r.cancelRequested) h.lost();
        },
        () => {},
      );
    }
  }
}
