// Checks a parsed .flow program against the language subset of SPEC §2.1 and collects every
// problem, not just the first: constructs outside the subset, prototype access, unknown names,
// assignments to constants and built-ins, and `await` where it cannot be used.
// Node kinds it does not know are rejected, so newer JavaScript syntax never slips through.

import * as acorn from "acorn";
import { resolveBindings, visibleNames, type Binding, type Bindings } from "./bindings.js";
import type { Problem } from "./errors.js";
import { FLOW_GLOBALS, isFlowGlobal, UNAVAILABLE_HINTS } from "./globals.js";
import { lineInfo } from "./lines.js";
import { msg } from "./messages.js";
import { closestName } from "./suggest.js";

/**
 * Checks `program` (parsed from `input`) and returns its problems in source order, with the
 * bindings it resolved (null when the file is too deeply nested to walk).
 */
export function validateProgram(program: acorn.Program, input: string): { problems: Problem[]; bindings: Bindings | null } {
  let bindings: Bindings | null = null;
  const problems: Problem[] = [];
  try {
    bindings = resolveBindings(program);
    const v = new Validator(input, bindings, problems);
    v.program(program);
  } catch (e) {
    // A pathologically nested file must give an error, not crash the loader.
    if (!(e instanceof RangeError)) throw e;
    problems.push(locateIn(input, program.start, msg.tooDeep()));
    bindings = null;
  }
  return { problems, bindings };
}

function locateIn(input: string, pos: number, message: string): Problem {
  const { line, column } = lineInfo(input, pos);
  return { line, column: column + 1, message };
}

/** Names that lead to prototypes; reading or defining them is rejected. */
const PROTO_NAMES = new Set(["__proto__", "prototype", "constructor"]);
const ALLOWED_UNARY = new Set(["!", "-", "+", "typeof"]);
const BITWISE = new Set(["&", "|", "^", "<<", ">>", ">>>", "&=", "|=", "^=", "<<=", ">>=", ">>>="]);
const ERROR_CONSTRUCTORS = new Set(["Error", "TypeError", "RangeError"]);

interface FunctionContext {
  async: boolean;
  /** True while walking the parameter list (defaults may not `await`). */
  inParams: boolean;
}

type AnyFunction = acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression;
type TopStatement = acorn.Statement | acorn.ModuleDeclaration;
type AnyExpression = acorn.Expression | acorn.Super | acorn.PrivateIdentifier | acorn.SpreadElement;

class Validator {
  // The program body runs as an async function: top-level `await` is allowed.
  private fn: FunctionContext = { async: true, inParams: false };

  constructor(
    private readonly input: string,
    private readonly bindings: Bindings,
    readonly problems: Problem[],
  ) {}

  program(program: acorn.Program): void {
    this.statementList(program.body);
  }

  report(pos: number, message: string): void {
    this.problems.push(locateIn(this.input, pos, message));
  }

  /** `line:col` of the identifier that declares a binding, for messages. */
  private at(b: Binding): string {
    // Parsed with `locations: true`; the loc is free where getLineInfo would rescan the input.
    const start = b.id.loc?.start ?? lineInfo(this.input, b.id.start);
    return `${start.line}:${start.column + 1}`;
  }

  private statementList(list: readonly TopStatement[]): void {
    for (const s of list) this.statement(s);
  }

  private block(block: acorn.BlockStatement): void {
    this.statementList(block.body);
  }

  private statement(s: TopStatement): void {
    switch (s.type) {
      case "ExpressionStatement":
        return this.expression(s.expression);
      case "BlockStatement":
        return this.block(s);
      case "EmptyStatement":
        return;
      case "IfStatement":
        this.expression(s.test);
        this.statement(s.consequent);
        if (s.alternate) this.statement(s.alternate);
        return;
      case "WhileStatement":
        this.expression(s.test);
        return this.statement(s.body);
      case "DoWhileStatement":
        this.statement(s.body);
        return this.expression(s.test);
      case "ForStatement":
        return this.forStatement(s);
      case "ForInStatement":
      case "ForOfStatement":
        return this.forEachStatement(s);
      case "BreakStatement":
      case "ContinueStatement":
        if (s.label) this.report(s.start, msg.labeledJump(s.type === "BreakStatement" ? "break" : "continue", s.label.name));
        return;
      case "ReturnStatement":
        if (s.argument) this.expression(s.argument);
        return;
      case "ThrowStatement":
        return this.expression(s.argument);
      case "TryStatement":
        return this.tryStatement(s);
      case "SwitchStatement":
        this.expression(s.discriminant);
        for (const c of s.cases) {
          if (c.test) this.expression(c.test);
          for (const cs of c.consequent) this.statement(cs);
        }
        return;
      case "VariableDeclaration":
        return this.variableDeclaration(s);
      case "FunctionDeclaration":
        return this.functionNode(s);
      case "ClassDeclaration":
        return this.report(s.start, msg.class());
      case "LabeledStatement":
        this.report(s.start, msg.label(s.label.name));
        return this.statement(s.body);
      case "WithStatement":
        this.report(s.start, msg.with());
        this.expression(s.object);
        return this.statement(s.body);
      case "DebuggerStatement":
        return this.report(s.start, msg.debugger());
      case "ImportDeclaration":
        return this.report(s.start, msg.import());
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
        this.report(s.start, msg.export());
        if (!s.declaration) return;
        if (s.declaration.type === "FunctionDeclaration" || s.declaration.type === "ClassDeclaration") {
          return this.statement(s.declaration as acorn.FunctionDeclaration | acorn.ClassDeclaration);
        }
        if (s.declaration.type === "VariableDeclaration") return this.statement(s.declaration);
        return this.expression(s.declaration);
      case "ExportAllDeclaration":
        return this.report(s.start, msg.export());
      default:
        return this.report((s as acorn.Node).start, msg.otherSyntax((s as acorn.Node).type));
    }
  }

  private forStatement(s: acorn.ForStatement): void {
    const init = s.init;
    if (init?.type === "VariableDeclaration") this.variableDeclaration(init);
    else if (init) this.headExpression(init);
    if (s.test) this.expression(s.test);
    if (s.update) this.headExpression(s.update);
    this.statement(s.body);
  }

  /** A `for (;;)` init or update, the one place a comma expression is allowed. */
  private headExpression(e: acorn.Expression): void {
    if (e.type === "SequenceExpression") e.expressions.forEach((x) => this.expression(x));
    else this.expression(e);
  }

  private forEachStatement(s: acorn.ForInStatement | acorn.ForOfStatement): void {
    if (s.type === "ForOfStatement" && s.await) this.report(s.start, msg.forAwait());
    if (s.left.type === "VariableDeclaration") this.variableDeclaration(s.left);
    else this.pattern(s.left, "assign");
    this.expression(s.right);
    this.statement(s.body);
  }

  private tryStatement(s: acorn.TryStatement): void {
    this.block(s.block);
    const handler = s.handler;
    if (handler) {
      if (handler.param) this.pattern(handler.param, "declare");
      this.block(handler.body);
    }
    if (s.finalizer) this.block(s.finalizer);
  }

  private variableDeclaration(s: acorn.VariableDeclaration): void {
    if (s.kind === "var") this.report(s.start, msg.var());
    else if (s.kind === "using" || s.kind === "await using") this.report(s.start, msg.using(s.kind));
    for (const d of s.declarations) {
      this.pattern(d.id, "declare");
      if (d.init) this.expression(d.init);
    }
  }

  private functionNode(f: AnyFunction, reportAt: number = f.start): void {
    if (f.generator) this.report(reportAt, f.async ? msg.asyncGenerator() : msg.generator());
    const outerFn = this.fn;
    try {
      this.fn = { async: f.async, inParams: true };
      for (const p of f.params) this.pattern(p, "declare");
      this.fn = { async: f.async, inParams: false };
      const body = f.body;
      if (body.type === "BlockStatement") this.statementList(body.body);
      else this.expression(body);
    } finally {
      this.fn = outerFn;
    }
  }

  /** Walks a binding or assignment target. Declared names were registered by hoisting. */
  private pattern(p: acorn.Pattern, mode: "declare" | "assign"): void {
    switch (p.type) {
      case "Identifier":
        if (mode === "assign") this.assignTarget(p);
        return;
      case "MemberExpression":
        return this.member(p);
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") {
            this.pattern(prop.argument, mode);
            continue;
          }
          const name = propertyKeyName(prop);
          if (name !== null && PROTO_NAMES.has(name)) this.report(prop.key.start, msg.protoAccess(name));
          if (prop.computed) this.expression(prop.key);
          this.pattern(prop.value as acorn.Pattern, mode);
        }
        return;
      case "ArrayPattern":
        for (const e of p.elements) if (e) this.pattern(e, mode);
        return;
      case "RestElement":
        return this.pattern(p.argument, mode);
      case "AssignmentPattern":
        this.pattern(p.left, mode);
        return this.expression(p.right);
      case "ChainExpression" as string:
        // `a?.b = 1`: acorn has reported the invalid target; still check what it reads.
        return this.expression(p as unknown as acorn.ChainExpression);
      default:
        return this.report((p as acorn.Node).start, msg.otherSyntax((p as acorn.Node).type));
    }
  }

  private expression(e: AnyExpression): void {
    switch (e.type) {
      case "Identifier":
        return this.reference(e);
      case "Literal":
        if (e.regex) this.report(e.start, msg.regex());
        else if (e.bigint !== undefined) this.report(e.start, msg.bigint(e.raw ?? `${e.bigint}n`));
        return;
      case "TemplateLiteral":
        return e.expressions.forEach((x) => this.expression(x));
      case "TaggedTemplateExpression":
        this.report(e.start, msg.taggedTemplate());
        this.expression(e.tag);
        return e.quasi.expressions.forEach((x) => this.expression(x));
      case "ArrayExpression":
        for (const el of e.elements) if (el) this.expression(el);
        return;
      case "ObjectExpression":
        for (const p of e.properties) this.property(p);
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.functionNode(e);
      case "UnaryExpression":
        if (e.operator === "delete") this.report(e.start, msg.delete());
        else if (e.operator === "void") this.report(e.start, msg.void());
        else if (e.operator === "~") this.report(e.start, msg.bitwise("~"));
        else if (!ALLOWED_UNARY.has(e.operator)) this.report(e.start, msg.otherSyntax(e.operator));
        return this.expression(e.argument);
      case "UpdateExpression":
        if (e.argument.type === "Identifier") return this.assignTarget(e.argument);
        return this.expression(e.argument);
      case "BinaryExpression":
        this.binaryOperator(e);
        this.expression(e.left);
        return this.expression(e.right);
      case "LogicalExpression":
        this.expression(e.left);
        return this.expression(e.right);
      case "AssignmentExpression":
        return this.assignment(e);
      case "ConditionalExpression":
        this.expression(e.test);
        this.expression(e.consequent);
        return this.expression(e.alternate);
      case "CallExpression":
        this.expression(e.callee);
        return e.arguments.forEach((a) => this.expression(a));
      case "NewExpression":
        this.report(e.start, newMessage(e.callee));
        this.expression(e.callee);
        return e.arguments.forEach((a) => this.expression(a));
      case "MemberExpression":
        return this.member(e);
      case "ChainExpression":
        return this.expression(e.expression);
      case "SequenceExpression":
        this.report(this.operatorPos(e.expressions[0].end, ","), msg.comma());
        return e.expressions.forEach((x) => this.expression(x));
      case "AwaitExpression":
        if (this.fn.inParams) this.report(e.start, msg.awaitInParams());
        else if (!this.fn.async) this.report(e.start, msg.awaitOutsideAsync());
        return this.expression(e.argument);
      case "YieldExpression":
        this.report(e.start, msg.yield());
        if (e.argument) this.expression(e.argument);
        return;
      case "ThisExpression":
        return this.report(e.start, msg.this());
      case "Super":
        return this.report(e.start, msg.super());
      case "MetaProperty":
        return this.report(e.start, e.meta.name === "new" ? msg.newTarget() : msg.importMeta());
      case "ImportExpression":
        this.report(e.start, msg.dynamicImport());
        this.expression(e.source);
        if (e.options) this.expression(e.options);
        return;
      case "ClassExpression":
        return this.report(e.start, msg.class());
      case "SpreadElement":
        return this.expression(e.argument);
      case "ParenthesizedExpression":
        return this.expression(e.expression);
      case "PrivateIdentifier":
        return; // only parses inside classes, which are rejected as a whole
      default:
        return this.report((e as acorn.Node).start, msg.otherSyntax((e as acorn.Node).type));
    }
  }

  private binaryOperator(e: acorn.BinaryExpression): void {
    const op = e.operator;
    if (op === "in" || op === "instanceof" || BITWISE.has(op)) {
      const pos = this.operatorPos(e.left.end, op);
      this.report(pos, op === "in" ? msg.in() : op === "instanceof" ? msg.instanceof() : msg.bitwise(op));
    }
  }

  private assignment(e: acorn.AssignmentExpression): void {
    const op = e.operator;
    if (op === "**=") this.report(this.operatorPos(e.left.end, op), msg.exponentAssign());
    else if (BITWISE.has(op)) this.report(this.operatorPos(e.left.end, op), msg.bitwise(op));
    if (e.left.type === "Identifier") this.assignTarget(e.left);
    else this.pattern(e.left, "assign");
    this.expression(e.right);
  }

  private member(e: acorn.MemberExpression): void {
    this.expression(e.object);
    if (e.computed) {
      const name = staticString(e.property);
      if (name !== null && PROTO_NAMES.has(name)) this.report(e.property.start, msg.protoAccess(name));
      this.expression(e.property);
    } else if (e.property.type === "Identifier" && PROTO_NAMES.has(e.property.name)) {
      this.report(e.property.start, msg.protoAccess(e.property.name));
    }
  }

  private property(p: acorn.Property | acorn.SpreadElement): void {
    if (p.type === "SpreadElement") return this.expression(p.argument);
    const name = propertyKeyName(p);
    if (name !== null && PROTO_NAMES.has(name)) this.report(p.key.start, msg.protoKey(name));
    if (p.computed) this.expression(p.key);
    const value = p.value as acorn.Expression;
    const key = keyText(p);
    if (p.kind === "get") this.report(p.start, msg.getter(key));
    else if (p.kind === "set") this.report(p.start, msg.setter(key));
    else if (p.method) this.report(p.start, msg.method(key, value.type === "FunctionExpression" && value.async));
    if (value.type === "FunctionExpression" && (p.method || p.kind !== "init")) {
      return this.functionNode(value, p.start);
    }
    this.expression(value);
  }

  /** A name read as a value. */
  private reference(id: acorn.Identifier): void {
    if (this.bindings.refs.has(id)) return;
    if (id.name === "eval") return this.report(id.start, msg.eval());
    if (id.name === "arguments") return this.report(id.start, msg.arguments());
    if (isFlowGlobal(id.name)) return;
    this.report(id.start, msg.unknownName(id.name, this.hintFor(id)));
  }

  /** A name written by `=`, a compound assignment, `++`/`--` or a destructuring target. */
  private assignTarget(id: acorn.Identifier): void {
    const b = this.bindings.refs.get(id);
    if (b) {
      if (b.kind === "const") this.report(id.start, msg.assignConst(id.name, this.at(b)));
      else if (b.kind === "self") this.report(id.start, msg.assignFunctionName(id.name, this.at(b)));
      return;
    }
    if (id.name === "eval") return this.report(id.start, msg.eval());
    if (id.name === "arguments") return this.report(id.start, msg.arguments());
    if (isFlowGlobal(id.name)) return this.report(id.start, msg.assignGlobal(id.name));
    this.report(id.start, msg.unknownName(id.name, this.hintFor(id)));
  }

  private hintFor(id: acorn.Identifier): string | null {
    const name = id.name;
    if (Object.hasOwn(UNAVAILABLE_HINTS, name)) return UNAVAILABLE_HINTS[name];
    const close = closestName(name, [...visibleNames(this.bindings.unresolved.get(id)), ...FLOW_GLOBALS]);
    return close === null ? null : msg.didYouMean(close);
  }

  /** Where operator `op` starts after offset `from` (skipping blanks, comments and `)`). */
  private operatorPos(from: number, op: string): number {
    const re = /(?:\s|\)|\/\/[^\n\r\u2028\u2029]*|\/\*[\s\S]*?\*\/)*/y;
    re.lastIndex = from;
    re.exec(this.input);
    const pos = re.lastIndex;
    return this.input.startsWith(op, pos) ? pos : from;
  }
}

function newMessage(callee: acorn.Expression | acorn.Super): string {
  if (callee.type === "Identifier") {
    if (ERROR_CONSTRUCTORS.has(callee.name)) return msg.newError(callee.name);
    if (callee.name === "Date") return msg.newDate();
    if (callee.name === "Promise") return msg.newPromise();
  }
  return msg.newOther();
}

/** The value of a string literal or of a template without substitutions, else null. */
function staticString(node: AnyExpression): string | null {
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) {
    return node.quasis[0].value.cooked ?? null;
  }
  return null;
}

/** The property name a key denotes when it is known statically. */
function propertyKeyName(p: acorn.Property | acorn.AssignmentProperty): string | null {
  if (!p.computed && p.key.type === "Identifier") return p.key.name;
  return staticString(p.key);
}

/** How to show a key in a message: the name, the literal as written, or `[…]` when computed. */
function keyText(p: acorn.Property): string {
  if (p.computed) return "[…]";
  if (p.key.type === "Identifier") return p.key.name;
  if (p.key.type === "Literal") return p.key.raw ?? String(p.key.value);
  return "[…]";
}
