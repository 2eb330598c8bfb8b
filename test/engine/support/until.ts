// Waiting on the engine in tests: a bounded poll for a condition, and a deferred value a task
// handler can block on until the test releases it. Nothing here asserts on elapsed time.

import type { Execution, Rhythm } from "../../../src/index.js";

/** Polls `probe` until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; ; i++) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    last = v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last probe: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, Math.min(100, 10 + i * 5)));
  }
}

/** The execution once it has the given status. */
export function untilStatus(rhythm: Rhythm, id: string, status: Execution["status"], timeoutMs?: number): Promise<Execution> {
  return until(
    `execution ${id} to be ${status}`,
    async () => {
      const e = await rhythm.get(id);
      return e?.status === status ? e : undefined;
    },
    timeoutMs,
  );
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
