// A worker under fault injection, and a client beside it that the faults do not touch: the
// worker's client goes through a FaultDriver (its own pool on Postgres), the test enqueues and
// checks through the database's plain driver.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rhythm } from "../../../src/index.js";
import type { Driver } from "../../../src/store/driver.js";
import { PostgresDriver } from "../../../src/store/pg-driver.js";
import { statementsFor, type Statements } from "../../../src/store/queries/index.js";
import type { Worker } from "../../../src/worker/worker.js";
import type { TestDatabase } from "../../support/database.js";
import { FaultDriver } from "./fault-driver.js";
import { FLOWS, Workload } from "./fault-workload.js";

export interface Rig {
  /** The client whose worker runs the workload, over `fault`. */
  rhythm: Rhythm;
  fault: FaultDriver;
  worker: Worker;
  /** Enqueues and reads, beside the faults. */
  client: Rhythm;
  workload: Workload;
  /** What the worker reported through onError. */
  errors: unknown[];
  /** The SQL of the worker's store, by statement name. */
  sql: Statements;
  close(): Promise<void>;
}

export async function openRig(
  db: TestDatabase,
  options: { taskTimeout?: string; taskRetries?: number; url?: string; beforeStart?: (rig: Omit<Rig, "close">) => void } = {},
): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-faults-"));
  for (const [name, source] of Object.entries(FLOWS)) writeFileSync(join(dir, `${name}.flow`), source);
  const inner: Driver = db.kind === "postgres" ? new PostgresDriver(options.url ?? db.url!) : db.driver;
  const fault = new FaultDriver(inner, db.kind === "postgres");
  const rhythm = await Rhythm.connectWith(fault, { workflows: dir });
  const workload = new Workload();
  workload.register(rhythm, { timeout: options.taskTimeout, retries: options.taskRetries });
  const errors: unknown[] = [];
  const worker = rhythm.worker({ pollIntervalMs: 100, onError: (e) => errors.push(e) });
  const client = await Rhythm.connectWith(db.driver, { workflows: dir });
  const rig = { rhythm, fault, worker, client, workload, errors, sql: statementsFor("rhythm") };
  options.beforeStart?.(rig);
  await worker.start();
  return {
    ...rig,
    close: async () => {
      fault.plan = () => null;
      await rhythm.close();
      await client.close();
      await fault.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
