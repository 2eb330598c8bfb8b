// Public surface of "rhythm-flow/testing": run workflows in memory, with mocked tasks, a virtual
// clock, buffered signals and child workflows — in users' own tests, with no database.

export {
  MemoryHost,
  RunawayError,
  DEFAULT_START_TIME,
  type MemoryHostOptions,
  type ExecutionView,
  type TaskCall,
  type LogLine,
} from "./memory-host.js";
export { runFlowFile, folderLoader, type RunFileOptions, type RunFileResult } from "./run-file.js";
export { mocksProblem, type TaskMock, type MockEntry, type TaskHandlerMock, type MockContext } from "./mocks.js";
