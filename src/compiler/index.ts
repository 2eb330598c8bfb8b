// Public surface of the compiler: .flow source → validated, compiled Program, with the version
// (sha256 of the source) that executions are pinned to.

import { createHash } from "node:crypto";
import { FlowLoadError, FlowSyntaxError, loadFlow, type CheckOptions } from "../lang/index.js";
import { msg } from "../lang/messages.js";
import { signalNames } from "../lang/signal-names.js";
import { compileProgram } from "./compile.js";
import type { Program } from "./program.js";

export { PROGRAM_FORMAT, displayName, positionAt, runnableProgram, type FunctionInfo, type Program } from "./program.js";
export { disassemble } from "./disassemble.js";
export { withDebugTables } from "./debug-names.js";

export interface CompiledFlow {
  program: Program;
  /** sha256 of the source text, hex: the version executions are pinned to. */
  version: string;
  frontMatter: string | null;
  source: string;
}

export function sourceVersion(source: string): string {
  return createHash("sha256").update(source).digest("hex");
}

/**
 * Validates and compiles a .flow file; throws FlowLoadError (every problem, file:line:col).
 * `options` adds the checks of the standard library's use and of the workflow folder.
 */
export function compileFlow(source: string, file: string, options: CheckOptions = {}): CompiledFlow {
  const loaded = loadFlow(source, file, options);
  let program: Program;
  try {
    program = compileProgram(loaded.program, source, file, loaded.bindings);
  } catch (e) {
    // The parser and the checker report nesting too deep for them; the compiler recurses too, so
    // a file nested just short of their limits can still be too deep for it: same kind of error.
    if (!(e instanceof RangeError)) throw e;
    throw new FlowLoadError([new FlowSyntaxError(file, 1, 1, msg.tooDeep())]);
  }
  // read once here and stored with the version: `signal` refuses a name it never waits on
  program.signals = signalNames(loaded.program);
  return {
    program,
    version: sourceVersion(source),
    frontMatter: loaded.frontMatter,
    source,
  };
}
