// Names for programs stored before the compiler kept debug tables: the version's source is
// compiled again, and when this compiler produces exactly the stored code, its debug tables
// describe the stored program too (registers and environments are where the tables say).
// Otherwise the stored program is returned as it is, and inspection shows slots without names.

import { loadFlow } from "../lang/index.js";
import { compileProgram } from "./compile.js";
import { sameCode } from "./debug-table.js";
import type { Program } from "./program.js";

/** `stored` with debug tables: its own, or those of `source` compiled again when the code is the same. */
export function withDebugTables(stored: Program, source: string): Program {
  if (stored.functions[0]?.debug !== undefined) return stored;
  let fresh: Program;
  try {
    const loaded = loadFlow(source, stored.file);
    fresh = compileProgram(loaded.program, source, stored.file, loaded.bindings);
  } catch {
    return stored; // a source this front end no longer accepts: no names
  }
  if (fresh.functions.length !== stored.functions.length) return stored;
  if (!stored.functions.every((f, i) => sameCode(f, fresh.functions[i]))) return stored;
  return { ...stored, functions: stored.functions.map((f, i) => ({ ...f, debug: fresh.functions[i].debug })) };
}
