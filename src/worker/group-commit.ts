// Group commit: what finishes while a batch is being written waits for the next batch, and each
// batch is one transaction. A lone item is written at once (no added latency when idle); under
// load, batches grow by themselves to whatever arrived during the previous write.

import { isTransientError } from "../shared/postgres-errors.js";

/** How long a batch keeps being written again while the database is unreachable. */
const RETRY_FOR_MS = 30_000;

export class GroupCommit<T> {
  private pending: { item: T; resolve: (written: boolean) => void; reject: (e: unknown) => void }[] = [];
  private writing = 0;
  private scheduled = false;

  constructor(
    /** Writes items in one transaction; answers, per item, whether it was written. `alone` is
     * set when an item is written on its own after its batch failed. */
    private readonly write: (items: T[], alone: boolean) => Promise<boolean[]>,
    private readonly maxBatch = 500,
    /** Batches written at once: while one waits for its commit, the next is already on its way. */
    private readonly parallel = 2,
    /** Told of each failed write that will be tried again, and after how long. */
    private readonly onRetry: (e: unknown, delayMs: number) => void = () => {},
  ) {}

  /** Items waiting plus batches being written. */
  get load(): number {
    return this.pending.length + this.writing;
  }

  submit(item: T): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** The next batch starts after the current turn of the event loop, so everything handed in
   * by the same turn (a claim's worth of activations, say) goes in one transaction. */
  private schedule(): void {
    if (this.writing >= this.parallel || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /**
   * A batch that could not reach the database, or that the server could not complete for now
   * (disk full, a statement timeout: isTransientError), is written again, with backoff, for as
   * long as a server restart takes: giving up would leave finished work unrecorded, and a task
   * whose handler already ran would run again when its lease expired. Writing twice is harmless:
   * the claim tokens let only the first write through.
   */
  private async writeRetrying(items: T[]): Promise<boolean[]> {
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return await this.write(items, false);
      } catch (e) {
        if (!isTransientError(e) || Date.now() + delay > giveUpAt) throw e;
        this.onRetry(e, delay);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** One item written on its own after its batch failed: only the culprit fails again. */
  private async retryAlone(b: { item: T; resolve: (written: boolean) => void; reject: (e: unknown) => void }): Promise<void> {
    await this.write([b.item], true).then(
      ([written]) => b.resolve(written),
      (e: unknown) => b.reject(e),
    );
  }

  private async flush(): Promise<void> {
    if (this.writing >= this.parallel || this.pending.length === 0) return;
    this.writing++;
    const batch = this.pending.splice(0, this.maxBatch);
    try {
      const answers = await this.writeRetrying(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(answers[i]));
    } catch {
      // One item the database refuses (a value out of a column's range, say) must not fail the
      // others with it: each is written again on its own — without the extra work a batch takes
      // on (activations of the workflows it wakes), which may have been the culprit.
      for (const b of batch) await this.retryAlone(b);
    } finally {
      this.writing--;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
