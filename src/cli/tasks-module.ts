// Loads the --tasks module of `rhythm worker` / `rhythm dev`: a .ts or .js file whose default
// export maps task names to handlers, `{ "send-email": fn }` or `{ "send-email": { handler, options } }`.
// TypeScript goes through tsx, loaded only when needed; every problem names the module and the key.

import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { TaskHandler, TaskOptions } from "../worker/registry.js";
import { InvalidInputError, UsageError } from "./command.js";

export interface TaskEntry {
  name: string;
  handler: TaskHandler;
  options: TaskOptions;
}

const TYPESCRIPT = new Set([".ts", ".mts", ".cts", ".tsx"]);

const SHAPE = 'export default { "task-name": async (inputs, ctx) => output, "other": { handler, options } }';

export interface LoadOptions {
  /**
   * Load the module and everything it imports afresh, even when this process loaded them before
   * (`rhythm dev` reloads a changed module this way: ES modules cannot be unloaded, so each load
   * is a new copy, through tsx, which imports every call in a namespace of its own).
   */
  fresh?: boolean;
  /** Called with the URL of every module the load imports (the module itself included). */
  onImport?: (url: string) => void;
}

export async function loadTasksModule(path: string, options: LoadOptions = {}): Promise<TaskEntry[]> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`no such tasks module: ${path}`);
  let namespace: Record<string, unknown>;
  try {
    if (TYPESCRIPT.has(extname(file)) || options.fresh || options.onImport) {
      const { tsImport } = await import("tsx/esm/api");
      namespace = (await tsImport(pathToFileURL(file).href, {
        parentURL: import.meta.url,
        onImport: options.onImport,
      })) as Record<string, unknown>;
    } else namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new InvalidInputError(`tasks module ${path} did not load: ${e instanceof Error ? e.message : String(e)}`);
  }
  return taskEntries(defaultExport(namespace), path);
}

/** A TypeScript file compiled as CommonJS arrives as { default: { __esModule, default } }. */
function defaultExport(namespace: Record<string, unknown>): unknown {
  const d = namespace.default;
  if (d !== null && typeof d === "object" && (d as { __esModule?: unknown }).__esModule === true)
    return (d as { default?: unknown }).default;
  return d;
}

function taskEntries(exported: unknown, path: string): TaskEntry[] {
  if (exported === null || typeof exported !== "object" || Array.isArray(exported)) {
    throw new InvalidInputError(`tasks module ${path} has no default export object; it should read: ${SHAPE}`);
  }
  return Object.entries(exported as Record<string, unknown>).map(([name, value]): TaskEntry => {
    if (typeof value === "function") return { name, handler: value as TaskHandler, options: {} };
    if (value !== null && typeof value === "object" && typeof (value as { handler?: unknown }).handler === "function") {
      const { handler, options } = value as { handler: TaskHandler; options?: unknown };
      if (options !== undefined && (options === null || typeof options !== "object")) {
        throw new InvalidInputError(`tasks module ${path}: "${name}".options must be an object`);
      }
      return { name, handler, options: (options ?? {}) as TaskOptions };
    }
    throw new InvalidInputError(`tasks module ${path}: "${name}" must be a function or { handler, options }`);
  });
}
