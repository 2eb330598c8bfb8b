// Destructuring and plain targets: stores the value on top of the stack into a pattern, for
// declarations ("init": no dead-zone check) and assignments ("assign").

import type * as es from "acorn";
import type { FunctionCompiler } from "./function-compiler.js";
import { Op } from "./opcodes.js";
import { compileExpression } from "./expressions.js";
import { inferName, propertyName } from "./names.js";

export type BindMode = "init" | "assign";

/** Consumes the top of stack and stores it into `p`. */
export function bindPattern(c: FunctionCompiler, p: es.Pattern, mode: BindMode, source?: es.Node): void {
  switch (p.type) {
    case "Identifier": {
      const b = c.binding(p);
      if (!b) throw new Error(`compiler: assignment to global ${p.name}`);
      c.store(b, p, mode === "init");
      return;
    }
    case "MemberExpression": {
      const value = c.temp();
      c.emit(Op.StoreLocal, value);
      compileExpression(c, p.object as es.Expression);
      if (p.computed) {
        compileExpression(c, p.property as es.Expression);
        c.emit(Op.LoadLocal, value);
        c.at(p);
        c.emit(Op.SetIndex);
      } else {
        c.emit(Op.LoadLocal, value);
        c.at(p);
        c.emit(Op.SetProp, c.constant((p.property as es.Identifier).name));
      }
      c.emit(Op.Pop);
      c.release(value);
      return;
    }
    case "AssignmentPattern": {
      const given = c.label();
      c.jump(Op.JumpIfNotUndefined, given);
      compileExpression(c, p.right, inferName(p.left));
      c.place(given);
      bindPattern(c, p.left, mode);
      return;
    }
    case "ObjectPattern":
      return bindObjectPattern(c, p, mode, source);
    case "ArrayPattern":
      return bindArrayPattern(c, p, mode);
    case "RestElement":
      return bindPattern(c, p.argument, mode);
  }
}

function bindObjectPattern(c: FunctionCompiler, p: es.ObjectPattern, mode: BindMode, from?: es.Node): void {
  c.at(p);
  const first = p.properties[0];
  const prop = first && first.type === "Property" && !first.computed ? c.constant(propertyName(first.key)) : -1;
  c.emit(Op.RequireObjectCoercible, prop, from ? c.constant(c.sourceText(from)) : -1);
  const source = c.temp();
  c.emit(Op.StoreLocal, source);
  const keys: number[] = []; // temps holding computed keys, for a rest element
  const staticKeys: string[] = [];
  for (const prop of p.properties) {
    if (prop.type === "RestElement") {
      c.emit(Op.LoadLocal, source);
      for (const k of staticKeys) c.emit(Op.Const, c.constant(k));
      for (const t of keys) c.emit(Op.LoadLocal, t);
      c.emit(Op.ObjectRest, staticKeys.length + keys.length);
      bindPattern(c, prop.argument, mode);
      continue;
    }
    c.emit(Op.LoadLocal, source);
    if (prop.computed) {
      compileExpression(c, prop.key as es.Expression);
      c.emit(Op.ToPropertyKey);
      const t = c.temp();
      c.emit(Op.StoreLocal, t);
      c.emit(Op.LoadLocal, t);
      keys.push(t);
      c.emit(Op.GetIndex);
    } else {
      const name = propertyName(prop.key);
      staticKeys.push(name);
      c.emit(Op.GetProp, c.constant(name));
    }
    bindPattern(c, prop.value, mode);
  }
  for (const t of keys) c.release(t);
  c.release(source);
}

function bindArrayPattern(c: FunctionCompiler, p: es.ArrayPattern, mode: BindMode): void {
  c.at(p);
  c.emit(Op.ToArrayForDestructure);
  const source = c.temp();
  c.emit(Op.StoreLocal, source);
  p.elements.forEach((el, i) => {
    if (!el) return;
    c.emit(Op.LoadLocal, source);
    if (el.type === "RestElement") {
      c.emit(Op.Int, i);
      c.emit(Op.CallMethod, c.constant("slice"), 1, c.constant("slice"));
      bindPattern(c, el.argument, mode);
      return;
    }
    c.emit(Op.Int, i);
    c.emit(Op.GetIndex);
    bindPattern(c, el, mode);
  });
  c.release(source);
}
