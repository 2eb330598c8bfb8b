// What `rhythm start` and `rhythm task` share: the enqueue options (--inputs, --queue,
// --priority, --idempotency-key, the concurrency key and rate limit flags), and --wait
// [--timeout S], which prints the final execution and turns its status into the exit code.

import type { Enqueued, Rhythm } from "../client/rhythm.js";
import type { EnqueueOptions } from "../client/enqueue-checks.js";
import { InvalidArgumentError } from "../client/errors.js";
import { durationArgument as duration } from "../shared/durations.js";
import { UsageError, parseIntegerOption, parseJsonOption } from "./command.js";
import { note, printJson } from "./engine-client.js";
import { formatExecution } from "./format-execution.js";

export const ENQUEUE_OPTIONS = {
  inputs: { type: "string" },
  queue: { type: "string" },
  priority: { type: "string" },
  "idempotency-key": { type: "string" },
  "concurrency-key": { type: "string" },
  "concurrency-limit": { type: "string" },
  "rate-limit-key": { type: "string" },
  "rate-limit": { type: "string" },
  "rate-per": { type: "string" },
  wait: { type: "boolean" },
  timeout: { type: "string" },
} as const;

export const ENQUEUE_HELP = `  --queue Q            queue to run on (default: default)
  --priority N         higher runs first (default 0)
  --idempotency-key K  a second enqueue with the same key queues nothing and prints the first
                       execution's id (stderr says so)
  --concurrency-key K  at most --concurrency-limit executions with key K run at once, across
                       all workers (default limit 1)
  --concurrency-limit N
  --rate-limit-key K --rate-limit N --rate-per D
                       at most N starts per D (a duration: 1s, 1m) for key K, across all workers
  --wait               wait for the execution to finish and print it
  --timeout S          with --wait: give up after S seconds (or a duration like 30s, 5m)`;

export interface EnqueueValues {
  inputs?: string;
  queue?: string;
  priority?: string;
  "idempotency-key"?: string;
  "concurrency-key"?: string;
  "concurrency-limit"?: string;
  "rate-limit-key"?: string;
  "rate-limit"?: string;
  "rate-per"?: string;
  wait?: boolean;
  timeout?: string;
}

export function enqueueChoice(values: EnqueueValues, defaultInputs: unknown) {
  const inputs = values.inputs === undefined ? defaultInputs : parseJsonOption(values.inputs, "--inputs");
  if (values.queue !== undefined && values.queue.trim() === "") throw new UsageError("--queue is empty");
  if (values.timeout !== undefined && !values.wait) throw new UsageError("--timeout goes with --wait");
  let timeout: number | string | undefined;
  if (values.timeout !== undefined) {
    timeout = /^\s*\d+(\.\d+)?\s*$/.test(values.timeout) ? Number(values.timeout) : values.timeout;
    try {
      duration(timeout, "--timeout");
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
      throw e;
    }
  }
  return {
    inputs,
    options: {
      queue: values.queue,
      priority: parseIntegerOption(values.priority, "--priority"),
      idempotencyKey: values["idempotency-key"],
      ...flowControlFlags(values),
    },
    wait: values.wait === true,
    timeout,
  };
}

/**
 * Prints what was enqueued: the id (stdout, alone, for scripts), or with --wait the final
 * execution; exit 0 unless the execution failed or was cancelled. When the idempotency key was
 * taken nothing was queued: stderr says so, and the id is the execution that has the key.
 */
export async function reportEnqueued(
  command: string,
  rhythm: Rhythm,
  { id, created }: Enqueued,
  what: string,
  choice: { wait: boolean; timeout?: number | string; options: { idempotencyKey?: string } },
  json: boolean | undefined,
): Promise<number> {
  const said = created
    ? `queued ${what}`
    : choice.options.idempotencyKey === undefined
      ? `nothing queued: ${what} ${id}, not started yet, holds the debounce key; it takes these inputs and starts later`
      : `nothing queued: the idempotency key "${choice.options.idempotencyKey}" is taken by ${what} ${id}, returned instead`;
  if (!choice.wait) {
    note(command, said);
    if (json) printJson({ id, created });
    else process.stdout.write(id + "\n");
    return 0;
  }
  note(command, created ? `${said} as ${id}; waiting for it to finish` : `${said}; waiting for it to finish`);
  const done = await rhythm.wait(id, { timeout: choice.timeout });
  if (json) printJson(done);
  else process.stdout.write(formatExecution(done, { logs: await rhythm.logs(id) }) + "\n");
  return done.status === "completed" ? 0 : 1;
}

/** --concurrency-key/--concurrency-limit and --rate-limit-key/--rate-limit/--rate-per as options (the client checks the values). */
function flowControlFlags(values: EnqueueValues): Pick<EnqueueOptions, "concurrency" | "rateLimit"> {
  const out: Pick<EnqueueOptions, "concurrency" | "rateLimit"> = {};
  const key = values["concurrency-key"];
  if (values["concurrency-limit"] !== undefined && key === undefined)
    throw new UsageError("--concurrency-limit goes with --concurrency-key");
  if (key !== undefined)
    out.concurrency = { key, limit: parseIntegerOption(values["concurrency-limit"], "--concurrency-limit", 1) };
  const rate = [values["rate-limit-key"], values["rate-limit"], values["rate-per"]];
  if (rate.some((v) => v !== undefined)) {
    if (rate.some((v) => v === undefined)) throw new UsageError("--rate-limit-key, --rate-limit and --rate-per go together");
    const per = /^\s*\d+(\.\d+)?\s*$/.test(rate[2]!) ? Number(rate[2]) : rate[2]!;
    out.rateLimit = { key: rate[0]!, limit: parseIntegerOption(rate[1], "--rate-limit", 1)!, per };
  }
  return out;
}
