// One LISTEN per client for every caller of `wait` and every subscriber to changes (onChange):
// each wait registers a wake-up for its execution id here instead of holding a pooled connection
// of its own (which starved the pool, and the workers sharing it, as soon as ten callers waited
// at once).

import type { Driver } from "../store/driver.js";

export class FinishWatcher {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscribers = new Set<(payload: string) => void>();
  private listening: Promise<() => Promise<void>> | null = null;

  constructor(
    private readonly driver: Driver,
    private readonly channel: string,
  ) {}

  /** Calls `wake` whenever the execution may have finished; resolves to the unsubscribe function. */
  async watch(id: string, wake: () => void): Promise<() => void> {
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(wake);
    const own = set;
    const stop = () => {
      own.delete(wake);
      if (own.size === 0 && this.waiters.get(id) === own) this.waiters.delete(id);
    };
    await this.listen(stop);
    return stop;
  }

  /** Calls `listener` with every notification of the schema ("" after a reconnect); resolves to the unsubscribe function. */
  async subscribe(listener: (payload: string) => void): Promise<() => void> {
    const own = (payload: string) => {
      try {
        listener(payload);
      } catch (e) {
        // a subscriber's bug surfaces as its own uncaught error, not as the watcher's
        queueMicrotask(() => {
          throw e;
        });
      }
    };
    this.subscribers.add(own);
    const stop = () => void this.subscribers.delete(own);
    await this.listen(stop);
    return stop;
  }

  private async listen(stop: () => void): Promise<void> {
    try {
      this.listening ??= this.driver.listen(this.channel, (payload) => this.notify(payload));
      await this.listening;
    } catch (e) {
      this.listening = null;
      stop();
      throw e;
    }
  }

  private notify(payload: string): void {
    for (const listener of this.subscribers) listener(payload);
    // "" is sent after a reconnect: anything may have happened meanwhile
    if (payload === "") for (const set of this.waiters.values()) for (const wake of set) wake();
    // "d:<id>,<id>…": executions that finished, packed into one notification per batch
    else if (payload.startsWith("d:"))
      for (const id of payload.slice(2).split(",")) for (const wake of this.waiters.get(id) ?? []) wake();
  }

  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = null;
    if (listening) await (await listening.catch(() => async () => {}))();
  }
}
