// The worker protocol's functions (migration 011, docs/protocol.md) called as a worker in another
// language would call them: plain SQL on a connection, nothing of the TypeScript worker.

import type { Driver } from "../../../src/store/driver.js";

export interface ProtocolClaim {
  id: string;
  name: string;
  queue: string;
  inputs: unknown;
  attempt: number;
  max_attempts: number | null;
  backoff: unknown;
  timeout_ms: number | null;
  parent_id: string | null;
  claim_token: string;
  lease_ms: number;
}

export class Protocol {
  constructor(
    private readonly driver: Driver,
    private readonly schema = "rhythm",
  ) {}

  private fn(name: string): string {
    return `"${this.schema}".${name}`;
  }

  async claim(workerId: string, queues: string[], tasks: string[], limit: number, leaseMs = 30_000): Promise<ProtocolClaim[]> {
    const r = await this.driver.query<ProtocolClaim>(`select * from ${this.fn("claim_tasks_v1")}($1, $2, $3, $4, $5)`, [
      workerId,
      queues,
      tasks,
      limit,
      leaseMs,
    ]);
    return r.rows;
  }

  async heartbeat(id: string, token: string, leaseMs = 30_000): Promise<{ held: boolean; cancelled: boolean }> {
    const r = await this.driver.query<{ held: boolean; cancelled: boolean }>(
      `select * from ${this.fn("heartbeat_v1")}($1, $2, $3)`,
      [id, token, leaseMs],
    );
    return r.rows[0];
  }

  async complete(id: string, token: string, output: unknown): Promise<boolean> {
    const r = await this.driver.query<{ ok: boolean }>(`select ${this.fn("complete_task_v1")}($1, $2, $3::json) as ok`, [
      id,
      token,
      JSON.stringify(output ?? null),
    ]);
    return r.rows[0].ok;
  }

  async fail(id: string, token: string, error: unknown, retryable = true): Promise<"retried" | "failed" | null> {
    const r = await this.driver.query<{ outcome: "retried" | "failed" | null }>(
      `select ${this.fn("fail_task_v1")}($1, $2, $3::json, $4) as outcome`,
      [id, token, JSON.stringify(error), retryable],
    );
    return r.rows[0].outcome;
  }

  async release(id: string, token: string): Promise<boolean> {
    const r = await this.driver.query<{ ok: boolean }>(`select ${this.fn("release_task_v1")}($1, $2) as ok`, [id, token]);
    return r.rows[0].ok;
  }

  async expireLeases(limit = 100): Promise<number> {
    const r = await this.driver.query<{ n: number }>(`select ${this.fn("expire_leases_v1")}($1) as n`, [limit]);
    return r.rows[0].n;
  }

  /** Makes a queued execution due now (a retry's backoff skipped, so tests need not wait for it). */
  async dueNow(id: string): Promise<void> {
    await this.driver.query(`update "${this.schema}".executions set run_at = now() where id = $1 and status = 'queued'`, [id]);
  }

  async expireLease(id: string): Promise<void> {
    await this.driver.query(
      `update "${this.schema}".executions set lease_expires_at = now() - interval '1 second' where id = $1`,
      [id],
    );
  }
}
