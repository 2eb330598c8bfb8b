// The rows of the report: which figure of which scenario, its unit, and which direction is better.
// Values are medians over rounds; the ratio is Rhythm's median over the best peer's.

const MB = 2 ** 20;

export const METRICS = [
  { scenario: "s1", key: "enqueueRate", label: "S1 enqueue, tasks/s (one batch call)", better: "higher" },
  { scenario: "s1", key: "drainRate", label: "S1 drain, tasks/s", better: "higher" },
  { scenario: "s1", key: "txPerUnit", label: "S1 transactions per task (xact_commit)", better: "lower" },
  { scenario: "s1", key: "writesPerUnit", label: "S1 write transactions per task", better: "lower" },
  { scenario: "s1", key: "queriesPerUnit", label: "S1 worker statements per task", better: "lower" },
  { scenario: "s2", key: "startP50", label: "S2 enqueue→start p50, ms", better: "lower" },
  { scenario: "s2", key: "startP95", label: "S2 enqueue→start p95, ms", better: "lower" },
  { scenario: "s2", key: "startP99", label: "S2 enqueue→start p99, ms", better: "lower" },
  { scenario: "s2", key: "doneP50", label: "S2 enqueue→completion seen p50, ms", better: "lower" },
  { scenario: "s2", key: "doneP95", label: "S2 enqueue→completion seen p95, ms", better: "lower" },
  { scenario: "s2", key: "doneP99", label: "S2 enqueue→completion seen p99, ms", better: "lower" },
  { scenario: "s2", key: "idleQps", label: "Idle worker, statements/s", better: "lower" },
  { scenario: "s3-1", key: "workflowsPerSec", label: "S3 1-step workflows/s", better: "higher" },
  { scenario: "s3-1", key: "txPerUnit", label: "S3 1-step transactions per step", better: "lower" },
  { scenario: "s3-10", key: "workflowsPerSec", label: "S3 10-step workflows/s", better: "higher" },
  { scenario: "s3-10", key: "stepsPerSec", label: "S3 10-step steps/s", better: "higher" },
  { scenario: "s3-10", key: "txPerUnit", label: "S3 10-step transactions per step (xact_commit)", better: "lower" },
  { scenario: "s3-10", key: "writesPerUnit", label: "S3 10-step write transactions per step", better: "lower" },
  { scenario: "s3-10", key: "queriesPerUnit", label: "S3 10-step worker statements per step", better: "lower" },
  { scenario: "s4", key: "firstMsPerStep", label: "S4 ms per step, steps 1–100", better: "lower" },
  { scenario: "s4", key: "lastMsPerStep", label: "S4 ms per step, last 100 steps", better: "lower" },
  { scenario: "s4", key: "lastOverFirst", label: "S4 last-100 / first-100", better: "lower" },
  { scenario: "s1", key: "peakRss", label: "S5 peak worker RSS in S1, MB", better: "lower", scale: 1 / MB },
  { scenario: "s3-10", key: "peakRss", label: "S5 peak worker RSS in S3 10-step, MB", better: "lower", scale: 1 / MB },
  { scenario: "s6", key: "idleRss", label: "S6 worker RSS idle, MB (after GC)", better: "lower", scale: 1 / MB },
  { scenario: "s6", key: "heldRss", label: "S6 worker RSS, all suspended, MB (after GC)", better: "lower", scale: 1 / MB },
  { scenario: "s6", key: "rssGrowth", label: "S6 RSS growth while suspended, MB", better: "lower", scale: 1 / MB },
  { scenario: "s6", key: "heapGrowth", label: "S6 JS heap growth while suspended, MB", better: "lower", scale: 1 / MB },
  { scenario: "s6", key: "bytesPerWorkflow", label: "S6 database bytes per suspended workflow", better: "lower" },
  { scenario: "s6", key: "suspendRate", label: "S6 started and suspended, workflows/s", better: "higher" },
  { scenario: "s6", key: "resumeRate", label: "S6 signalled and completed, workflows/s", better: "higher" },
];
