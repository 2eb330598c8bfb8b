// Concurrency keys and rate limits in the in-memory host, with the engine's meaning (migration
// 008): a start takes a slot of its key when fewer than its own limit hold it, else waits in line
// (first come, first served) and starts when a holder ends; a start over its key's rate limit in
// the current fixed window (floor(now / per), virtual clock) waits for the next window.

import type { Concurrency, RateLimit } from "../shared/flow-control.js";

export class FlowGates {
  private readonly held = new Map<string, number>();
  private readonly lines = new Map<string, { limit: number; go: () => void }[]>();
  private readonly windows = new Map<string, { perMs: number; win: number; used: number }>();

  /**
   * Whether a start may go now: true, and the slot is taken and the start counted; or
   * `{ waitUntil }` (its rate limit is spent: try again then); or false (its key is full: `go`
   * is called when a slot frees, and must try again).
   */
  enter(c: Concurrency | null, r: RateLimit | null, now: number, go: () => void): true | false | { waitUntil: number } {
    if (c !== null && (this.held.get(c.key) ?? 0) >= c.limit) {
      const line = this.lines.get(c.key) ?? [];
      line.push({ limit: c.limit, go });
      this.lines.set(c.key, line);
      return false;
    }
    if (r !== null) {
      const win = Math.floor(now / r.perMs);
      const w = this.windows.get(r.key);
      const used = w && w.win === win && w.perMs === r.perMs ? w.used : 0;
      if (used >= r.limit) return { waitUntil: (win + 1) * r.perMs };
      this.windows.set(r.key, { perMs: r.perMs, win, used: used + 1 });
    }
    if (c !== null) this.held.set(c.key, (this.held.get(c.key) ?? 0) + 1);
    return true;
  }

  /** A holder of `c` ended: the first in line gets its turn when the key has room for it. */
  leave(c: Concurrency | null): void {
    if (c === null) return;
    const held = (this.held.get(c.key) ?? 1) - 1;
    this.held.set(c.key, held);
    const line = this.lines.get(c.key);
    if (line && line.length > 0 && line[0].limit > held) line.shift()!.go();
  }
}
