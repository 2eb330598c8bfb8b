// Claims whose lease ran out (a worker died or froze, an attempt overran its timeout), taken back
// every few seconds by every worker: an expired workflow activation is queued again (it runs again
// from its saved state), an expired task attempt fails with LeaseExpired and is retried per its
// policy, or fails for good and its workflow is told.

import { leaseExpiredError } from "../shared/flow-errors.js";
import { retryDelayMs, retryPolicy } from "../shared/retries.js";
import type { Store } from "../store/store.js";
import { taskErrorJson } from "../vm/errors.js";
import type { TaskRegistry } from "./registry.js";

/** Resolves up to `limit` expired claims in one transaction; returns how many. */
export function expireLeases(store: Store, registry: TaskRegistry, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const rows = await tx.expiredLeases(limit);
    for (const row of rows) {
      if (row.kind === "workflow") {
        await tx.requeueExpired(row);
        continue;
      }
      const error = leaseExpiredError(row.attempt);
      // a task queued without retries follows the registration here (when this worker has it)
      const registered = retryPolicy(registry.get(row.name)?.options.retries, `task "${row.name}"`);
      const retry = retryDelayMs({ attempt: row.attempt, maxAttempts: row.max_attempts, backoff: row.backoff }, registered);
      await tx.failAttempt(row.id, row.claim_token, error, retry, taskErrorJson(row.name, row.attempt, error));
    }
    return rows.length;
  });
}
