// Scope analysis for the compiler: which bindings each scope declares, which identifier refers to
// which binding, and which bindings are captured by an inner function. Captured bindings live in
// environments (so closures share them); the rest live in registers, which is much faster.
// Runs on a tree the validator has accepted, so unknown names can only be globals.

import type * as es from "acorn";

export type BindingKind = "let" | "const" | "function" | "param" | "catch" | "self";

export interface Binding {
  name: string;
  kind: BindingKind;
  scope: Scope;
  /** Referenced from a function other than the one that declares it. */
  captured: boolean;
  /** Register index, or slot in the scope's environment when captured. Set by the compiler. */
  slot: number;
}

export interface Scope {
  node: es.Node;
  parent: Scope | null;
  /** The function (or program) node this scope belongs to. */
  fn: es.Node;
  isFunction: boolean;
  bindings: Map<string, Binding>;
  /** Function declarations to instantiate when the scope is entered (hoisting). */
  functions: es.FunctionDeclaration[];
}

export interface ScopeInfo {
  scopes: Map<es.Node, Scope>;
  /** Identifier node → its binding; absent means a global. */
  refs: Map<es.Identifier, Binding>;
}

type AnyFunction = es.FunctionDeclaration | es.FunctionExpression | es.ArrowFunctionExpression;

export function analyzeScopes(program: es.Program): ScopeInfo {
  const info: ScopeInfo = { scopes: new Map(), refs: new Map() };
  new Analyzer(info).program(program);
  return info;
}

class Analyzer {
  private scope: Scope | null = null;
  constructor(private readonly info: ScopeInfo) {}

  program(p: es.Program): void {
    this.withScope(p, p, true, () => {
      this.hoist(p.body as es.Statement[]);
      for (const s of p.body) this.statement(s as es.Statement);
    });
  }

  private withScope(node: es.Node, fn: es.Node, isFunction: boolean, body: () => void): void {
    const scope: Scope = { node, parent: this.scope, fn, isFunction, bindings: new Map(), functions: [] };
    this.info.scopes.set(node, scope);
    const outer = this.scope;
    this.scope = scope;
    body();
    this.scope = outer;
  }

  private declare(name: string, kind: BindingKind): void {
    const scope = this.scope!;
    if (!scope.bindings.has(name)) scope.bindings.set(name, { name, kind, scope, captured: false, slot: -1 });
  }

  /** Declares the let/const/function declarations that a statement list puts in the current scope. */
  private hoist(body: es.Statement[]): void {
    for (const s of body) {
      if (s.type === "VariableDeclaration") {
        for (const d of s.declarations) for (const id of patternNames(d.id)) this.declare(id.name, s.kind as BindingKind);
      } else if (s.type === "FunctionDeclaration" && s.id) {
        this.declare(s.id.name, "function");
        this.scope!.functions.push(s);
      }
    }
  }

  private reference(id: es.Identifier): void {
    for (let s = this.scope; s; s = s.parent) {
      const b = s.bindings.get(id.name);
      if (b) {
        if (s.fn !== this.scope!.fn) b.captured = true;
        this.info.refs.set(id, b);
        return;
      }
    }
  }

  private block(node: es.Node, body: es.Statement[]): void {
    this.withScope(node, this.scope!.fn, false, () => {
      this.hoist(body);
      for (const s of body) this.statement(s);
    });
  }

  private statement(s: es.Statement | es.ModuleDeclaration): void {
    switch (s.type) {
      case "ExpressionStatement":
        return this.expression(s.expression);
      case "VariableDeclaration":
        for (const d of s.declarations) {
          this.pattern(d.id);
          if (d.init) this.expression(d.init);
        }
        return;
      case "FunctionDeclaration":
        return this.fn(s);
      case "ReturnStatement":
        if (s.argument) this.expression(s.argument);
        return;
      case "IfStatement":
        this.expression(s.test);
        this.statement(s.consequent);
        if (s.alternate) this.statement(s.alternate);
        return;
      case "BlockStatement":
        return this.block(s, s.body);
      case "WhileStatement":
      case "DoWhileStatement":
        this.expression(s.test);
        return this.statement(s.body);
      case "ForStatement":
        return this.withScope(s, this.scope!.fn, false, () => {
          if (s.init?.type === "VariableDeclaration") {
            this.hoist([s.init]);
            this.statement(s.init);
          } else if (s.init) this.expression(s.init);
          if (s.test) this.expression(s.test);
          if (s.update) this.expression(s.update);
          this.statement(s.body);
        });
      case "ForOfStatement":
      case "ForInStatement":
        this.expression(s.right);
        return this.withScope(s, this.scope!.fn, false, () => {
          if (s.left.type === "VariableDeclaration") {
            this.hoist([s.left]);
            for (const d of s.left.declarations) this.pattern(d.id);
          } else this.pattern(s.left);
          this.statement(s.body);
        });
      case "BreakStatement":
      case "ContinueStatement":
      case "EmptyStatement":
        return;
      case "ThrowStatement":
        return this.expression(s.argument);
      case "TryStatement":
        this.statement(s.block);
        if (s.handler) {
          const h = s.handler;
          this.withScope(h, this.scope!.fn, false, () => {
            if (h.param) {
              for (const id of patternNames(h.param)) this.declare(id.name, "catch");
              this.pattern(h.param);
            }
            this.statement(h.body);
          });
        }
        if (s.finalizer) this.statement(s.finalizer);
        return;
      case "SwitchStatement":
        this.expression(s.discriminant);
        return this.withScope(s, this.scope!.fn, false, () => {
          for (const c of s.cases) this.hoist(c.consequent);
          for (const c of s.cases) {
            if (c.test) this.expression(c.test);
            for (const x of c.consequent) this.statement(x);
          }
        });
      default:
        throw new Error(`compiler: unexpected statement ${s.type}`);
    }
  }

  private fn(f: AnyFunction): void {
    this.withScope(f, f, true, () => {
      if (f.type === "FunctionExpression" && f.id) this.declare(f.id.name, "self");
      // With defaults or patterns, parameters are initialized in order and have a dead zone
      // (`function f(a = b, b)` throws), as in JavaScript.
      const simple = f.params.every((p) => p.type === "Identifier");
      for (const p of f.params) for (const id of patternNames(p)) this.declare(id.name, simple ? "param" : "let");
      for (const p of f.params) this.pattern(p);
      // The body is a scope of its own, so defaults cannot see its declarations.
      if (f.body.type === "BlockStatement") this.statement(f.body);
      else this.expression(f.body);
    });
  }

  /** Visits a binding or assignment pattern: its names are references, defaults are expressions. */
  private pattern(p: es.Pattern): void {
    switch (p.type) {
      case "Identifier":
        return this.reference(p);
      case "ObjectPattern":
        for (const prop of p.properties) {
          if (prop.type === "RestElement") this.pattern(prop.argument);
          else {
            if (prop.computed) this.expression(prop.key as es.Expression);
            this.pattern(prop.value);
          }
        }
        return;
      case "ArrayPattern":
        for (const el of p.elements) if (el) this.pattern(el);
        return;
      case "RestElement":
        return this.pattern(p.argument);
      case "AssignmentPattern":
        this.pattern(p.left);
        return this.expression(p.right);
      case "MemberExpression":
        return this.expression(p);
    }
  }

  private expression(e: es.Expression | es.SpreadElement | es.Super | es.PrivateIdentifier): void {
    switch (e.type) {
      case "Identifier":
        return this.reference(e);
      case "Literal":
      case "ThisExpression":
      case "Super":
      case "PrivateIdentifier":
        return;
      case "TemplateLiteral":
        for (const x of e.expressions) this.expression(x);
        return;
      case "ArrayExpression":
        for (const x of e.elements) if (x) this.expression(x);
        return;
      case "ObjectExpression":
        for (const p of e.properties) {
          if (p.type === "SpreadElement") this.expression(p.argument);
          else {
            if (p.computed) this.expression(p.key as es.Expression);
            this.expression(p.value as es.Expression);
          }
        }
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return this.fn(e);
      case "UnaryExpression":
      case "UpdateExpression":
      case "AwaitExpression":
      case "SpreadElement":
        return this.expression(e.argument);
      case "BinaryExpression":
      case "LogicalExpression":
        this.expression(e.left as es.Expression);
        return this.expression(e.right);
      case "AssignmentExpression":
        this.pattern(e.left);
        return this.expression(e.right);
      case "ConditionalExpression":
        this.expression(e.test);
        this.expression(e.consequent);
        return this.expression(e.alternate);
      case "CallExpression":
        this.expression(e.callee);
        for (const a of e.arguments) this.expression(a);
        return;
      case "MemberExpression":
        this.expression(e.object);
        if (e.computed) this.expression(e.property);
        return;
      case "ChainExpression":
        return this.expression(e.expression);
      case "SequenceExpression":
        for (const x of e.expressions) this.expression(x);
        return;
      case "ParenthesizedExpression":
        return this.expression(e.expression);
      default:
        throw new Error(`compiler: unexpected expression ${e.type}`);
    }
  }
}

/** The identifiers a binding pattern declares, in source order. */
export function patternNames(p: es.Pattern): es.Identifier[] {
  switch (p.type) {
    case "Identifier":
      return [p];
    case "ObjectPattern":
      return p.properties.flatMap((prop) => patternNames(prop.type === "RestElement" ? prop.argument : prop.value));
    case "ArrayPattern":
      return p.elements.flatMap((el) => (el ? patternNames(el) : []));
    case "RestElement":
      return patternNames(p.argument);
    case "AssignmentPattern":
      return patternNames(p.left);
    default:
      return [];
  }
}
