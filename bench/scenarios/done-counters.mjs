// How the harness counts finished work in a contender's database: a count of completed rows where
// the contender keeps them, or (graphile-worker deletes finished jobs) the enqueued number less
// the rows still there.

export function doneTasks(adapter, monitor, enqueued) {
  if (adapter.sql.doneTasks) return () => monitor.value(adapter.sql.doneTasks);
  return async () => enqueued - (await monitor.value(adapter.sql.pendingTasks));
}

export function doneWorkflows(adapter, monitor) {
  return () => monitor.value(adapter.sql.doneWorkflows);
}

/** Fails the run unless the handlers ran exactly `expected` times (none lost, none twice). */
export function verifyCalls(report, expected, what) {
  if (report.errors.length > 0) throw new Error(`worker reported: ${report.errors[0]}`);
  if (report.calls !== expected) throw new Error(`${what}: expected ${expected} handler calls, saw ${report.calls}`);
}
