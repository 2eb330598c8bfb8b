// Entry point of the compiler: validated tree → Program. Also compiles function bodies (shared by
// the workflow body, declarations, expressions and arrows), including the parameter prologue.

import type * as es from "acorn";
import { FunctionCompiler, type ProgramBuilder } from "./function-compiler.js";
import { Op } from "./opcodes.js";
import { PROGRAM_FORMAT, type FunctionInfo, type Program } from "./program.js";
import { analyzeScopes, type Scope } from "./scopes.js";
import { compileStatement, emitFinalReturn } from "./statements.js";
import { compileExpression } from "./expressions.js";
import { bindPattern } from "./patterns.js";

/** Compiles a validated program (the statements of the workflow body) into bytecode. */
export function compileProgram(program: es.Program, source: string, file: string): Program {
  const builder: ProgramBuilder = { file, source, info: analyzeScopes(program), functions: [] };
  builder.functions.push(null as unknown as FunctionInfo); // index 0 is reserved for main
  const c = new FunctionCompiler(builder, program, []);
  const scope = c.scopeOf(program)!;
  c.enterScope(scope, (f, s) => hoistFunction(c, f, s));
  for (const s of program.body) compileStatement(c, s as es.Statement);
  emitFinalReturn(c);
  builder.functions[0] = c.finish("main", true, 0);
  return { format: PROGRAM_FORMAT, file, functions: builder.functions };
}

type AnyFunction = es.FunctionDeclaration | es.FunctionExpression | es.ArrowFunctionExpression;

/** Compiles a nested function and returns its index in the program. */
export function compileFunction(outer: FunctionCompiler, f: AnyFunction, inferredName: string): number {
  const builder = outer.builder;
  const index = builder.functions.length;
  builder.functions.push(null as unknown as FunctionInfo);
  const c = new FunctionCompiler(builder, f, outer.envChain);
  const scope: Scope = c.scopeOf(f)!;
  c.at(f);
  c.enterScope(scope, (d, s) => hoistFunction(c, d, s));
  if (f.type === "FunctionExpression" && f.id) {
    const self = scope.bindings.get(f.id.name);
    if (self && self.kind === "self") {
      c.emit(Op.LoadCallee);
      c.store(self, null, true);
    }
  }
  let length = 0;
  let sawDefault = false;
  f.params.forEach((p, i) => {
    if (p.type === "RestElement") {
      c.emit(Op.LoadRestArgs, i);
      bindPattern(c, p.argument, "init");
      sawDefault = true;
      return;
    }
    if (p.type === "AssignmentPattern") sawDefault = true;
    if (!sawDefault) length++;
    c.emit(Op.LoadArg, i);
    bindPattern(c, p, "init");
  });
  if (f.body.type === "BlockStatement") {
    compileStatement(c, f.body);
    emitFinalReturn(c, true);
  } else {
    compileExpression(c, f.body);
    c.emit(Op.Return);
  }
  const name = f.id?.name ?? inferredName;
  builder.functions[index] = c.finish(name || "<anonymous>", f.async, length);
  return index;
}

/** Instantiates a hoisted function declaration at the start of the scope that declares it. */
export function hoistFunction(c: FunctionCompiler, f: es.FunctionDeclaration, scope: Scope): void {
  const index = compileFunction(c, f, f.id!.name);
  c.emit(Op.Closure, index);
  c.store(scope.bindings.get(f.id!.name)!, null, true);
}
