// The worker's sleeps: each ends early when poked (a NOTIFY, slots coming free, stop()), and the
// main loop's sleep also ends earlier when work comes due sooner than it was set for.

export class Sleeper {
  private wake: (() => void) | null = null;
  /** A poke that came while nobody slept: the next sleep returns at once. */
  private woken = false;
  private wakeBy: ((at: number) => void) | null = null;

  /** `onTimeout`: told when a sleep ran its whole length (a poll, or a due time reached). */
  constructor(private readonly onTimeout: () => void) {}

  poke(): void {
    this.woken = true;
    this.wake?.();
  }

  /** Ends the current rearmable sleep at `at` (local clock) if it was to end later. */
  by(at: number): void {
    this.wakeBy?.(at);
  }

  /** Sleeps `ms` or until poked; a `rearmable` sleep also ends at what `by` says. */
  sleep(ms: number, rearmable = false): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let end = Date.now() + Math.max(0, ms);
      const timedOut = () => {
        this.onTimeout();
        done();
      };
      let t = setTimeout(timedOut, Math.max(0, ms));
      const done = () => {
        clearTimeout(t);
        this.wake = null;
        this.wakeBy = null;
        resolve();
      };
      this.wake = () => {
        this.woken = false;
        done();
      };
      if (rearmable)
        this.wakeBy = (at) => {
          if (at >= end) return;
          end = at;
          clearTimeout(t);
          t = setTimeout(timedOut, Math.max(0, at - Date.now()));
        };
    });
  }
}
