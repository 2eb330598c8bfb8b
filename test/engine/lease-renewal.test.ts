// The worker's one timer that renews the leases of running tasks without a timeout: each held
// lease is extended by the lease length once it is a third of a lease old, a lost claim or a
// requested cancellation is reported to its holder, and a holder taken out is renewed no more.
// (A fake store records the heartbeats; the lease is 60 ms so that ticks come quickly.)

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Store } from "../../src/store/store.js";
import { LeaseRenewal, type LeaseHolder } from "../../src/worker/lease-renewal.js";
import { until } from "./support/until.js";

const LEASE_MS = 60;

function fakeStore(answer: (id: string) => { held: boolean; cancelRequested: boolean }) {
  const beats: { id: string; token: string; leaseMs: number }[] = [];
  const store = {
    async heartbeat(id: string, token: string, leaseMs: number) {
      beats.push({ id, token, leaseMs });
      return answer(id);
    },
  } as unknown as Store;
  return { store, beats };
}

function holder(id: string): LeaseHolder & { losses: number } {
  return {
    id,
    token: `token-${id}`,
    renewedAt: Date.now(),
    losses: 0,
    lost() {
      this.losses++;
    },
  };
}

describe("lease renewal", () => {
  test("renews each held lease by the lease length, with its claim token, again and again", async () => {
    const { store, beats } = fakeStore(() => ({ held: true, cancelRequested: false }));
    const renewal = new LeaseRenewal(store, LEASE_MS);
    const a = holder("a");
    const before = a.renewedAt;
    renewal.add(a);
    await until("two renewals of a", () => beats.filter((b) => b.id === "a").length >= 2);
    renewal.close();
    assert.deepEqual(beats[0], { id: "a", token: "token-a", leaseMs: LEASE_MS });
    assert.ok(a.renewedAt > before, "the renewal time moves on");
    assert.equal(a.losses, 0);
  });

  test("a lost claim or a requested cancellation is reported to its holder", async () => {
    const { store } = fakeStore((id) => ({ held: id !== "gone", cancelRequested: id === "cancelled" }));
    const renewal = new LeaseRenewal(store, LEASE_MS);
    const gone = holder("gone");
    const cancelled = holder("cancelled");
    const kept = holder("kept");
    for (const h of [gone, cancelled, kept]) renewal.add(h);
    await until("both losses reported", () => gone.losses > 0 && cancelled.losses > 0);
    renewal.close();
    assert.equal(kept.losses, 0);
  });

  test("a holder taken out is not renewed, while the others still are", async () => {
    const { store, beats } = fakeStore(() => ({ held: true, cancelRequested: false }));
    const renewal = new LeaseRenewal(store, LEASE_MS);
    const done = holder("done");
    const running = holder("running");
    renewal.add(done);
    renewal.add(running);
    renewal.delete(done);
    await until("two renewals of the running one", () => beats.filter((b) => b.id === "running").length >= 2);
    renewal.close();
    assert.equal(beats.filter((b) => b.id === "done").length, 0);
  });

  test("the timer stops when nothing is held and starts again with the next holder", async () => {
    const { store, beats } = fakeStore(() => ({ held: true, cancelRequested: false }));
    const renewal = new LeaseRenewal(store, LEASE_MS);
    const first = holder("first");
    renewal.add(first);
    renewal.delete(first);
    // the next tick finds nothing held and stops the timer
    await until("the timer to stop", () => (renewal as unknown as { timer: unknown }).timer === null);
    const second = holder("second");
    renewal.add(second);
    await until("a renewal of the second", () => beats.some((b) => b.id === "second"));
    renewal.close();
  });
});
