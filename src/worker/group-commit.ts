// Group commit: what finishes while a batch is being written waits for the next batch, and each
// batch is one transaction. A lone item is written at once (no added latency when idle); under
// load, batches grow by themselves to whatever arrived during the previous write.

export class GroupCommit<T> {
  private pending: { item: T; resolve: (written: boolean) => void; reject: (e: unknown) => void }[] = [];
  private writing = false;
  private scheduled = false;

  constructor(
    /** Writes items in one transaction; answers, per item, whether it was written. */
    private readonly write: (items: T[]) => Promise<boolean[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** The next batch starts after the current turn of the event loop, so everything handed in
   * by the same turn (a claim's worth of activations, say) goes in one transaction. */
  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const batch = this.pending.splice(0, this.maxBatch);
    try {
      const answers = await this.write(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(answers[i]));
    } catch (e) {
      if (batch.length === 1) batch[0].reject(e);
      // One item the database refuses (a value out of a column's range, say) must not fail the
      // others with it: each is written again on its own, and only the culprit fails.
      else
        for (const b of batch)
          await this.write([b.item]).then(
            ([written]) => b.resolve(written),
            (e2: unknown) => b.reject(e2),
          );
    } finally {
      this.writing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
