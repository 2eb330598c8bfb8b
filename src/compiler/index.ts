// Public surface of the compiler: .flow source → validated, compiled Program, with the version
// (sha256 of the source) that executions are pinned to.

import { createHash } from "node:crypto";
import { loadFlow } from "../lang/index.js";
import { compileProgram } from "./compile.js";
import type { Program } from "./program.js";

export { PROGRAM_FORMAT, positionAt, type FunctionInfo, type Program } from "./program.js";
export { disassemble } from "./disassemble.js";

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

/** Validates and compiles a .flow file; throws FlowLoadError (every problem, file:line:col). */
export function compileFlow(source: string, file: string): CompiledFlow {
  const loaded = loadFlow(source, file);
  return {
    program: compileProgram(loaded.program, source, file),
    version: sourceVersion(source),
    frontMatter: loaded.frontMatter,
    source,
  };
}
