// Statement compilation: declarations, loops, switch, try/catch/finally, and the unwinding that
// `break`/`continue`/`return` do when they leave environments, handlers and finally blocks.

import type * as es from "acorn";
import { type Control, type FunctionCompiler, type Label } from "./function-compiler.js";
import { Op } from "./opcodes.js";
import { compileExpression, compileExpressionEffect } from "./expressions.js";
import { bindPattern } from "./patterns.js";
import { inferName } from "./names.js";

export function compileStatement(c: FunctionCompiler, s: es.Statement): void {
  c.at(s);
  switch (s.type) {
    case "ExpressionStatement":
      return compileExpressionEffect(c, s.expression);
    case "VariableDeclaration":
      return compileDeclaration(c, s);
    case "FunctionDeclaration":
    case "EmptyStatement":
      return; // hoisted when its scope was entered
    case "ReturnStatement":
      return compileReturn(c, s);
    case "IfStatement": {
      const otherwise = c.label();
      compileExpression(c, s.test);
      c.jump(Op.JumpIfFalse, otherwise);
      compileStatement(c, s.consequent);
      if (s.alternate) {
        const end = c.label();
        c.jump(Op.Jump, end);
        c.place(otherwise);
        compileStatement(c, s.alternate);
        c.place(end);
      } else c.place(otherwise);
      return;
    }
    case "BlockStatement":
      return compileBlock(c, s);
    case "WhileStatement": {
      const loop = loopControl(c);
      c.place(loop.continueLabel);
      compileExpression(c, s.test);
      c.jump(Op.JumpIfFalse, loop.breakLabel);
      compileLoopBody(c, loop, s.body);
      c.jump(Op.Jump, loop.continueLabel);
      c.place(loop.breakLabel);
      return;
    }
    case "DoWhileStatement": {
      const loop = loopControl(c);
      const top = c.label();
      c.place(top);
      compileLoopBody(c, loop, s.body);
      c.place(loop.continueLabel);
      compileExpression(c, s.test);
      c.jump(Op.JumpIfTrue, top);
      c.place(loop.breakLabel);
      return;
    }
    case "ForStatement":
      return compileFor(c, s);
    case "ForOfStatement":
    case "ForInStatement":
      return compileForEach(c, s);
    case "BreakStatement":
    case "ContinueStatement":
      return compileJumpOut(c, s);
    case "ThrowStatement":
      compileExpression(c, s.argument);
      c.at(s);
      c.emit(Op.Throw);
      return;
    case "TryStatement":
      return compileTry(c, s);
    case "SwitchStatement":
      return compileSwitch(c, s);
    default:
      throw new Error(`compiler: unsupported statement ${s.type}`);
  }
}

function compileDeclaration(c: FunctionCompiler, s: es.VariableDeclaration): void {
  for (const d of s.declarations) {
    if (d.init) compileExpression(c, d.init, inferName(d.id));
    else c.emit(Op.Undefined);
    bindPattern(c, d.id, "init", d.init ?? undefined);
  }
}

function compileBlock(c: FunctionCompiler, s: es.BlockStatement): void {
  const scope = c.scopeOf(s);
  const hasEnv = scope ? c.enterScope(scope) : false;
  for (const x of s.body) compileStatement(c, x);
  c.exitScope(scope, hasEnv);
}

function loopControl(c: FunctionCompiler): Control & { kind: "loop" } {
  return { kind: "loop", breakLabel: c.label(), continueLabel: c.label() };
}

function compileLoopBody(c: FunctionCompiler, loop: Control, body: es.Statement): void {
  c.control.push(loop);
  compileStatement(c, body);
  c.control.pop();
}

function compileFor(c: FunctionCompiler, s: es.ForStatement): void {
  const scope = c.scopeOf(s);
  const hasEnv = scope ? c.enterScope(scope) : false;
  if (s.init?.type === "VariableDeclaration") compileDeclaration(c, s.init);
  else if (s.init) compileExpressionEffect(c, s.init);
  // Each iteration gets its own copy of captured loop variables, as in JavaScript.
  if (hasEnv) c.emit(Op.CopyEnv);
  const loop = loopControl(c);
  const test = c.label();
  c.place(test);
  if (s.test) {
    compileExpression(c, s.test);
    c.jump(Op.JumpIfFalse, loop.breakLabel);
  }
  compileLoopBody(c, loop, s.body);
  c.place(loop.continueLabel);
  if (hasEnv) c.emit(Op.CopyEnv);
  if (s.update) compileExpressionEffect(c, s.update);
  c.jump(Op.Jump, test);
  c.place(loop.breakLabel);
  c.exitScope(scope, hasEnv);
}

function compileForEach(c: FunctionCompiler, s: es.ForOfStatement | es.ForInStatement): void {
  // `for (let x of …)` evaluates `…` where the loop's names exist, uninitialized (their dead zone)
  const head = c.builder.bindings.headScopes.get(s);
  const headEnv = head ? c.enterScope(head) : false;
  compileExpression(c, s.right);
  c.exitScope(head, headEnv);
  c.at(s.right);
  if (s.type === "ForOfStatement") c.emit(Op.IterInit, c.constant(c.sourceText(s.right)));
  else c.emit(Op.ForInKeys);
  const loop = loopControl(c);
  const next = c.label();
  const done = c.label();
  c.place(next);
  c.jump(Op.IterNext, done);
  // The loop head scope is entered afresh for every iteration, which gives each iteration its
  // own bindings. The loop entry sits below the scope's, so `break`/`continue` close it first.
  c.control.push(loop);
  const scope = c.scopeOf(s);
  const hasEnv = scope ? c.enterScope(scope) : false;
  if (s.left.type === "VariableDeclaration") bindPattern(c, s.left.declarations[0].id, "init");
  else bindPattern(c, s.left, "assign");
  compileStatement(c, s.body);
  c.exitScope(scope, hasEnv);
  c.control.pop();
  c.place(loop.continueLabel);
  c.jump(Op.Jump, next);
  // `break` lands here with the iteration state still on the stack.
  c.place(loop.breakLabel);
  c.place(done);
  c.emit(Op.Pop);
  c.emit(Op.Pop);
}

function compileSwitch(c: FunctionCompiler, s: es.SwitchStatement): void {
  compileExpression(c, s.discriminant);
  const disc = c.temp();
  c.emit(Op.StoreLocal, disc);
  const scope = c.scopeOf(s);
  const hasEnv = scope ? c.enterScope(scope) : false;
  const control: Control = { kind: "switch", breakLabel: c.label() };
  const bodies = s.cases.map(() => c.label());
  let defaultIndex = -1;
  s.cases.forEach((k, i) => {
    if (!k.test) {
      defaultIndex = i;
      return;
    }
    c.emit(Op.LoadLocal, disc);
    compileExpression(c, k.test);
    c.emit(Op.StrictEq);
    c.jump(Op.JumpIfTrue, bodies[i]);
  });
  c.jump(Op.Jump, defaultIndex >= 0 ? bodies[defaultIndex] : control.breakLabel);
  c.control.push(control);
  s.cases.forEach((k, i) => {
    c.place(bodies[i]);
    for (const x of k.consequent) compileStatement(c, x);
  });
  c.control.pop();
  c.place(control.breakLabel);
  c.exitScope(scope, hasEnv);
  c.release(disc);
}

function compileTry(c: FunctionCompiler, s: es.TryStatement): void {
  const finThrow = c.label();
  const end = c.label();
  if (s.finalizer) {
    c.jump(Op.TryEnter, finThrow);
    c.control.push({ kind: "finally", body: s.finalizer }, { kind: "try" });
  }
  if (s.handler) {
    const onCatch = c.label();
    const afterCatch = c.label();
    c.jump(Op.TryEnter, onCatch);
    c.control.push({ kind: "try" });
    compileBlock(c, s.block);
    c.control.pop();
    c.emit(Op.TryExit);
    c.jump(Op.Jump, afterCatch);
    c.place(onCatch);
    compileCatch(c, s.handler);
    c.place(afterCatch);
  } else compileBlock(c, s.block);
  if (s.finalizer) {
    c.control.length -= 2;
    c.emit(Op.TryExit);
    compileBlock(c, s.finalizer);
    c.jump(Op.Jump, end);
    // Thrown out of the try or catch block: run the finally block, then rethrow.
    c.place(finThrow);
    const saved = c.temp();
    c.emit(Op.StoreLocal, saved);
    compileBlock(c, s.finalizer);
    c.emit(Op.LoadLocal, saved);
    c.emit(Op.Throw);
    c.release(saved);
    c.place(end);
  }
}

function compileCatch(c: FunctionCompiler, h: es.CatchClause): void {
  const scope = c.scopeOf(h)!;
  const hasEnv = c.enterScope(scope);
  if (h.param) bindPattern(c, h.param, "init");
  else c.emit(Op.Pop);
  compileBlock(c, h.body);
  c.exitScope(scope, hasEnv);
}

function compileReturn(c: FunctionCompiler, s: es.ReturnStatement): void {
  if (s.argument) compileExpression(c, s.argument);
  else c.emit(Op.Undefined);
  if (c.control.some((k) => k.kind === "finally" || k.kind === "try")) {
    const value = c.temp();
    c.emit(Op.StoreLocal, value);
    unwind(c, 0);
    c.emit(Op.LoadLocal, value);
    c.release(value);
  }
  c.at(s);
  c.emit(Op.Return);
}

/** The implicit `return` at the end of a body. */
export function emitFinalReturn(c: FunctionCompiler, _nested = false): void {
  c.emit(Op.Undefined);
  c.emit(Op.Return);
}

function compileJumpOut(c: FunctionCompiler, s: es.BreakStatement | es.ContinueStatement): void {
  const isBreak = s.type === "BreakStatement";
  for (let i = c.control.length - 1; i >= 0; i--) {
    const k = c.control[i];
    if (k.kind === "loop" || (k.kind === "switch" && isBreak)) {
      unwind(c, i + 1);
      const target: Label = isBreak ? k.breakLabel : (k as Control & { kind: "loop" }).continueLabel;
      c.jump(Op.Jump, target);
      return;
    }
  }
  throw new Error(`compiler: ${s.type} outside a loop`);
}

/**
 * Emits what leaving every control entry above `depth` requires: closing environments, leaving
 * try handlers, and running finally blocks (compiled in the context they belong to).
 */
function unwind(c: FunctionCompiler, depth: number): void {
  const savedControl = c.control;
  const savedEnv = c.envChain;
  c.envChain = [...savedEnv];
  for (let i = savedControl.length - 1; i >= depth; i--) {
    const k = savedControl[i];
    if (k.kind === "env") {
      c.emit(Op.PopEnv);
      c.envChain.pop();
    } else if (k.kind === "try") c.emit(Op.TryExit);
    else if (k.kind === "finally") {
      c.control = savedControl.slice(0, i);
      compileBlock(c, k.body);
    }
  }
  c.control = savedControl;
  c.envChain = savedEnv;
}
