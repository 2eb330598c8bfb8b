// How fast each queue finishes work, measured from the "finished" notifications this client
// hears (one LISTEN, shared with wait()): the ids of a second are looked up together by primary
// key (a sample of at most SAMPLE_PER_SECOND of them, scaled up), and counted per queue and final
// status in 10-second slots kept for WINDOW_MS. The database keeps no index on finish times (one
// more index for every status change on the workers' path), so the rate is what this process saw
// since it began to measure, and says since when.

import type { ExecutionStatus } from "../shared/statuses.js";

/** Executions finished on one queue within the window (estimated when the load was sampled). */
export interface QueueThroughput {
  queue: string;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface Throughput {
  /** When this client began to measure. */
  since: string;
  /** The seconds the counts cover: the window, or less when measuring began within it. */
  seconds: number;
  queues: QueueThroughput[];
}

type Lookup = (ids: string[]) => Promise<{ queue: string; status: ExecutionStatus; count: number }[]>;

const SLOT_MS = 10_000;
const WINDOW_MS = 5 * 60_000;
const SAMPLE_PER_SECOND = 1000;

export class ThroughputMeter {
  private readonly started = Date.now();
  private pending: string[] = [];
  private unsampled = 0;
  /** Counts by slot start (ms), then by queue. */
  private readonly slots = new Map<number, Map<string, QueueThroughput>>();
  private readonly timer: NodeJS.Timeout;
  private flushing = false;

  constructor(private readonly lookup: Lookup) {
    this.timer = setInterval(() => void this.flush(), 1000);
    this.timer.unref();
  }

  /** Ids of executions that finished. */
  note(ids: string[]): void {
    for (const id of ids) {
      if (this.pending.length < SAMPLE_PER_SECOND) this.pending.push(id);
      else this.unsampled++;
    }
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const ids = this.pending;
    const scale = (ids.length + this.unsampled) / ids.length;
    this.pending = [];
    this.unsampled = 0;
    try {
      const rows = await this.lookup(ids);
      const at = Math.floor(Date.now() / SLOT_MS) * SLOT_MS;
      let slot = this.slots.get(at);
      if (!slot) this.slots.set(at, (slot = new Map()));
      for (const r of rows) {
        if (r.status !== "completed" && r.status !== "failed" && r.status !== "cancelled") continue;
        let q = slot.get(r.queue);
        if (!q) slot.set(r.queue, (q = { queue: r.queue, completed: 0, failed: 0, cancelled: 0 }));
        q[r.status] += r.count * scale;
      }
      for (const start of this.slots.keys()) if (start < at - WINDOW_MS) this.slots.delete(start);
    } catch {
      // a lookup the database refused (it went away) loses that second's counts, nothing more
    } finally {
      this.flushing = false;
    }
  }

  read(): Throughput {
    const now = Date.now();
    const from = now - WINDOW_MS;
    const sums = new Map<string, QueueThroughput>();
    for (const [start, slot] of this.slots) {
      if (start + SLOT_MS <= from) continue;
      for (const q of slot.values()) {
        const s = sums.get(q.queue) ?? { queue: q.queue, completed: 0, failed: 0, cancelled: 0 };
        s.completed += q.completed;
        s.failed += q.failed;
        s.cancelled += q.cancelled;
        sums.set(q.queue, s);
      }
    }
    const round = (q: QueueThroughput) => ({
      queue: q.queue,
      completed: Math.round(q.completed),
      failed: Math.round(q.failed),
      cancelled: Math.round(q.cancelled),
    });
    return {
      since: new Date(this.started).toISOString(),
      seconds: Math.round(Math.min(WINDOW_MS, now - this.started) / 1000),
      queues: [...sums.values()].map(round).sort((a, b) => a.queue.localeCompare(b.queue)),
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
