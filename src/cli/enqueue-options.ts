// What `rhythm start` and `rhythm task` share: the enqueue options (--inputs, --queue,
// --priority, --idempotency-key), and --wait [--timeout S], which prints the final execution
// and turns its status into the exit code.

import type { Enqueued, Rhythm } from "../client/rhythm.js";
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
  wait: { type: "boolean" },
  timeout: { type: "string" },
} as const;

export const ENQUEUE_HELP = `  --queue Q            queue to run on (default: default)
  --priority N         higher runs first (default 0)
  --idempotency-key K  a second enqueue with the same key queues nothing and prints the first
                       execution's id (stderr says so)
  --wait               wait for the execution to finish and print it
  --timeout S          with --wait: give up after S seconds (or a duration like 30s, 5m)`;

export interface EnqueueValues {
  inputs?: string;
  queue?: string;
  priority?: string;
  "idempotency-key"?: string;
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
