// Expression compilation. Every compileExpression leaves exactly one value on the stack;
// compileExpressionEffect leaves none (and skips the copy an assignment would otherwise keep).

import type * as es from "acorn";
import type { FunctionCompiler } from "./function-compiler.js";
import { Op } from "./opcodes.js";
import { inferName, isAnonymousFunction, propertyName } from "./names.js";

type Expr = es.Expression | es.SpreadElement | es.Super | es.PrivateIdentifier;

const BINARY: Record<string, Op> = {
  "+": Op.Add,
  "-": Op.Sub,
  "*": Op.Mul,
  "/": Op.Div,
  "%": Op.Mod,
  "**": Op.Pow,
  "<": Op.Lt,
  "<=": Op.Le,
  ">": Op.Gt,
  ">=": Op.Ge,
  "==": Op.Eq,
  "!=": Op.Ne,
  "===": Op.StrictEq,
  "!==": Op.StrictNe,
};

export function compileExpressionEffect(c: FunctionCompiler, e: es.Expression): void {
  if (e.type === "AssignmentExpression") return compileAssignment(c, e, false);
  if (e.type === "UpdateExpression") return compileUpdate(c, e, false);
  compileExpression(c, e);
  c.emit(Op.Pop);
}

export function compileExpression(c: FunctionCompiler, e: Expr, nameHint = ""): void {
  switch (e.type) {
    case "Literal":
      return compileLiteral(c, e);
    case "Identifier": {
      const b = c.binding(e);
      if (b) return c.load(b, e);
      if (e.name === "undefined") return c.emit(Op.Undefined);
      return c.emit(Op.LoadGlobal, c.constant(e.name));
    }
    case "TemplateLiteral": {
      let parts = 0;
      e.quasis.forEach((q, i) => {
        const text = q.value.cooked ?? "";
        if (text !== "") {
          c.emit(Op.Const, c.constant(text));
          parts++;
        }
        if (i < e.expressions.length) {
          compileExpression(c, e.expressions[i]);
          parts++;
        }
      });
      c.emit(Op.TemplateConcat, parts);
      return;
    }
    case "ArrayExpression":
      return compileArray(c, e);
    case "ObjectExpression":
      return compileObject(c, e);
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      c.emit(Op.Closure, c.builder.parts.fn(c, e, nameHint));
      return;
    case "UnaryExpression":
      compileExpression(c, e.argument);
      switch (e.operator) {
        case "!":
          return c.emit(Op.Not);
        case "-":
          return c.emit(Op.Neg);
        case "+":
          return c.emit(Op.Plus);
        case "typeof":
          return c.emit(Op.TypeOf);
        case "void":
          return c.emit(Op.Void);
        default:
          throw new Error(`compiler: unsupported unary ${e.operator}`);
      }
    case "UpdateExpression":
      return compileUpdate(c, e, true);
    case "BinaryExpression": {
      const op = BINARY[e.operator];
      if (op === undefined) throw new Error(`compiler: unsupported operator ${e.operator}`);
      compileExpression(c, e.left as es.Expression);
      compileExpression(c, e.right);
      c.at(e);
      c.emit(op);
      return;
    }
    case "LogicalExpression": {
      const end = c.label();
      compileExpression(c, e.left);
      const jump = e.operator === "&&" ? Op.JumpIfFalseKeep : e.operator === "||" ? Op.JumpIfTrueKeep : Op.JumpIfNotNullishKeep;
      c.jump(jump, end);
      compileExpression(c, e.right);
      c.place(end);
      return;
    }
    case "ConditionalExpression": {
      const otherwise = c.label();
      const end = c.label();
      compileExpression(c, e.test);
      c.jump(Op.JumpIfFalse, otherwise);
      // no name hint: JavaScript does not name functions chosen by a conditional
      compileExpression(c, e.consequent);
      c.jump(Op.Jump, end);
      c.place(otherwise);
      compileExpression(c, e.alternate);
      c.place(end);
      return;
    }
    case "AssignmentExpression":
      return compileAssignment(c, e, true);
    case "SequenceExpression":
      e.expressions.forEach((x, i) => {
        compileExpression(c, x);
        if (i < e.expressions.length - 1) c.emit(Op.Pop);
      });
      return;
    case "MemberExpression":
      compileExpression(c, e.object);
      if (e.optional) c.jump(Op.JumpIfNullish, c.chainEnd!);
      compileMemberRead(c, e);
      return;
    case "CallExpression":
      return compileCall(c, e);
    case "ChainExpression": {
      const outer = c.chainEnd;
      const end = c.label();
      c.chainEnd = end;
      compileExpression(c, e.expression);
      c.place(end);
      c.chainEnd = outer;
      return;
    }
    case "AwaitExpression":
      compileExpression(c, e.argument);
      c.at(e);
      c.emit(Op.Await);
      return;
    case "ParenthesizedExpression":
      return compileExpression(c, e.expression, nameHint);
    default:
      throw new Error(`compiler: unsupported expression ${e.type}`);
  }
}

function compileLiteral(c: FunctionCompiler, e: es.Literal): void {
  const v = e.value;
  if (v === null) c.emit(Op.Null);
  else if (v === true) c.emit(Op.True);
  else if (v === false) c.emit(Op.False);
  else if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 30 && !Object.is(v, -0)) c.emit(Op.Int, v);
  else if (typeof v === "number" || typeof v === "string") c.emit(Op.Const, c.constant(v));
  else throw new Error(`compiler: unsupported literal ${e.raw}`);
}

function compileArray(c: FunctionCompiler, e: es.ArrayExpression): void {
  if (!e.elements.some((x) => x?.type === "SpreadElement")) {
    for (const x of e.elements) {
      if (x) compileExpression(c, x);
      else c.emit(Op.Undefined);
    }
    c.emit(Op.NewArray, e.elements.length);
    return;
  }
  c.emit(Op.NewArray, 0);
  for (const x of e.elements) {
    if (x?.type === "SpreadElement") {
      compileExpression(c, x.argument);
      c.at(x);
      c.emit(Op.ArraySpread);
    } else {
      if (x) compileExpression(c, x);
      else c.emit(Op.Undefined);
      c.emit(Op.ArrayPush);
    }
  }
}

function compileObject(c: FunctionCompiler, e: es.ObjectExpression): void {
  c.emit(Op.NewObject);
  for (const p of e.properties) {
    if (p.type === "SpreadElement") {
      compileExpression(c, p.argument);
      c.emit(Op.ObjectSpread);
      continue;
    }
    let name = "";
    if (p.computed) {
      compileExpression(c, p.key as es.Expression);
      c.emit(Op.ToPropertyKey);
    } else {
      name = propertyName(p.key);
      c.emit(Op.Const, c.constant(name));
    }
    compileExpression(c, p.value as es.Expression, name);
    // `{ [k]: () => … }`: the function is named after the key, known only when it runs
    if (p.computed && isAnonymousFunction(p.value)) c.emit(Op.SetFunctionName);
    c.emit(Op.DefineField);
  }
}

/** With the object on the stack, reads the member `e` names. */
function compileMemberRead(c: FunctionCompiler, e: es.MemberExpression): void {
  if (e.computed) {
    compileExpression(c, e.property as es.Expression);
    c.at(e.property);
    c.emit(Op.GetIndex);
  } else {
    c.at(e.property);
    c.emit(Op.GetProp, c.constant((e.property as es.Identifier).name));
  }
}

function compileArguments(c: FunctionCompiler, args: (es.Expression | es.SpreadElement)[]): boolean {
  const spread = args.some((a) => a.type === "SpreadElement");
  if (!spread) {
    for (const a of args) compileExpression(c, a);
    return false;
  }
  c.emit(Op.NewArray, 0);
  for (const a of args) {
    if (a.type === "SpreadElement") {
      compileExpression(c, a.argument);
      c.emit(Op.ArraySpread);
    } else {
      compileExpression(c, a);
      c.emit(Op.ArrayPush);
    }
  }
  return true;
}

function compileCall(c: FunctionCompiler, e: es.CallExpression): void {
  const callee = e.callee;
  if (callee.type === "MemberExpression" && !callee.computed && !e.optional) {
    // obj.name(args): the method is read before the arguments run, as in JavaScript (a null
    // `obj` throws first); built-in methods are read as their shared function, not bound.
    compileExpression(c, callee.object);
    if (callee.optional) c.jump(Op.JumpIfNullish, c.chainEnd!);
    c.at(callee.property);
    c.emit(Op.GetMethod, c.constant((callee.property as es.Identifier).name));
    const spread = compileArguments(c, e.arguments);
    c.at(callee.property);
    const text = c.constant(c.sourceText(callee));
    if (spread) c.emit(Op.CallWithReceiverSpread, text);
    else c.emit(Op.CallWithReceiver, e.arguments.length, text);
    return;
  }
  compileExpression(c, callee as es.Expression);
  if (e.optional) c.jump(Op.JumpIfNullish, c.chainEnd!);
  const spread = compileArguments(c, e.arguments);
  c.at(e);
  const text = c.constant(c.sourceText(callee));
  if (spread) c.emit(Op.CallSpread, text);
  else c.emit(Op.Call, e.arguments.length, text);
}

const COMPOUND: Record<string, Op> = {
  "+=": Op.Add,
  "-=": Op.Sub,
  "*=": Op.Mul,
  "/=": Op.Div,
  "%=": Op.Mod,
  "**=": Op.Pow,
};

/**
 * A reference that can be read and written more than once without re-evaluating its parts:
 * the object (and key) of a member target are kept in temporaries.
 */
interface Ref {
  read(): void;
  /** Emits the store of the value on top of the stack, leaving it there. */
  write(): void;
  release(): void;
}

function reference(c: FunctionCompiler, target: es.Pattern | es.Expression): Ref {
  if (target.type === "Identifier") {
    const b = c.binding(target);
    if (!b) throw new Error(`compiler: assignment to global ${target.name}`);
    return {
      read: () => c.load(b, target),
      write: () => {
        c.emit(Op.Dup);
        c.store(b, target, false);
      },
      release: () => {},
    };
  }
  if (target.type !== "MemberExpression") throw new Error(`compiler: invalid assignment target ${target.type}`);
  const obj = c.temp();
  compileExpression(c, target.object as es.Expression);
  c.emit(Op.StoreLocal, obj);
  if (!target.computed) {
    const name = c.constant((target.property as es.Identifier).name);
    return {
      read: () => {
        c.emit(Op.LoadLocal, obj);
        c.at(target.property);
        c.emit(Op.GetProp, name);
      },
      write: () => {
        const value = c.temp();
        c.emit(Op.StoreLocal, value);
        c.emit(Op.LoadLocal, obj);
        c.emit(Op.LoadLocal, value);
        c.at(target.property);
        c.emit(Op.SetProp, name);
        c.release(value);
      },
      release: () => c.release(obj),
    };
  }
  // The key is converted at the read and again at the write, as in JavaScript, so a null object
  // throws before the key's own toString runs.
  const key = c.temp();
  compileExpression(c, target.property as es.Expression);
  c.emit(Op.StoreLocal, key);
  return {
    read: () => {
      c.emit(Op.LoadLocal, obj);
      c.emit(Op.LoadLocal, key);
      c.at(target.property);
      c.emit(Op.GetIndex);
    },
    write: () => {
      const value = c.temp();
      c.emit(Op.StoreLocal, value);
      c.emit(Op.LoadLocal, obj);
      c.emit(Op.LoadLocal, key);
      c.emit(Op.LoadLocal, value);
      c.at(target.property);
      c.emit(Op.SetIndex);
      c.release(value);
    },
    release: () => {
      c.release(key);
      c.release(obj);
    },
  };
}

function compileAssignment(c: FunctionCompiler, e: es.AssignmentExpression, keep: boolean): void {
  const left = e.left;
  if (e.operator === "=") {
    if (left.type === "ObjectPattern" || left.type === "ArrayPattern") {
      compileExpression(c, e.right);
      if (keep) c.emit(Op.Dup);
      c.builder.parts.pattern(c, left, "assign", e.right);
      return;
    }
    if (left.type === "MemberExpression") {
      // Evaluation order of JavaScript: object, key, then the value.
      compileExpression(c, left.object as es.Expression);
      if (left.computed) compileExpression(c, left.property as es.Expression);
      compileExpression(c, e.right);
      c.at(left.property);
      if (left.computed) c.emit(Op.SetIndex);
      else c.emit(Op.SetProp, c.constant((left.property as es.Identifier).name));
      if (!keep) c.emit(Op.Pop);
      return;
    }
    compileExpression(c, e.right, inferName(left));
    if (keep) c.emit(Op.Dup);
    c.builder.parts.pattern(c, left, "assign");
    return;
  }
  const ref = reference(c, left);
  if (e.operator === "&&=" || e.operator === "||=" || e.operator === "??=") {
    const end = c.label();
    ref.read();
    const jump = e.operator === "&&=" ? Op.JumpIfFalseKeep : e.operator === "||=" ? Op.JumpIfTrueKeep : Op.JumpIfNotNullishKeep;
    c.jump(jump, end);
    compileExpression(c, e.right, inferName(left));
    ref.write();
    c.place(end);
    ref.release();
    if (!keep) c.emit(Op.Pop);
    return;
  }
  const op = COMPOUND[e.operator];
  if (op === undefined) throw new Error(`compiler: unsupported assignment ${e.operator}`);
  ref.read();
  compileExpression(c, e.right);
  c.at(e);
  c.emit(op);
  ref.write();
  ref.release();
  if (!keep) c.emit(Op.Pop);
}

function compileUpdate(c: FunctionCompiler, e: es.UpdateExpression, keep: boolean): void {
  const ref = reference(c, e.argument);
  ref.read();
  c.at(e);
  c.emit(Op.ToNumeric);
  if (keep && !e.prefix) {
    // postfix: the old (numeric) value is the result
    const old = c.temp();
    c.emit(Op.Dup);
    c.emit(Op.StoreLocal, old);
    c.emit(e.operator === "++" ? Op.Inc : Op.Dec);
    ref.write();
    c.emit(Op.Pop);
    c.emit(Op.LoadLocal, old);
    c.release(old);
  } else {
    c.emit(e.operator === "++" ? Op.Inc : Op.Dec);
    ref.write();
    if (!keep) c.emit(Op.Pop);
  }
  ref.release();
}
