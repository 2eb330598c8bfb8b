// The package's public API (SPEC §4): `import { Rhythm } from "rhythm-flow"`.

export { Rhythm, type ConnectOptions, type Enqueued, type EnqueueOptions, type TaskEnqueueOptions } from "./client/rhythm.js";
export type { DebounceOptions, WorkflowEnqueueOptions } from "./client/rhythm.js";
export {
  RhythmError,
  InvalidArgumentError,
  WorkflowNotFoundError,
  ExecutionNotFoundError,
  ExecutionFinishedError,
  NotAWorkflowError,
  NothingToInspectError,
  UnknownSignalError,
  WaitTimeoutError,
  RetryRefusedError,
  OperationRefusedError,
  DatabaseError,
  DatabaseInUseError,
  DatabaseConnectError,
  DatabaseNotFoundError,
  DatabaseUnreachableError,
  DatabaseAuthError,
  type DatabaseTarget,
  NonRetryableError,
  InvalidTaskResultError,
} from "./client/errors.js";
export {
  ScheduleNotFoundError,
  type CatchupPolicy,
  type OverlapPolicy,
  type PruneOptions,
  type Schedule,
  type ScheduleOptions,
} from "./client/schedules.js";
export type { RetentionOptions } from "./worker/retention.js";
export { DatabaseUnavailableError } from "./store/connection-errors.js";
export type { BufferedSignal, ChildExecution, Execution, ExecutionStatus, PendingTimer, WaitingOn } from "./store/execution.js";
export type { ListFilter } from "./store/types.js";
export type { ExecutionInspection, InspectedFrame, AwaitedHandle } from "./client/inspect.js";
export type { ForkResult, SetVariableOptions, VariableChange, WorkflowRetry } from "./client/operations.js";
export type { RunUpgrade, UpgradeOptions } from "./client/upgrade.js";
export type { AwaitSite } from "./vm/state-upgrade.js";
export { showText, type Shown, type ShowLimits } from "./vm/show-value.js";
export type { ChangeNotice } from "./client/changes.js";
export type { QueueGroup, QueueOverview } from "./client/queues.js";
export type { QueueThroughput, Throughput } from "./client/throughput.js";
export type { ErrorSummary, Timeline, TimelineChild, TimelineLog, VersionSummary } from "./store/overview.js";
export type { LiveWorker } from "./store/workers.js";
export type { TaskContext, TaskHandler, TaskOptions } from "./worker/registry.js";
export type { Worker, WorkerOptions } from "./worker/worker.js";
export type { WorkflowEvent } from "./worker/events.js";
export { FlowLoadError, FlowSyntaxError } from "./lang/index.js";
