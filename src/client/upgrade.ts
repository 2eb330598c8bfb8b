// `rhythm.upgrade`: suspended runs moved onto another version of their workflow when the await
// they are paused at has exactly one counterpart in the new source and their variables map by
// name (vm/state-upgrade.ts has the rule; docs/operations.md shows it). A run that cannot move
// keeps its version, and the answer says exactly why. Each run is one transaction holding its row
// lock, like the other operations (client/operations.ts): a worker's claim or a delivery decides.

import { withDebugTables, type Program } from "../compiler/index.js";
import { isExecutionId } from "../shared/ids.js";
import type { OperationsTx } from "../store/operations.js";
import type { Store } from "../store/store.js";
import type { SavedState } from "../vm/snapshot.js";
import { planUpgrade, type AwaitSite } from "../vm/state-upgrade.js";
import { defaultActor } from "./actor.js";
import { ExecutionNotFoundError, InvalidArgumentError, NotAWorkflowError, WorkflowNotFoundError } from "./errors.js";

export interface UpgradeOptions {
  /** The version to move to: its sha256 (or a prefix of at least 6 hex digits), or "latest" (default). */
  to?: string;
  /** Only say what would happen. */
  dryRun?: boolean;
  by?: string;
}

/** What happened (or, in a dry run, would happen) to one run. */
export interface RunUpgrade {
  id: string;
  from: string | null;
  to: string | null;
  /** It moved (false in a dry run, and when it cannot move). */
  moved: boolean;
  /** It can move (what a dry run answers). */
  movable: boolean;
  /** Where it is paused, and where it continues in the new version. */
  at?: AwaitSite;
  continuesAt?: AwaitSite;
  /** Variables carried by name, new ones not declared yet there, old ones the new version lacks. */
  kept?: string[];
  added?: string[];
  dropped?: string[];
  /** Why it cannot move (it keeps its version). */
  reason?: string;
}

const MAX_ALL = 10_000;

export async function upgradeExecution(store: Store, id: string, options: UpgradeOptions = {}): Promise<RunUpgrade> {
  if (!isExecutionId(id)) throw new ExecutionNotFoundError(id);
  checkTarget(options.to);
  return store.operate((tx) => upgradeIn(tx, id, options));
}

/** Every suspended run of `name` on another version than the target (oldest first). */
export async function upgradeAll(
  store: Store,
  name: string,
  options: UpgradeOptions & { limit?: number } = {},
): Promise<RunUpgrade[]> {
  if (typeof name !== "string" || name === "") throw new InvalidArgumentError("the workflow name must be a non-empty string");
  checkTarget(options.to);
  const target = await store.operate(async (tx) => resolveVersion(tx, name, options.to ?? "latest"));
  if (typeof target === "string" && target.startsWith("!")) throw new InvalidArgumentError(target.slice(1));
  const ids = await store.operate((tx) => tx.pausedOf(name, target as string, options.limit ?? MAX_ALL));
  const out: RunUpgrade[] = [];
  for (const id of ids) out.push(await store.operate((tx) => upgradeIn(tx, id, { ...options, to: target as string })));
  return out;
}

function checkTarget(to: string | undefined): void {
  if (to !== undefined && to !== "latest" && !/^[0-9a-f]{6,64}$/.test(to))
    throw new InvalidArgumentError('to must be "latest" or a version (its sha256, or at least its first 6 hex digits)');
}

/** The target's full version, or "!reason". */
export async function resolveVersion(tx: OperationsTx, name: string, to: string): Promise<string> {
  if (to === "latest") {
    const v = await tx.newestVersion(name);
    if (!v) throw new WorkflowNotFoundError(name);
    return v;
  }
  const v = await tx.version(name, to);
  if (v === "ambiguous") return `!version ${to} of ${name} is ambiguous: give more of it`;
  if (!v) return `!no version ${to} of workflow ${name} is stored`;
  return v.version;
}

async function upgradeIn(tx: OperationsTx, id: string, options: UpgradeOptions): Promise<RunUpgrade> {
  const run = await tx.lock(id);
  if (!run) throw new ExecutionNotFoundError(id);
  if (run.kind !== "workflow") throw new NotAWorkflowError(id, "only workflows have versions");
  const target = await resolveVersion(tx, run.name, options.to ?? "latest");
  const out: RunUpgrade = { id, from: run.version, to: target.startsWith("!") ? null : target, moved: false, movable: false };
  const refuse = (reason: string): RunUpgrade => ({ ...out, reason });
  if (target.startsWith("!")) return refuse(target.slice(1));
  if (run.version === target) return refuse("it already runs that version");
  if (run.claimed) return refuse("a worker is running it now; try again when it pauses");
  if (run.status !== "suspended")
    return refuse(
      run.status === "queued"
        ? "it is queued: a worker is about to continue it; try again when it pauses"
        : run.status === "failed"
          ? "it failed: retry it onto the new version (rhythm retry --version)"
          : `it is ${run.status}`,
    );
  if (run.state === null) return refuse("it has no saved state");
  const verdict = await movedState(tx, run.name, run.version!, target, run.state as SavedState);
  if (!verdict.ok) return { ...refuse(verdict.reason), ...(verdict.from ? { at: verdict.from } : {}) };
  const result: RunUpgrade = {
    ...out,
    movable: true,
    at: verdict.from,
    continuesAt: verdict.to,
    kept: verdict.kept,
    added: verdict.added,
    dropped: verdict.dropped,
  };
  if (options.dryRun) return result;
  if (!(await tx.move(id, target, verdict.state))) return refuse("it changed meanwhile; try again");
  await tx.log(
    id,
    `upgraded by ${options.by ?? defaultActor()} from version ${run.version!.slice(0, 12)} to ${target.slice(0, 12)}: ` +
      `paused at line ${verdict.from.line}, continues at line ${verdict.to.line}` +
      (verdict.dropped.length > 0 ? `; dropped ${verdict.dropped.join(", ")}` : ""),
  );
  return { ...result, moved: true };
}

/** The state moved from one stored version to another, or why it cannot move. */
export async function movedState(
  tx: OperationsTx,
  name: string,
  fromVersion: string,
  toVersion: string,
  state: SavedState,
): Promise<ReturnType<typeof planUpgrade>> {
  const from = await tx.version(name, fromVersion);
  const to = await tx.version(name, toVersion);
  if (!from || from === "ambiguous") return { ok: false, reason: `its version ${fromVersion} is not stored` };
  if (!to || to === "ambiguous") return { ok: false, reason: `version ${toVersion} is not stored` };
  const code = (v: { source: string; program: unknown }) => ({
    program: withDebugTables(v.program as Program, v.source),
    source: v.source,
    file: `${name}.flow`,
  });
  try {
    return planUpgrade(code(from), code(to), state);
  } catch (e) {
    return { ok: false, reason: `its state cannot be read for the move: ${(e as Error).message}` };
  }
}
