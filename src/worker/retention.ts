// Retention run by workers: every minute (the first a few random seconds after start, so workers
// started together spread out), finished executions older than the ages set per status are deleted in
// batches of store/retention.ts, a pause between batches so they never hold the table long.

import { durationArgument } from "../shared/durations.js";
import { InvalidArgumentError } from "../shared/rhythm-error.js";
import { FINISHED_STATUSES, PRUNE_BATCH, type FinishedStatus } from "../store/retention.js";
import type { Store } from "../store/store.js";

/** How long finished executions are kept, per status (a duration: "7d", "12h", seconds); absent: forever. */
export type RetentionOptions = Partial<Record<FinishedStatus, number | string>>;

const RETENTION_EVERY_MS = 60_000;
const FIRST_RUN_WITHIN_MS = 5_000;
/** Batches per status per run: at most 50,000 rows a minute per worker, the rest the next minute. */
const MAX_BATCHES = 100;
const PAUSE_BETWEEN_BATCHES_MS = 50;

/** The ages in ms of a retention option, checked. */
export function retentionAges(options: RetentionOptions | undefined): Map<FinishedStatus, number> {
  const ages = new Map<FinishedStatus, number>();
  for (const [status, age] of Object.entries(options ?? {})) {
    if (!FINISHED_STATUSES.includes(status as FinishedStatus))
      throw new InvalidArgumentError(`retention: "${status}" is not a finished status (completed, failed, cancelled)`);
    if (age !== undefined) ages.set(status as FinishedStatus, durationArgument(age, `retention.${status}`));
  }
  return ages;
}

export class RetentionRunner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly ages: Map<FinishedStatus, number>,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    if (this.ages.size === 0) return;
    this.running = true;
    this.schedule(Math.random() * FIRST_RUN_WITHIN_MS);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.busy = this.prune()
        .catch((e: unknown) => this.onError(e))
        .finally(() => {
          this.busy = null;
          if (this.running) this.schedule(RETENTION_EVERY_MS);
        });
    }, ms);
    this.timer.unref?.();
  }

  /** One run: each status's old executions, batch by batch. */
  private async prune(): Promise<void> {
    const room = this.store.retention();
    for (const [status, age] of this.ages) {
      for (let n = 0; n < MAX_BATCHES && this.running; n++) {
        if ((await room.pruneBatch(status, age)) < PRUNE_BATCH) break;
        await new Promise((r) => setTimeout(r, PAUSE_BETWEEN_BATCHES_MS));
      }
    }
  }
}
