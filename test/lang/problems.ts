// Shared by the language tests: runs the loader's checker on a source and returns each problem as
// "line:col message", the form the data tables below are written in.

import { checkFlow } from "../../src/lang/index.js";

export function problems(source: string): string[] {
  return checkFlow(source, "test.flow").map((e) => `${e.line}:${e.column} ${e.message}`);
}

/** A table row: a source and exactly the problems it must produce, in order. */
export type Row = [source: string, expected: string[]];
