// An activation thread (worker_threads): runs activations one at a time for the pool in
// activation-pool.ts, with its own heap limit. Programs, the deployed names and the task defaults
// are sent once and kept here, so a small activation costs one message each way.

import { parentPort, workerData } from "node:worker_threads";
import type { Program } from "../compiler/index.js";
import type { RetryPolicy } from "../shared/retries.js";
import type { Limits } from "../vm/machine.js";
import type { TaskDefaults } from "../vm/effects-plan.js";
import { activateProgram, type ProgramHost } from "./activate-program.js";
import type { ToThread, FromThread } from "./activation-pool.js";

const programs = new Map<string, Program>();
let names = new Set<string>();
/** A task's defaults, or why its registration cannot give them (thrown where it is used, as in the worker's thread). */
let defaults = new Map<string, ReturnType<TaskDefaults> | string>();

const env: ProgramHost = {
  hasWorkflow: (name) => names.has(name),
  taskDefaults: (name) => {
    const d = defaults.get(name);
    if (typeof d === "string") throw new Error(d);
    return d ?? { retries: (workerData as { defaultRetries: RetryPolicy }).defaultRetries };
  },
  limits: (workerData as { limits: Partial<Limits> | undefined }).limits,
};

parentPort!.on("message", (m: ToThread) => {
  if (m.program) programs.set(m.key, m.program);
  if (m.names) names = new Set(m.names);
  if (m.defaults) defaults = new Map(m.defaults);
  let reply: FromThread;
  try {
    reply = { job: m.job, ok: true, activated: activateProgram(programs.get(m.key)!, m.input, env) };
  } catch (e) {
    reply = { job: m.job, ok: false, error: describe(e) };
  }
  try {
    parentPort!.postMessage(reply);
  } catch (e) {
    parentPort!.postMessage({ job: m.job, ok: false, error: describe(e) } satisfies FromThread);
  }
});

/** What is known of a host error, read defensively (a value's getters may throw). */
function describe(e: unknown): string {
  try {
    if (e instanceof Error) return `${String(e.name)}: ${String(e.message)}`.slice(0, 2000);
    return String(e).slice(0, 2000);
  } catch {
    return "an error that cannot be described";
  }
}
