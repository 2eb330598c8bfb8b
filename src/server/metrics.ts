// GET /metrics (docs/telemetry.md): Prometheus text read at each scrape — queue depths and counts
// by status from the database, and the counters of this process's workers (rhythm dev, or an app
// serving the dashboard beside its workers). Guarded like the API (guard.ts).

import type { Rhythm } from "../client/rhythm.js";
import { BUCKETS, type ProcessMetrics } from "../worker/process-metrics.js";
import { Exposition } from "./prometheus.js";

/** Executions of each status are counted up to this many per scrape (an index walk each). */
export const STATUS_COUNT_CAP = 1_000_000;

export async function metricsText(rhythm: Rhythm, tally: ProcessMetrics): Promise<string> {
  const [depths, counts] = await Promise.all([rhythm.queueDepths(), rhythm.countsByStatus(STATUS_COUNT_CAP)]);
  const now = Date.now();
  const out = new Exposition();
  const depth: { labels: Record<string, string>; value: number }[] = [];
  const oldest = new Map<string, number>();
  for (const d of depths) {
    const labels = { queue: d.queue, kind: d.kind, name: d.name };
    depth.push({ labels: { ...labels, state: "ready" }, value: d.ready });
    depth.push({ labels: { ...labels, state: "later" }, value: d.later });
    depth.push({ labels: { ...labels, state: "running" }, value: d.running });
    if (d.oldestReady !== null) {
      const age = Math.max(0, (now - Date.parse(d.oldestReady)) / 1000);
      oldest.set(d.queue, Math.max(oldest.get(d.queue) ?? 0, age));
    }
  }
  out.scalar(
    "rhythm_queue_depth",
    "gauge",
    "Executions queued or running, by queue, kind, name and state (ready: runnable now; later: delayed or backing off; running)",
    depth,
  );
  out.scalar(
    "rhythm_queue_oldest_ready_age_seconds",
    "gauge",
    "How long the longest-waiting runnable execution of each queue has waited",
    [...oldest].map(([queue, value]) => ({ labels: { queue }, value })),
  );
  out.scalar(
    "rhythm_executions",
    "gauge",
    `Executions stored, by status (counted up to ${STATUS_COUNT_CAP} per status)`,
    Object.entries(counts).map(([status, value]) => ({ labels: { status }, value })),
  );
  out.scalar(
    "rhythm_executions_started_total",
    "counter",
    "Executions this process's workers began (a task's first attempt, a workflow's first activation)",
    tally.startedTotal.all(),
  );
  out.scalar(
    "rhythm_executions_finished_total",
    "counter",
    "Executions this process's workers finished, by status (completed, failed)",
    tally.finishedTotal.all(),
  );
  const withBounds = (s: { labels: Record<string, string>; value: { counts: number[]; sum: number; count: number } }) => ({
    labels: s.labels,
    value: { bounds: BUCKETS, ...s.value },
  });
  out.histogram(
    "rhythm_task_attempt_duration_seconds",
    "How long task handlers of this process ran, by task name and outcome (completed, retry, failed, cancelled)",
    tally.attemptDuration.all().map(withBounds),
  );
  out.histogram(
    "rhythm_claim_latency_seconds",
    "How long executions waited, once runnable, before a worker of this process claimed them",
    tally.claimLatency.all().map(withBounds),
  );
  out.scalar("rhythm_process_metrics_start_time_seconds", "gauge", "When this process began counting (Unix time)", [
    { labels: {}, value: tally.since / 1000 },
  ]);
  return out.text();
}
