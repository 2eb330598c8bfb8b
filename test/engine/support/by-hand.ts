// A worker's parts driven by hand, for tests that race them against each other: claims, activations
// committed as a worker commits them (a step written alone), completions, lease expiry, and the
// store's statements by name for writing what a step writes from another session.

import type { Driver } from "../../../src/store/driver.js";
import { statementsFor, type Statements } from "../../../src/store/queries/index.js";
import { Store } from "../../../src/store/store.js";
import type { Claimed, InboxItem } from "../../../src/store/types.js";
import { Activator, runActivation, type Activate, type Activated } from "../../../src/worker/activation.js";
import { expireLeases } from "../../../src/worker/lease-expiry.js";
import { ProgramCache } from "../../../src/worker/program-cache.js";
import { TaskRegistry } from "../../../src/worker/registry.js";
import { StepCommit } from "../../../src/worker/step-commit.js";

export class ByHand {
  readonly store: Store;
  readonly sql: Statements;
  readonly programs: ProgramCache;
  readonly registry = new TaskRegistry();
  readonly activator: Activator;

  constructor(
    driver: Driver,
    readonly workerId = "by-hand",
    schema = "rhythm",
  ) {
    this.store = new Store(driver, schema);
    this.sql = statementsFor(schema);
    this.programs = new ProgramCache(this.store);
    this.activator = new Activator(this.programs, this.registry, undefined);
  }

  /** Steps of a worker serving `queues` (it activates the workflows a step wakes there), with `activator` in place of its own. */
  steps(queues: string[] = [], activator: Activate = this.activator): StepCommit {
    return new StepCommit(this.store, activator, {
      workerId: this.workerId,
      queues,
      registry: this.registry,
      leaseMs: 30_000,
      onError: (e) => {
        throw e;
      },
    });
  }

  /** Writes an activation as a worker's group commit does when it writes one alone: false when its claim is gone. */
  async commit(a: Activated): Promise<boolean> {
    const { written } = await this.steps().write([{ type: "activation", activated: a }], null);
    return written[0];
  }

  /** Runs a claimed workflow's activation (with `inbox`: these settlements) and commits it. */
  activate(claimed: Claimed, inbox: InboxItem[] = claimed.inbox, commit = (a: Activated) => this.commit(a)) {
    return runActivation(this.activator, { ...claimed, inbox }, commit);
  }

  /** A task attempt's success, written as a worker writes it. */
  async complete(id: string, token: string, output: unknown): Promise<boolean> {
    const { written } = await this.steps().write([{ type: "complete", id, token, output, standalone: false }], null);
    return written[0];
  }

  expireLeases(limit = 10): Promise<number> {
    return expireLeases(this.store, this.registry, limit);
  }
}
