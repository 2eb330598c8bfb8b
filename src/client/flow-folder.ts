// What loading a .flow file from a folder checks beyond the language itself (deploy, worker and
// dev load a folder; `rhythm check` loads files): the standard library's use, with the machine's
// own rules, and that a literal `Workflow.run("x")` has an `x.flow` beside the file.

import { existsSync, readdirSync, statSync } from "node:fs";
import type { CheckOptions } from "../lang/index.js";
import { flowSurface } from "../vm/surface.js";

/** The workflow names of a folder: its .flow files, without the extension. */
export function workflowNames(dir: string): Set<string> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return new Set();
  return new Set(
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".flow"))
      .map((e) => e.name.slice(0, -".flow".length)),
  );
}

/**
 * The checks for a file loaded from `dir`: its workflows are the folder's .flow files, and when
 * deploying, the workflows already stored (a child may be deployed from another folder).
 */
export function folderCheckOptions(dir: string, stored?: readonly string[]): CheckOptions {
  const names = workflowNames(dir);
  for (const name of stored ?? []) names.add(name);
  return {
    surface: flowSurface,
    workflows: { folder: dir.endsWith("/") ? dir : `${dir}/`, names, stored: stored !== undefined },
  };
}
