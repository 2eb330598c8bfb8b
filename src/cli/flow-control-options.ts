// The flags of SPEC §9 this file owns, for `rhythm start`, `rhythm task` and `rhythm run`:
// --run-timeout (a workflow's `timeout`; `--timeout` is already --wait's) and
// --debounce-key/--debounce-delay/--debounce-max-wait. Values are checked by the client, whose
// InvalidArgumentError becomes a usage error here.

import { debounceOf, runTimeoutMs, type DebounceOptions } from "../client/flow-control-checks.js";
import { InvalidArgumentError } from "../client/errors.js";
import { UsageError } from "./command.js";

export const DEBOUNCE_OPTIONS = {
  "debounce-key": { type: "string" },
  "debounce-delay": { type: "string" },
  "debounce-max-wait": { type: "string" },
} as const;

export const RUN_TIMEOUT_OPTIONS = { "run-timeout": { type: "string" } } as const;

export const DEBOUNCE_HELP = `  --debounce-key K     with --debounce-delay: while an execution started with key K has not
                       started, this start is that execution (new inputs, start moved to now + delay)
  --debounce-delay D   e.g. 500ms, 10s, 5m
  --debounce-max-wait D  never start later than D after the first start of the window`;

export const RUN_TIMEOUT_HELP = `  --run-timeout D      the whole run fails with a Timeout D after its first activation (e.g. 30s, 1h)`;

export interface FlowControlValues {
  "debounce-key"?: string;
  "debounce-delay"?: string;
  "debounce-max-wait"?: string;
  "run-timeout"?: string;
}

/** Seconds as a number ("30" → 30), anything else as the duration text. */
const durationFlag = (v: string | undefined) => (v === undefined ? undefined : /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);

function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
    throw e;
  }
}

/** The `debounce` option the flags give (undefined without --debounce-key). */
export function debounceFlags(values: FlowControlValues, idempotencyKey: string | undefined): DebounceOptions | undefined {
  const key = values["debounce-key"];
  if (key === undefined) {
    if (values["debounce-delay"] !== undefined || values["debounce-max-wait"] !== undefined)
      throw new UsageError("--debounce-delay and --debounce-max-wait go with --debounce-key");
    return undefined;
  }
  if (values["debounce-delay"] === undefined) throw new UsageError("--debounce-key needs --debounce-delay");
  const debounce: DebounceOptions = { key, delay: durationFlag(values["debounce-delay"])! };
  const maxWait = durationFlag(values["debounce-max-wait"]);
  if (maxWait !== undefined) debounce.maxWait = maxWait;
  usage(() => debounceOf({ debounce, idempotencyKey }, "--debounce"));
  return debounce;
}

/** --run-timeout as the API's `timeout` (undefined when not given). */
export function runTimeoutFlag(values: FlowControlValues): number | string | undefined {
  const timeout = durationFlag(values["run-timeout"]);
  usage(() => runTimeoutMs(timeout, "--run-timeout"));
  return timeout;
}
