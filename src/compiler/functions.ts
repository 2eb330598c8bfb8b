// Compiles function bodies (shared by declarations, expressions and arrows): the scopes a call
// enters, the parameter prologue, the body, and the function's name and `length`.

import type * as es from "acorn";
import type { Scope } from "../lang/index.js";
import { FunctionCompiler } from "./function-compiler.js";
import { Op } from "./opcodes.js";
import type { FunctionInfo } from "./program.js";
import { compileStatement, emitFinalReturn } from "./statements.js";
import { compileExpression } from "./expressions.js";
import { bindPattern } from "./patterns.js";

type AnyFunction = es.FunctionDeclaration | es.FunctionExpression | es.ArrowFunctionExpression;

/** Compiles a nested function and returns its index in the program. */
export function compileFunction(outer: FunctionCompiler, f: AnyFunction, inferredName: string): number {
  const builder = outer.builder;
  const index = builder.functions.length;
  builder.functions.push(null as unknown as FunctionInfo);
  const c = new FunctionCompiler(builder, f, outer.envChain);
  c.index = index;
  c.outer = [outer.index, outer.debug.current];
  c.at(f);
  // A function expression's own name lives in a scope around its parameters.
  const selfScope = f.type === "FunctionExpression" ? builder.bindings.selfScopes.get(f) : undefined;
  if (selfScope) {
    c.enterScope(selfScope);
    c.emit(Op.LoadCallee);
    c.store(selfScope.bindings.get(f.id!.name)!, null, true);
  }
  c.enterScope(c.scopeOf(f)!);
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
  // JavaScript's `name`: "" for an anonymous function nothing names (stack traces show <anonymous>)
  builder.functions[index] = c.finish(f.id?.name ?? inferredName, f.async, length);
  return index;
}

/** Instantiates a hoisted function declaration at the start of the scope that declares it. */
export function hoistFunction(c: FunctionCompiler, f: es.FunctionDeclaration, scope: Scope): void {
  const index = compileFunction(c, f, f.id.name);
  c.emit(Op.Closure, index);
  c.store(scope.bindings.get(f.id.name)!, null, true);
}
