// The --workflows option of deploy, worker and dev: a folder of .flow files, ./workflows unless
// given. A folder named explicitly must exist; a missing default only means there is nothing to deploy.

import { existsSync, statSync } from "node:fs";
import { UsageError } from "./command.js";

export const DEFAULT_WORKFLOWS = "workflows";

export function workflowsFolder(given: string | undefined): { dir: string; exists: boolean } {
  const dir = given ?? DEFAULT_WORKFLOWS;
  const exists = existsSync(dir) && statSync(dir).isDirectory();
  if (given !== undefined && !exists) throw new UsageError(`no such folder: ${given}`);
  return { dir, exists };
}
