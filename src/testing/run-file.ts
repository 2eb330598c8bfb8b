// Runs one .flow file in memory, as `rhythm run` does: children are loaded from the same folder,
// signals wait in the root's buffer before it starts, time is virtual.

import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { compileFlow, type CompiledFlow } from "../compiler/index.js";
import type { Limits } from "../vm/machine.js";
import type { Inspection } from "../vm/inspect-state.js";
import { MemoryHost, RunawayError, type LogLine, type TaskCall } from "./memory-host.js";
import type { TaskMock } from "./mocks.js";

export interface RunFileOptions {
  inputs?: unknown;
  tasks?: Record<string, TaskMock>;
  /** Signals buffered for the root workflow before it starts, in order. */
  signals?: [string, unknown][];
  limits?: Partial<Limits>;
  resumeMode?: boolean;
  startTime?: number;
  seed?: number;
  maxActivations?: number;
  /** Also read the root's last saved state as stacks with named variables (`inspection`). */
  inspect?: boolean;
  /** The root's `timeout` (SPEC §9), virtual ms from its first activation. */
  timeoutMs?: number;
}

export interface RunFileResult {
  status: "completed" | "failed" | "suspended";
  output: unknown;
  error: unknown;
  taskCalls: TaskCall[];
  logs: LogLine[];
  /** When failed by a thrown error: where it was thrown, "file:line:col (function)". */
  errorAt?: string;
  /** When suspended: what the root waits on, with source lines. */
  waits: { description: string; line: number; column: number; function: string }[];
  /**
   * With `inspect`, when the root ended suspended (or failed after a pause): its last saved
   * state as stacks with the variables in scope by name, and what it awaits.
   */
  inspection?: Inspection;
}

/** Loads `<dir>/<name>.flow` files on demand; compile errors surface as FlowLoadError. */
export function folderLoader(root: string, rootSource?: string): (name: string) => CompiledFlow | null {
  const dir = dirname(root);
  const rootName = basename(root).replace(/\.flow$/, "");
  const cache = new Map<string, CompiledFlow | null>();
  return (name: string) => {
    if (cache.has(name)) return cache.get(name)!;
    let flow: CompiledFlow | null = null;
    if (name === rootName && rootSource !== undefined) flow = compileFlow(rootSource, root);
    else if (/^[\w.-]+$/.test(name)) {
      const file = join(dir, `${name}.flow`);
      if (existsSync(file)) flow = compileFlow(readFileSync(file, "utf8"), file);
    }
    cache.set(name, flow);
    return flow;
  };
}

export async function runFlowFile(file: string, options: RunFileOptions = {}): Promise<RunFileResult> {
  const source = readFileSync(file, "utf8");
  const load = folderLoader(file, source);
  const name = basename(file).replace(/\.flow$/, "");
  load(name); // compile errors of the root file surface here, before anything runs
  const host = new MemoryHost({
    loadWorkflow: load,
    tasks: options.tasks,
    limits: options.limits,
    resumeMode: options.resumeMode,
    startTime: options.startTime,
    seed: options.seed,
    maxActivations: options.maxActivations,
  });
  const id = host.start(name, options.inputs ?? {}, undefined, { timeoutMs: options.timeoutMs });
  for (const [signal, payload] of options.signals ?? []) host.signal(id, signal, payload);
  let runaway: string | null = null;
  try {
    await host.run();
  } catch (e) {
    if (!(e instanceof RunawayError)) throw e;
    runaway = e.message;
  }
  const root = host.get(id);
  if (runaway !== null) {
    const error = { name: "RangeError", type: "RangeError", message: runaway };
    return { status: "failed", output: null, error, taskCalls: root.taskCalls, logs: host.logs, waits: [] };
  }
  const status = root.status === "completed" || root.status === "failed" ? root.status : "suspended";
  const inspection = options.inspect ? host.inspect(id) : null;
  return {
    status,
    output: root.output,
    error: root.error,
    taskCalls: root.taskCalls,
    logs: host.logs,
    ...(root.errorAt ? { errorAt: root.errorAt } : {}),
    waits:
      status === "suspended"
        ? root.waits.map(({ description, line, column, function: fn }) => ({ description, line, column, function: fn }))
        : [],
    ...(inspection ? { inspection } : {}),
  };
}
