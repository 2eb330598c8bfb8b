// `rhythm dev`'s worker, kept in step with the files it runs. A changed .flow is deployed: a new
// version, which new executions use while running ones keep theirs; a .flow that no longer loads
// prints its file:line:col errors, and the previous versions stay. A changed tasks module (or a
// file it imports) is loaded afresh — ES modules cannot be unloaded, so tsx imports a new copy —
// and the worker is restarted with it in this process, on a new client: running tasks finish
// first; a module that no longer loads is reported, and the running worker keeps its tasks.
// What the workflows do is said as they do it, from the worker's events (workflow-log.ts).

import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import type { Rhythm } from "../../client/rhythm.js";
import { FlowLoadError } from "../../lang/index.js";
import { connectRhythm, note } from "../engine-client.js";
import { errorReport } from "../error-report.js";
import { shortVersion } from "../format-execution.js";
import { loadTasksModule } from "../tasks-module.js";
import { deployFolder, startWorker, type WorkerPlan } from "../worker-runtime.js";
import { foldersOf, watchFolders, type FolderWatch } from "./folder-watch.js";
import { workflowLog } from "./workflow-log.js";

export interface DevSessionOptions {
  /** The database URL the clients connect to (undefined: RHYTHM_DATABASE_URL). */
  url: string | undefined;
  /** The URL given with --database-url, for messages. */
  flagUrl: string | undefined;
  schema: string;
  plan: WorkerPlan;
  /** The --tasks module, and the files (paths) its first load imported. */
  tasks: { path: string; files: string[] } | null;
  /** false with --no-worker: the workflows are deployed and watched, and nothing runs them here. */
  worker: boolean;
}

export class DevSession {
  private rhythm: Rhythm | null = null;
  private readonly versions = new Map<string, string>();
  private flowWatch: FolderWatch | null = null;
  private tasksWatch: FolderWatch | null = null;
  private dirty = { flows: false, tasks: false };
  private busy: Promise<void> | null = null;
  private closed = false;
  /** What the workflows do, said as they do it (one printer for every worker of the session). */
  private readonly events = workflowLog("dev");

  private constructor(private readonly options: DevSessionOptions) {}

  /** Connects, deploys the workflows folder, starts the worker and starts watching. */
  static async start(options: DevSessionOptions): Promise<DevSession> {
    const session = new DevSession(options);
    const rhythm = await session.connect();
    session.rhythm = rhythm;
    try {
      for (const f of await deployFolder("dev", rhythm, options.plan)) session.versions.set(f.name, f.version);
      if (options.worker) await startWorker("dev", rhythm, options.plan, false, session.events);
    } catch (e) {
      await rhythm.close();
      throw e;
    }
    const { dir, exists } = options.plan.workflows;
    if (exists) {
      session.flowWatch = watchFolders(new Map([[dir, (file) => file.endsWith(".flow")]]), () => session.changed("flows"));
      note("dev", `watching ${dir}/*.flow${options.tasks ? ` and ${options.tasks.path} (with the files it imports)` : ""}`);
    } else if (options.tasks) note("dev", `watching ${options.tasks.path} (with the files it imports)`);
    if (options.tasks) session.watchTasks(options.tasks.files);
    return session;
  }

  /** Stops watching, waits for a redeploy or reload under way, and stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    this.flowWatch?.close();
    this.tasksWatch?.close();
    await this.busy;
    await this.rhythm?.close();
  }

  /** Every client of the session deploys only when told to (`workflows: false`): a tasks reload
   * must not fail on a .flow that is being edited. */
  private connect(): Promise<Rhythm> {
    return connectRhythm(this.options.url, { schema: this.options.schema, workflows: false }, this.options.flagUrl);
  }

  private watchTasks(files: string[]): void {
    this.tasksWatch?.close();
    this.tasksWatch = watchFolders(foldersOf(files), () => this.changed("tasks"));
  }

  /** Changes are handled one at a time, in the order flows then tasks; a burst is handled once. */
  private changed(what: "flows" | "tasks"): void {
    this.dirty[what] = true;
    this.busy ??= this.drain().finally(() => (this.busy = null));
  }

  private async drain(): Promise<void> {
    while (!this.closed && (this.dirty.flows || this.dirty.tasks)) {
      try {
        if (this.dirty.flows) {
          this.dirty.flows = false;
          await this.redeploy();
        } else {
          this.dirty.tasks = false;
          await this.reload();
        }
      } catch (e) {
        // the database went away, say: said, and the next change tries again
        const report = errorReport("dev", e);
        process.stderr.write((report?.text ?? `rhythm dev: ${e instanceof Error ? e.message : String(e)}`) + "\n");
      }
    }
  }

  private async redeploy(): Promise<void> {
    if (!this.rhythm) return;
    const { dir } = this.options.plan.workflows;
    let stored;
    try {
      stored = await this.rhythm.deploy(dir);
    } catch (e) {
      if (!(e instanceof FlowLoadError)) throw e;
      process.stderr.write(e.errors.map((x) => x.format()).join("\n") + "\n");
      note("dev", `nothing deployed: ${dir} has errors; the previous versions stay in use`);
      return;
    }
    for (const f of stored) {
      if (this.versions.get(f.name) === f.version) continue;
      const was = this.versions.get(f.name);
      note(
        "dev",
        `workflow ${f.name} ${shortVersion(f.version)} deployed` +
          (was ? ` (was ${shortVersion(was)}): new runs use it, running ones keep theirs` : ""),
      );
    }
    const now = new Set(stored.map((f) => f.name));
    for (const name of this.versions.keys())
      if (!now.has(name)) note("dev", `${dir}/${name}.flow is gone: running executions keep their version`);
    this.versions.clear();
    for (const f of stored) this.versions.set(f.name, f.version);
  }

  private async reload(): Promise<void> {
    const tasks = this.options.tasks;
    if (!tasks) return;
    const imported = new Set<string>();
    let entries;
    try {
      entries = await loadTasksModule(tasks.path, { fresh: true, onImport: (url) => imported.add(url) });
    } catch (e) {
      note("dev", e instanceof Error ? e.message : String(e));
      note("dev", "the worker keeps the tasks it has");
      // watch what this load reached too: fixing a newly imported file must reload
      this.watchTasks([...tasks.files, ...sourceFiles(imported)]);
      return;
    }
    tasks.files = sourceFiles(imported);
    this.watchTasks(tasks.files);
    note("dev", `${tasks.path} changed: restarting the worker with its tasks (running tasks finish first)`);
    await this.rhythm?.close();
    this.rhythm = null;
    const rhythm = await this.connect();
    try {
      await startWorker("dev", rhythm, { ...this.options.plan, tasks: entries }, false, this.events);
    } catch (e) {
      await rhythm.close();
      throw e;
    }
    this.rhythm = rhythm;
  }
}

/** The project's own files among the URLs a load imported (not node_modules: those do not change). */
export function sourceFiles(urls: Iterable<string>): string[] {
  const files = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith("file:")) continue;
    const path = fileURLToPath(url.replace(/\?.*$/, ""));
    if (!/[\\/]node_modules[\\/]/.test(path)) files.add(resolve(path));
  }
  return [...files];
}
