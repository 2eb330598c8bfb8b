// Every SQL statement of the engine, static and named, one file per room of the store.
// ":SCHEMA" becomes the quoted schema name once per store; every value is a parameter.

import { withSchema } from "../schema-name.js";
import { ACTIVATION_QUERIES } from "./activations.js";
import { AWAITER_QUERIES } from "./awaiters.js";
import { CANCEL_QUERIES } from "./cancel.js";
import { CLAIM_QUERIES } from "./claims.js";
import { DEADLINE_QUERIES } from "./deadlines.js";
import { DEBOUNCE_QUERIES } from "./debounce.js";
import { DELIVERY_QUERIES } from "./deliveries.js";
import { ENQUEUE_QUERIES } from "./enqueue.js";
import { FAST_STEP_QUERIES } from "./fast-step.js";
import { OPERATION_QUERIES } from "./operations.js";
import { OVERVIEW_QUERIES } from "./overview.js";
import { READ_QUERIES } from "./reads.js";
import { SCHEDULE_QUERIES } from "./schedules.js";
import { SIGNAL_QUERIES } from "./signals.js";
import { TASK_QUERIES } from "./tasks.js";
import { TIMER_QUERIES } from "./timers.js";
import { VERSION_QUERIES } from "./versions.js";

const Q = {
  ...VERSION_QUERIES,
  ...ENQUEUE_QUERIES,
  ...CLAIM_QUERIES,
  ...TASK_QUERIES,
  ...ACTIVATION_QUERIES,
  ...AWAITER_QUERIES,
  ...DELIVERY_QUERIES,
  ...SIGNAL_QUERIES,
  ...TIMER_QUERIES,
  ...CANCEL_QUERIES,
  ...DEADLINE_QUERIES,
  ...DEBOUNCE_QUERIES,
  ...READ_QUERIES,
  ...OVERVIEW_QUERIES,
  ...SCHEDULE_QUERIES,
  ...OPERATION_QUERIES,
  ...FAST_STEP_QUERIES,
} as const;

export type QueryName = keyof typeof Q;

/** The statements by name, for one schema. */
export type Statements = Record<QueryName, string>;

export function statementsFor(schema: string): Statements {
  return Object.fromEntries(Object.entries(Q).map(([k, v]) => [k, withSchema(v, schema)])) as Statements;
}
