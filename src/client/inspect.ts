// `rhythm.inspect(id)`: a paused workflow as a person thinks of it — its stacks with the line
// each is at and the variables in scope by name, and what it awaits with the ids of the tasks
// and children it started — read from the database with no worker running (SPEC §7).

import { withDebugTables, type Program } from "../compiler/index.js";
import type { ExecutionStatus } from "../shared/statuses.js";
import type { Store } from "../store/store.js";
import { hostHandlesOf, inspectState, type AwaitedHandle, type InspectedFrame } from "../vm/inspect-state.js";
import type { ShowLimits } from "../vm/show-value.js";
import type { SavedState } from "../vm/snapshot.js";
import { ExecutionNotFoundError, NotAWorkflowError, NothingToInspectError } from "./errors.js";

export type { AwaitedHandle, InspectedFrame };

/** What `rhythm.inspect` returns (and `rhythm inspect --json` prints). */
export interface ExecutionInspection {
  id: string;
  name: string;
  status: ExecutionStatus;
  version: string | null;
  /**
   * False when the version was compiled before Rhythm kept variable names and cannot be
   * compiled again to the same code: variables are then keyed "(register N)" / "(closure D.S)".
   */
  named: boolean;
  /** Every live stack's frames, innermost first; the workflow's main body first. */
  stack: InspectedFrame[];
  /** The tasks, children, timers and signals the stacks wait on, with ids and fire times. */
  awaiting: AwaitedHandle[];
}

/** Reads a workflow's saved state from the store (see ExecutionInspection). */
export async function inspectExecution(store: Store, id: string, limits?: Partial<ShowLimits>): Promise<ExecutionInspection> {
  const row = await store.savedState(id);
  if (!row) throw new ExecutionNotFoundError(id);
  if (row.kind !== "workflow") throw new NotAWorkflowError(id, "only workflows have a state to inspect");
  if (row.state === null) {
    throw new NothingToInspectError(
      id,
      row.status === "queued" || row.status === "running"
        ? "it has not paused yet, so it has no saved state"
        : row.status === "failed"
          ? "it failed before it first paused, so it has no saved state"
          : `it is ${row.status} and its state is no longer kept (kept while it is paused, and after it failed)`,
    );
  }
  if (row.program === null || row.source === null)
    throw new NothingToInspectError(id, `its version ${row.version} is not stored`);
  const state = row.state as SavedState;
  const program = withDebugTables(row.program as Program, row.source);
  const handles = await store.handleInfo(id, hostHandlesOf(state));
  let inspection;
  try {
    inspection = inspectState({ program, state, source: row.source, handles, limits });
  } catch (e) {
    // a state of another format (written by a newer Rhythm), or not a state at all
    throw new NothingToInspectError(id, `its saved state cannot be read: ${(e as Error).message}`);
  }
  return { id: row.id, name: row.name, status: row.status, version: row.version, ...inspection };
}
