// Versioned SQL migrations (src/store/migrations/NNN_name.sql), applied at connect under an
// advisory lock so that many processes starting at once apply each exactly once.

import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Driver } from "./driver.js";
import { quoteSchema, withSchema } from "./schema-name.js";

const DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(DIR + f, "utf8") }));
}

/** Applies every migration the schema lacks; returns the versions applied now. */
export async function migrate(driver: Driver, schema: string): Promise<number[]> {
  const q = quoteSchema(schema);
  return driver.session(async (s) => {
    await s.query("select pg_advisory_lock(hashtext($1))", [`rhythm-migrate:${schema}`]);
    try {
      await s.query(`create schema if not exists ${q}`);
      await s.query(
        `create table if not exists ${q}.migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())`,
      );
      const done = new Set(
        (await s.query<{ version: number }>(`select version from ${q}.migrations`)).rows.map((r) => r.version),
      );
      const applied: number[] = [];
      for (const m of migrations()) {
        if (done.has(m.version)) continue;
        await s.query("begin");
        try {
          await s.query(withSchema(m.sql, schema));
          await s.query(`insert into ${q}.migrations (version, name) values ($1, $2)`, [m.version, m.name]);
          await s.query("commit");
        } catch (e) {
          await s.query("rollback");
          throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await s.query("select pg_advisory_unlock(hashtext($1))", [`rhythm-migrate:${schema}`]);
    }
  });
}
