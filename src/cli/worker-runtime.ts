// What `rhythm worker` and `rhythm dev` share: the worker options, registering the tasks module
// (each handler wrapped to log its attempts on stderr), deploying the workflows folder, and
// running until SIGINT/SIGTERM, then stopping gracefully (a second signal stops at once).

import type { Rhythm } from "../client/rhythm.js";
import { DatabaseUnavailableError } from "../store/connection-errors.js";
import type { TaskHandler } from "../worker/registry.js";
import { retentionAges, type RetentionOptions } from "../worker/retention.js";
import type { WorkerOptions } from "../worker/worker.js";
import { UsageError, parseCountOption } from "./command.js";
import { note } from "./engine-client.js";
import { shortVersion } from "./format-execution.js";
import { loadTasksModule, type LoadOptions, type TaskEntry } from "./tasks-module.js";
import { workflowsFolder } from "./workflows-folder.js";

export const WORKER_OPTIONS = {
  tasks: { type: "string" },
  workflows: { type: "string" },
  queues: { type: "string" },
  concurrency: { type: "string" },
  retention: { type: "string" },
} as const;

export const WORKER_HELP = `  --tasks MODULE       .ts or .js file whose default export registers tasks:
                       export default { "send-email": async (inputs, ctx) => …, "charge": { handler, options } }
  --workflows DIR      folder of .flow files deployed at start (default ./workflows)
  --queues A,B         queues served (default: default)
  --concurrency N      executions run at once (default 10)
  --retention S=D,…    delete executions finished longer ago than D, per status S (completed,
                       failed, cancelled), e.g. completed=7d,failed=30d (default: keep them)`;

export interface WorkerPlan {
  tasks: TaskEntry[];
  workflows: { dir: string; exists: boolean };
  options: WorkerOptions;
}

/** Checks the options and loads the tasks module, before anything connects. */
export async function planWorker(
  values: {
    tasks?: string;
    workflows?: string;
    queues?: string;
    concurrency?: string;
    retention?: string;
  },
  load: LoadOptions = {},
): Promise<WorkerPlan> {
  let queues: string[] | undefined;
  if (values.queues !== undefined) {
    queues = values.queues.split(",").map((q) => q.trim());
    if (queues.some((q) => q === "")) throw new UsageError(`--queues must be comma-separated names, got "${values.queues}"`);
  }
  const concurrency = parseCountOption(values.concurrency, "--concurrency");
  const workflows = workflowsFolder(values.workflows);
  const tasks = values.tasks === undefined ? [] : await loadTasksModule(values.tasks, load);
  const retention = retentionOption(values.retention);
  return { tasks, workflows, options: { queues, concurrency, ...(retention ? { retention } : {}) } };
}

/** Deploys the workflows folder, saying so; returns what was stored. */
export async function deployFolder(command: string, rhythm: Rhythm, plan: WorkerPlan): Promise<Deployed[]> {
  if (!plan.workflows.exists) {
    note(command, `no ./${plan.workflows.dir} folder: no workflows deployed`);
    return [];
  }
  const deployed = await rhythm.deploy(plan.workflows.dir);
  for (const f of deployed) note(command, `workflow ${f.name} ${shortVersion(f.version)} deployed`);
  return deployed;
}

export interface Deployed {
  name: string;
  version: string;
}

/**
 * Registers the tasks, deploys the workflows (unless `deploy` is false: they are already) and
 * starts a worker on `rhythm`; returns what was deployed.
 */
export async function startWorker(
  command: string,
  rhythm: Rhythm,
  plan: WorkerPlan,
  deploy = true,
  onEvent?: WorkerOptions["onEvent"],
): Promise<Deployed[]> {
  for (const t of plan.tasks) rhythm.task(t.name, logged(command, t.name, t.handler), t.options);
  const deployed = deploy ? await deployFolder(command, rhythm, plan) : [];
  const worker = rhythm.worker({
    ...plan.options,
    onEvent,
    // a database that went away is waited for, not an error of the worker: said as the start says it
    onError: (e) =>
      note(command, e instanceof DatabaseUnavailableError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`),
  });
  await worker.start();
  const tasks = plan.tasks.length === 0 ? "no tasks (workflows only)" : `tasks ${plan.tasks.map((t) => t.name).join(", ")}`;
  note(command, `worker ${worker.id} serving queue(s) ${(plan.options.queues ?? ["default"]).join(", ")} with ${tasks}`);
  return deployed;
}

function logged(command: string, name: string, handler: TaskHandler): TaskHandler {
  return async (inputs, ctx) => {
    const what = `task ${name} ${ctx.executionId} attempt ${ctx.attempt}`;
    note(command, `${what} started`);
    const started = Date.now();
    try {
      const output = await handler(inputs, ctx);
      note(command, `${what} completed in ${Date.now() - started} ms`);
      return output;
    } catch (e) {
      note(command, `${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  };
}

/** Resolves on the first SIGINT or SIGTERM; a second one while stopping exits at once (code 1). */
export function untilStopSignal(command: string): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        note(command, `${signal} again: exiting without waiting for running work`);
        process.exit(1);
      }
      stopping = true;
      note(command, `${signal}: stopping (running work may finish; ${signal} again to exit now)`);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** `--retention completed=7d,failed=30d`, checked here so a bad one is a usage error. */
function retentionOption(text: string | undefined): RetentionOptions | undefined {
  if (text === undefined) return undefined;
  const out: RetentionOptions = {};
  for (const part of text.split(",")) {
    const [status, age] = part.split("=").map((x) => x.trim());
    if (!age || !["completed", "failed", "cancelled"].includes(status))
      throw new UsageError(`--retention takes status=age pairs (completed, failed, cancelled), got "${part}"`);
    out[status as keyof RetentionOptions] = /^\d+(\.\d+)?$/.test(age) ? Number(age) : age;
  }
  try {
    retentionAges(out);
  } catch (e) {
    throw new UsageError(`--retention: ${(e as Error).message}`);
  }
  return out;
}
