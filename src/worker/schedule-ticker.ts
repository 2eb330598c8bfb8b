// Fires due schedules: one timer set for the next schedule's fire time (read from the database,
// in the database's clock, so a skewed local clock shifts nothing), set again after each firing
// and when a schedule changes (NOTIFY "s"). No polling in between but a slow read every minute
// in case a notification was lost (a dropped connection). Which worker fires a tick does not
// matter: the store's transaction makes it one execution per tick (store/schedules.ts).

import { isTransientError } from "../shared/postgres-errors.js";
import type { Store } from "../store/store.js";
import { DatabaseUnavailableError } from "../store/connection-errors.js";

/** Longest sleep without a notification: a lost one costs at most this much lateness. */
const MAX_SLEEP_MS = 60_000;

/** A schedule due but locked by another worker's firing: looked at again after this. */
const LOCKED_RETRY_MS = 200;

export class ScheduleTicker {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  private again = false;
  private failures = 0;

  constructor(
    private readonly store: Store,
    private readonly onError: (e: unknown) => void,
  ) {}

  start(): void {
    this.running = true;
    this.changed();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
  }

  /** A schedule was set, paused, resumed or deleted: the next fire time is read again. */
  changed(): void {
    if (!this.running) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.busy = this.tick().finally(() => {
      this.busy = null;
      if (this.again) {
        this.again = false;
        this.changed();
      }
    });
  }

  /** Fires what is due, then sleeps until the next fire time. */
  private async tick(): Promise<void> {
    let wait: number;
    try {
      const schedules = this.store.schedules();
      let fired = await schedules.fireDue();
      // a full batch: more may be due
      while (fired >= 20 && this.running) fired = await schedules.fireDue();
      const next = await schedules.nextMs();
      // still due after firing: another worker holds it (its transaction is in flight)
      wait = next === null ? MAX_SLEEP_MS : next <= 0 ? LOCKED_RETRY_MS : Math.min(MAX_SLEEP_MS, Math.ceil(next) + 1);
      this.failures = 0;
    } catch (e) {
      wait = Math.min(30_000, 1000 * 2 ** this.failures++);
      this.onError(isTransientError(e) ? new DatabaseUnavailableError(e, wait) : e);
    }
    if (!this.running) return;
    this.timer = setTimeout(() => this.changed(), wait);
  }
}
