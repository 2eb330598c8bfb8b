// wait(): resolves when an execution finishes, woken by the client's one LISTEN (finish-watcher.ts),
// with a re-check after a long quiet spell in case a notification was lost with a connection.

import type { Execution } from "../store/execution.js";
import { isFinalStatus } from "../shared/statuses.js";
import { ExecutionNotFoundError, WaitTimeoutError } from "./errors.js";
import type { FinishWatcher } from "./finish-watcher.js";

export async function waitForFinish(
  finishes: FinishWatcher,
  get: (id: string) => Promise<Execution | null>,
  id: string,
  timeoutMs: number | null,
): Promise<Execution> {
  // A notification that arrives while get() is in flight must not be lost: it is remembered.
  let notified = false;
  let wake: (() => void) | null = null;
  const unwatch = await finishes.watch(id, () => {
    notified = true;
    wake?.();
  });
  const started = Date.now();
  try {
    for (;;) {
      notified = false;
      // (what blocks it is not asked for: wait only looks for the end)
      const e = await get(id);
      if (!e) throw new ExecutionNotFoundError(id);
      if (isFinalStatus(e.status)) return e;
      const left = timeoutMs === null ? 60_000 : timeoutMs - (Date.now() - started);
      if (left <= 0) throw new WaitTimeoutError(id, timeoutMs!);
      if (notified) continue;
      // The notification is the signal; the re-check after a long quiet spell only guards
      // against a notification lost with a dropped connection.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 60_000));
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unwatch();
  }
}
