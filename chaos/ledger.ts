// The chaos ledger: every task handler writes (execution id, attempt, worker pid) when it starts
// and when it finishes (or throws on purpose), in a table of the chaos database outside Rhythm's
// schema. The verifier reads it to prove that a handler ran again only after its worker was killed.

import type pg from "pg";

export const LEDGER_DDL = `
  create table if not exists public.chaos_ledger (
    execution_id uuid not null,
    attempt      integer not null,
    pid          integer not null,
    phase        text not null check (phase in ('start', 'finish', 'threw')),
    at           timestamptz not null default clock_timestamp(),
    -- a write retried after a lost reply must not look like a second run (same pid, same attempt)
    unique (execution_id, attempt, pid, phase)
  )`;

export type Phase = "start" | "finish" | "threw";

export interface LedgerRow {
  execution_id: string;
  attempt: number;
  pid: number;
  phase: Phase;
  at: Date;
}

/**
 * Writes one ledger row, retrying while the database is away (the Postgres restart): a handler
 * does no work before its start is on record. Gives up only when the attempt was aborted.
 */
export async function record(
  pool: pg.Pool,
  executionId: string,
  attempt: number,
  phase: Phase,
  signal: AbortSignal,
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await pool.query(
        `insert into public.chaos_ledger (execution_id, attempt, pid, phase) values ($1, $2, $3, $4) on conflict do nothing`,
        [executionId, attempt, process.pid, phase],
      );
      return;
    } catch (e) {
      if (signal.aborted) throw e;
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** i)));
    }
  }
}
