// Workflow versions: every .flow stored by (name, sha256 of its source) with its compiled program;
// the most recently deployed version of a name is the one new executions run.

import type { Db } from "./db.js";

export interface StoredFlow {
  name: string;
  version: string;
  source: string;
  program: unknown;
}

/** Stores versions (in one transaction: the caller's `db`); storing one again makes it the newest. */
export async function upsertVersions(db: Db, flows: StoredFlow[]): Promise<void> {
  for (const f of flows) await db.run("VersionUpsert", [f.name, f.version, f.source, JSON.stringify(f.program)]);
}

export async function newestVersion(db: Db, name: string): Promise<string | null> {
  const r = await db.run<{ version: string }>("VersionNewest", [name]);
  return r.rows[0]?.version ?? null;
}

export async function program(db: Db, name: string, version: string): Promise<unknown | null> {
  const r = await db.run<{ program: unknown }>("VersionProgram", [name, version]);
  return r.rows[0]?.program ?? null;
}

export async function workflowNames(db: Db): Promise<string[]> {
  return (await db.run<{ name: string }>("VersionNames")).rows.map((r) => r.name);
}
