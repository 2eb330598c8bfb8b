// An engine under test: a Rhythm client over a throwaway database (Postgres or PGlite), with a
// workflows folder written from strings.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rhythm } from "../../src/index.js";
import type { TestDatabase } from "./database.js";
import type { Driver } from "../../src/store/driver.js";

export interface EngineFixture {
  rhythm: Rhythm;
  dir: string;
  db: TestDatabase;
  /** Writes (or rewrites) a workflow file. */
  write(name: string, source: string): void;
  close(): Promise<void>;
}

export async function engine(db: TestDatabase, files: Record<string, string>): Promise<EngineFixture> {
  const dir = mkdtempSync(join(tmpdir(), "rhythm-engine-"));
  const write = (name: string, source: string) => writeFileSync(join(dir, `${name}.flow`), source);
  for (const [name, source] of Object.entries(files)) write(name, source);
  const rhythm = await connectTo(db, dir);
  return {
    rhythm,
    dir,
    db,
    write,
    close: async () => {
      await rhythm.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A client on the same database (another "process" for multi-worker tests on Postgres). */
export async function connectTo(db: TestDatabase, workflows: string, options: { schema?: string } = {}): Promise<Rhythm> {
  if (db.kind === "postgres") return Rhythm.connect({ databaseUrl: db.url!, workflows, ...options });
  // PGlite is one connection: clients share its driver.
  return Rhythm.connectWith(db.driver as Driver, { workflows, ...options });
}
