// The counters of this process's workers, kept for the Prometheus endpoint (/metrics) of a server
// in the same process (`rhythm dev`, an app serving the dashboard next to its workers). Off until
// a server turns it on, so a worker without one counts nothing twice.

/** Upper bounds (seconds) of the histogram buckets, as Prometheus client libraries default them. */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface HistogramData {
  /** Counts per bucket of BUCKETS (not cumulative), then the count over the last bound. */
  counts: number[];
  sum: number;
  count: number;
}

function histogram(): HistogramData {
  return { counts: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
}

function observe(h: HistogramData, v: number): void {
  let i = 0;
  while (i < BUCKETS.length && v > BUCKETS[i]) i++;
  h.counts[i]++;
  h.sum += v;
  h.count++;
}

/** A series: its labels (in order) and its value. */
export interface Series<V> {
  labels: Record<string, string>;
  value: V;
}

/** Values keyed by their labels (joined with NUL, which no label value of ours holds). */
class Family<V> {
  private readonly series = new Map<string, Series<V>>();

  constructor(private readonly make: () => V) {}

  at(labels: Record<string, string>): Series<V> {
    const key = Object.values(labels).join("\0");
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, value: this.make() }));
    return s;
  }

  all(): Series<V>[] {
    return [...this.series.values()];
  }
}

export class ProcessMetrics {
  readonly since = Date.now();
  readonly startedTotal = new Family(() => 0);
  readonly finishedTotal = new Family(() => 0);
  readonly attemptDuration = new Family(histogram);
  readonly claimLatency = new Family(histogram);

  started(kind: string, name: string): void {
    this.startedTotal.at({ kind, name }).value++;
  }

  finished(kind: string, name: string, status: string): void {
    this.finishedTotal.at({ kind, name, status }).value++;
  }

  attempt(name: string, outcome: string, seconds: number): void {
    observe(this.attemptDuration.at({ name, outcome }).value, seconds);
  }

  claimed(queue: string, kind: string, seconds: number): void {
    observe(this.claimLatency.at({ queue, kind }).value, seconds);
  }
}

/** The process's tally; null until enabled. */
export const processMetrics: { current: ProcessMetrics | null } = { current: null };

/** Turns the tally on (idempotent) and returns it. */
export function enableProcessMetrics(): ProcessMetrics {
  return (processMetrics.current ??= new ProcessMetrics());
}
