// Shared by the language tests: runs the loader's checker on a source and returns each problem as
// "line:col message", the form the data tables below are written in. The checks of the standard
// library's use run too (with the machine's own tables), as in `rhythm check`; the workflow
// folder check only when a folder is given.

import { checkFlow, type WorkflowFolder } from "../../src/lang/index.js";
import { flowSurface } from "../../src/vm/surface.js";

export function problems(source: string, workflows?: WorkflowFolder): string[] {
  return checkFlow(source, "test.flow", { surface: flowSurface, workflows }).map((e) => `${e.line}:${e.column} ${e.message}`);
}

/** A table row: a source and exactly the problems it must produce, in order. */
export type Row = [source: string, expected: string[]];
