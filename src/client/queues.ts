// The queues as a person asks after them: what waits and runs on each, by task or workflow name,
// the oldest ready work, the workers serving it, and why nothing will move it when no running
// worker takes it (the rule of get/list's `blocked`, store/workers.ts).

import type { QueueDepth } from "../store/overview.js";
import { whyNoWorker, type LiveWorker } from "../store/workers.js";

/** The work of one task or workflow name on a queue, and why no running worker takes it, when none does. */
export type QueueGroup = Omit<QueueDepth, "queue"> & { blocked?: string };

export interface QueueOverview {
  queue: string;
  /** Queued and due now. */
  ready: number;
  /** Queued to run later (a delay, a retry's backoff). */
  later: number;
  running: number;
  /** When the longest-waiting ready execution became due. */
  oldestReady: string | null;
  /** Ids of the running workers that serve it. */
  workers: string[];
  groups: QueueGroup[];
}

/** Every queue with work or a worker, by name. */
export function queueOverview(depths: QueueDepth[], workers: LiveWorker[]): QueueOverview[] {
  const queues = new Map<string, QueueOverview>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      const serving = workers.filter((w) => w.queues.includes(name)).map((w) => w.id);
      queues.set(name, (q = { queue: name, ready: 0, later: 0, running: 0, oldestReady: null, workers: serving, groups: [] }));
    }
    return q;
  };
  for (const w of workers) for (const name of w.queues) queue(name);
  for (const d of depths) {
    const q = queue(d.queue);
    q.ready += d.ready;
    q.later += d.later;
    q.running += d.running;
    if (d.oldestReady !== null && (q.oldestReady === null || d.oldestReady < q.oldestReady)) q.oldestReady = d.oldestReady;
    const { queue: _, ...rest } = d;
    const group: QueueGroup = rest;
    const why = d.ready + d.later > 0 ? whyNoWorker(d, workers) : null;
    if (why) group.blocked = why;
    q.groups.push(group);
  }
  return [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue));
}
