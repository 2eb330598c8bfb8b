// Entry point of the compiler: validated tree → Program. It also wires the compiler's mutually
// recursive parts together (see CompilerParts), which is what lets each file import the others
// in one direction only.

import type * as es from "acorn";
import { resolveBindings, type Bindings } from "../lang/index.js";
import { FunctionCompiler, type CompilerParts, type ProgramBuilder } from "./function-compiler.js";
import { compileFunction, hoistFunction } from "./functions.js";
import { PROGRAM_FORMAT, type FunctionInfo, type Program } from "./program.js";
import { compileStatement, emitFinalReturn } from "./statements.js";
import { compileExpression } from "./expressions.js";
import { bindPattern } from "./patterns.js";

const parts: CompilerParts = {
  expression: compileExpression,
  pattern: bindPattern,
  fn: compileFunction,
  hoist: hoistFunction,
};

/**
 * Compiles a validated program (the statements of the workflow body) into bytecode. `bindings`
 * are the loader's (resolved again when not given).
 */
export function compileProgram(program: es.Program, source: string, file: string, bindings?: Bindings): Program {
  const builder: ProgramBuilder = {
    file,
    source,
    bindings: bindings ?? resolveBindings(program),
    slots: new Map(),
    functions: [],
    parts,
  };
  builder.functions.push(null as unknown as FunctionInfo); // index 0 is reserved for main
  const c = new FunctionCompiler(builder, program, []);
  c.enterScope(c.scopeOf(program)!);
  for (const s of program.body) compileStatement(c, s as es.Statement);
  emitFinalReturn(c);
  builder.functions[0] = c.finish("main", true, 0);
  return { format: PROGRAM_FORMAT, file, functions: builder.functions };
}
