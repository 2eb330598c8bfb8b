// Live updates: one subscription per server to the database's notifications (the client's one
// LISTEN connection), fanned out to every open page as Server-Sent Events; pages refetch what
// they show when told, and never poll. Notifications are gathered for PUSH_DELAY_MS and pushed
// at most once per PUSH_GAP_MS. A claim or a workflow suspending sends no notification of its
// own (the workers' hot path notifies only whom it must wake), but both follow a notification
// within moments — work queued, a workflow woken — so each push is followed by two quiet ones
// (FOLLOW_UPS_MS) that catch them.

import type { ChangeNotice } from "../client/changes.js";

/** What a page is told: the executions that finished or were cancelled, the queues that got work. */
export interface LiveEvent {
  ids: string[];
  queues: string[];
  /** A push that only repeats an earlier one (the quiet follow-ups), or says anything may have changed. */
  settle: boolean;
}

type Send = (event: LiveEvent) => void;

const PUSH_DELAY_MS = 150;
const PUSH_GAP_MS = 1000;
const FOLLOW_UPS_MS = [1500, 4000];

export class LiveHub {
  private readonly pages = new Set<Send>();
  private subscription: Promise<() => void> | null = null;
  private ids = new Set<string>();
  private queues = new Set<string>();
  private pushTimer: NodeJS.Timeout | null = null;
  private followUps: NodeJS.Timeout[] = [];
  private lastPush = 0;
  private closed = false;

  constructor(private readonly subscribe: (listener: (notice: ChangeNotice) => void) => Promise<() => void>) {}

  /** Adds a page; resolves (once the subscription holds) to the function that removes it. */
  async join(send: Send): Promise<() => void> {
    this.subscription ??= this.subscribe((n) => this.heard(n));
    try {
      await this.subscription;
    } catch (e) {
      this.subscription = null;
      throw e;
    }
    this.pages.add(send);
    return () => void this.pages.delete(send);
  }

  get size(): number {
    return this.pages.size;
  }

  private heard(n: ChangeNotice): void {
    if (n.type === "finished") for (const id of n.ids) this.ids.add(id);
    else if (n.type === "cancelled") this.ids.add(n.id);
    else if (n.type === "queued") this.queues.add(n.queue);
    if (this.pushTimer || this.pages.size === 0) return;
    const wait = Math.max(PUSH_DELAY_MS, this.lastPush + PUSH_GAP_MS - Date.now());
    this.pushTimer = setTimeout(() => this.push(), wait);
  }

  private push(): void {
    this.pushTimer = null;
    if (this.closed) return;
    const event: LiveEvent = { ids: [...this.ids], queues: [...this.queues], settle: false };
    this.ids.clear();
    this.queues.clear();
    this.send(event);
    for (const t of this.followUps) clearTimeout(t);
    this.followUps = FOLLOW_UPS_MS.map((ms) => setTimeout(() => this.send({ ids: [], queues: [], settle: true }), ms));
  }

  private send(event: LiveEvent): void {
    this.lastPush = Date.now();
    for (const send of this.pages) send(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    for (const t of this.followUps) clearTimeout(t);
    this.pages.clear();
    const subscription = this.subscription;
    this.subscription = null;
    if (subscription) (await subscription.catch(() => () => {}))();
  }
}
